package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** The perceptron criterion max(0, −y·f) for targets ±1. Shape: scores and targets alike. */
public final class PerceptronLoss implements Loss {
    private final Reduction reduction;

    /** The perceptron criterion max(0, -y·f(x)), mean. */
    public PerceptronLoss() {
        this(Reduction.MEAN);
    }
    /** The perceptron criterion with the given reduction. */
    public PerceptronLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.perceptronLoss(input, target, reduction);
    }
}
