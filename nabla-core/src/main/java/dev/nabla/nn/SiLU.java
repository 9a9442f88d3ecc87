package dev.nabla.nn;

import dev.nabla.Tensor;

/** x·sigmoid(x) (SiLU, swish). Shape: any → same. */
public final class SiLU extends Module {
    /** The SiLU activation. */
    public SiLU() {}

    @Override
    public Tensor forward(Tensor x) {
        return F.silu(x);
    }
}
