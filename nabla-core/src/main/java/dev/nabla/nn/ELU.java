package dev.nabla.nn;

import dev.nabla.Tensor;

/** x where x > 0, else alpha·(eˣ − 1). Shape: any → same. */
public final class ELU extends Module {
    private final double alpha;

    /** alpha = 1, PyTorch's default. */
    public ELU() {
        this(1.0);
    }

    /** An ELU with this alpha. */
    public ELU(double alpha) {
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.elu(x, alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha;
    }
}
