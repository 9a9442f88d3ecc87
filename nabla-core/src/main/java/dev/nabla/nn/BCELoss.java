package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Binary cross-entropy on probabilities in [0, 1]. Shape: input and target alike. */
public final class BCELoss implements Loss {
    private final Reduction reduction;

    public BCELoss() { this(Reduction.MEAN); }
    public BCELoss(Reduction reduction) { this.reduction = reduction; }
    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.binaryCrossEntropy(input, target, reduction);
    }
}
