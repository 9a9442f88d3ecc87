package dev.nabla.nn;

import dev.nabla.Tensor;

/** x·Φ(x), exact or with the tanh approximation. Shape: any → same. */
public final class GELU extends Module {
    private final boolean tanhApproximation;

    /** GELU with the exact normal CDF (PyTorch's approximate='none'). */
    public GELU() {
        this(false);
    }

    /** GELU, exact or with the tanh approximation. */
    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu(tanhApproximation);
    }

    @Override
    protected String extraRepr() {
        return "approximate='" + (tanhApproximation ? "tanh" : "none") + "'";
    }
}
