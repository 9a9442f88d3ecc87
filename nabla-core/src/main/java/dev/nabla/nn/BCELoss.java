package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Binary cross-entropy on probabilities in [0, 1], with an optional per-element weight. Shape: input and target alike. */
public final class BCELoss implements Loss {
    private final Reduction reduction;
    private final Tensor weight;

    /** Mean binary cross-entropy of probabilities. */
    public BCELoss() {
        this(Reduction.MEAN);
    }
    /** Binary cross-entropy of probabilities with the given reduction. */
    public BCELoss(Reduction reduction) {
        this(reduction, null);
    }
    /** Binary cross-entropy with a per-element weight (broadcast to the input). */
    public BCELoss(Reduction reduction, Tensor weight) {
        this.reduction = reduction;
        this.weight = weight;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.binaryCrossEntropy(input, target, weight, reduction);
    }
}
