package dev.nabla.nn;

import dev.nabla.Tensor;

/** x·Φ(x), exact or with the tanh approximation. Shape: any → same. */
public final class GELU extends Module {
    private final boolean tanhApproximation;

    public GELU() {
        this(false);
    }

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
