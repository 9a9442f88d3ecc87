package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Binary cross-entropy on logits, stable for large logits, with optional pos_weight and per-element weight. Shape: input and target alike. */
public final class BCEWithLogitsLoss implements Loss {
    private final Reduction reduction;
    private final Tensor posWeight;
    private final Tensor weight;

    /** Mean binary cross-entropy of logits (sigmoid inside, computed stably). */
    public BCEWithLogitsLoss() {
        this(Reduction.MEAN, null);
    }
    /** With a weight for the positive class (per class, broadcast). */
    public BCEWithLogitsLoss(Reduction reduction, Tensor posWeight) {
        this(reduction, posWeight, null);
    }
    /** With a positive-class weight and a per-element weight. */
    public BCEWithLogitsLoss(Reduction reduction, Tensor posWeight, Tensor weight) {
        this.reduction = reduction;
        this.posWeight = posWeight;
        this.weight = weight;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, posWeight, weight, reduction);
    }
}
