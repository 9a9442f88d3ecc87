package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Cross-entropy from logits [N, C]: int64 class targets [N] or class probabilities [N, C]; class weights and label smoothing optional. */
public final class CrossEntropyLoss implements Loss {
    private final Reduction reduction;
    private final Tensor weight;
    private final double labelSmoothing;

    public CrossEntropyLoss() { this(Reduction.MEAN, null, 0.0); }
    public CrossEntropyLoss(Reduction reduction) { this(reduction, null, 0.0); }
    public CrossEntropyLoss(Reduction reduction, Tensor weight, double labelSmoothing) {
        this.reduction = reduction;
        this.weight = weight;
        this.labelSmoothing = labelSmoothing;
    }
    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, weight, labelSmoothing, reduction);
    }
}
