package dev.nabla.nn;

import dev.nabla.Tensor;

/** log(softmax(x)) along dim, computed stably. Shape: any → same. */
public final class LogSoftmax extends Module {
    private final int dim;

    /** log(softmax(x)) along dim. */
    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
