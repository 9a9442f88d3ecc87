package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** The perceptron criterion max(0, −y·f) for targets ±1. Shape: scores and targets alike. */
public final class PerceptronLoss implements Loss {
    private final Reduction reduction;

    public PerceptronLoss() { this(Reduction.MEAN); }
    public PerceptronLoss(Reduction reduction) { this.reduction = reduction; }
    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.perceptronLoss(input, target, reduction);
    }
}
