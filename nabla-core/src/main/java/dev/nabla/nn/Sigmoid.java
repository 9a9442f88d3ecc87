package dev.nabla.nn;

import dev.nabla.Tensor;

/** 1 / (1 + e^−x). Shape: any → same. */
public final class Sigmoid extends Module {
    /** 1 / (1 + exp(-x)), element-wise. */
    public Sigmoid() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
