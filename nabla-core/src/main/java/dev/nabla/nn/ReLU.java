package dev.nabla.nn;

import dev.nabla.Tensor;

/** max(x, 0). Shape: any → same. */
public final class ReLU extends Module {
    /** max(x, 0), element-wise. */
    public ReLU() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
