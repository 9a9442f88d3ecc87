package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Binary cross-entropy on logits, stable for large logits, with optional pos_weight. Shape: input and target alike. */
public final class BCEWithLogitsLoss implements Loss {
    private final Reduction reduction;
    private final Tensor posWeight;

    public BCEWithLogitsLoss() { this(Reduction.MEAN, null); }
    public BCEWithLogitsLoss(Reduction reduction, Tensor posWeight) { this.reduction = reduction; this.posWeight = posWeight; }
    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, posWeight, reduction);
    }
}
