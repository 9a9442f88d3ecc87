package dev.nabla.nn;

import dev.nabla.Tensor;

/** tanh(x). Shape: any → same. */
public final class Tanh extends Module {
    /** tanh(x), element-wise. */
    public Tanh() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
