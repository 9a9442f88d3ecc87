package dev.nabla.nn;

import dev.nabla.Tensor;

/** A loss criterion: {@code new CrossEntropyLoss().apply(logits, targets)}. */
@FunctionalInterface
public interface Loss {
    /** The loss of input (predictions) against target. */
    Tensor apply(Tensor input, Tensor target);
}
