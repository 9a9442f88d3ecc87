package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/**
 * Cross-entropy from logits [N, C]: int64 class targets [N] or class probabilities [N, C]; class weights, label
 * smoothing and ignoreIndex (default −100) optional, together too, as torch.nn.CrossEntropyLoss.
 */
public final class CrossEntropyLoss implements Loss {
    private final Reduction reduction;
    private final Tensor weight;
    private final double labelSmoothing;
    private final long ignoreIndex;

    /** Mean cross-entropy of logits [N, C] against class indices [N]. */
    public CrossEntropyLoss() {
        this(Reduction.MEAN, null, 0.0);
    }
    /** Cross-entropy with the given reduction. */
    public CrossEntropyLoss(Reduction reduction) {
        this(reduction, null, 0.0);
    }
    /** With class weights [C] (or null) and label smoothing in [0, 1]. */
    public CrossEntropyLoss(Reduction reduction, Tensor weight, double labelSmoothing) {
        this(reduction, weight, labelSmoothing, F.IGNORE_INDEX);
    }
    /** With class weights, label smoothing and a target value whose samples are left out. */
    public CrossEntropyLoss(Reduction reduction, Tensor weight, double labelSmoothing, long ignoreIndex) {
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
        this.weight = weight;
        this.labelSmoothing = labelSmoothing;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, weight, labelSmoothing, ignoreIndex, reduction);
    }
}
