package dev.nabla.nn;

import dev.nabla.Tensor;

/** 1 / (1 + e^−x). Shape: any → same. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
