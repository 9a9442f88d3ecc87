package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** x where y = 1, max(0, margin − x) where y = −1. Shape: input and target alike. As torch.nn.HingeEmbeddingLoss (defaults: reduction mean, margin 1). */
public final class HingeEmbeddingLoss implements Loss {
    private final double margin;
    private final Reduction reduction;

    /** Hinge embedding loss with margin 1, mean. */
    public HingeEmbeddingLoss() {
        this(1.0, Reduction.MEAN);
    }
    /** Hinge embedding loss with the given margin and reduction. */
    public HingeEmbeddingLoss(double margin, Reduction reduction) {
        this.margin = margin;
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.hingeEmbeddingLoss(input, target, margin, reduction);
    }
}
