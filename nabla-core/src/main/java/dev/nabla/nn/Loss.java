package dev.nabla.nn;

import dev.nabla.Tensor;

/** A loss criterion: {@code new CrossEntropyLoss().apply(logits, targets)}. */
@FunctionalInterface
public interface Loss {
    Tensor apply(Tensor input, Tensor target);
}
