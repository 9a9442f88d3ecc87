package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Binary cross-entropy on logits, stable for large logits, with optional pos_weight and per-element weight. Shape: input and target alike. */
public final class BCEWithLogitsLoss implements Loss {
    private final Reduction reduction;
    private final Tensor posWeight;
    private final Tensor weight;

    public BCEWithLogitsLoss() { this(Reduction.MEAN, null); }
    public BCEWithLogitsLoss(Reduction reduction, Tensor posWeight) { this(reduction, posWeight, null); }
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
