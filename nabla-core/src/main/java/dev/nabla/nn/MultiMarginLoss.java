package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Multi-class hinge loss, as torch.nn.MultiMarginLoss (defaults p 1, margin 1, no class weight, mean). Shape: input [N, C], target [N] int64. */
public final class MultiMarginLoss implements Loss {
    private final int p;
    private final double margin;
    private final Tensor weight;
    private final Reduction reduction;

    /** Multi-class hinge loss with p 1 and margin 1, mean. */
    public MultiMarginLoss() {
        this(1, 1.0, null, Reduction.MEAN);
    }
    /** Multi-class hinge loss (p 1 or 2) with class weights (or null). */
    public MultiMarginLoss(int p, double margin, Tensor weight, Reduction reduction) {
        this.p = p;
        this.margin = margin;
        this.weight = weight;
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.multiMarginLoss(input, target, p, margin, weight, reduction);
    }
}
