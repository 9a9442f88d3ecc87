package dev.nabla.nn;

import dev.nabla.Tensor;

/** Softmax along dim. Shape: any → same. */
public final class Softmax extends Module {
    private final int dim;

    /** Softmax along dim. */
    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
