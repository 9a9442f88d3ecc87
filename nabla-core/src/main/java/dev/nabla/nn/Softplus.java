package dev.nabla.nn;

import dev.nabla.Tensor;

/** log(1 + e^(beta·x)) / beta, linear where beta·x > threshold. Shape: any → same. */
public final class Softplus extends Module {
    private final double beta, threshold;

    /** beta 1, threshold 20 (PyTorch's defaults). */
    public Softplus() {
        this(1.0, 20.0);
    }

    /** Softplus with this beta and threshold. */
    public Softplus(double beta, double threshold) {
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.softplus(x, beta, threshold);
    }

    @Override
    protected String extraRepr() {
        return "beta=" + beta + ", threshold=" + threshold;
    }
}
