package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** 0.5·d² where |d| &lt; δ, else δ·(|d| − 0.5·δ) (d = x − y). Shape: input and target alike. As torch.nn.HuberLoss (defaults: reduction mean, delta 1). */
public final class HuberLoss implements Loss {
    private final double delta;
    private final Reduction reduction;

    /** Huber loss with delta 1, mean. */
    public HuberLoss() {
        this(1.0, Reduction.MEAN);
    }
    /** Huber loss with the given delta and reduction. */
    public HuberLoss(double delta, Reduction reduction) {
        this.delta = delta;
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.huberLoss(input, target, delta, reduction);
    }
}
