package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** The seeds' ½·Σ(x − y)² (reduction sum by default, so its gradient is x − y). Shape: input and target alike. */
public final class HalfSquaredErrorLoss implements Loss {
    private final Reduction reduction;

    /** ½ Σ (input - target)², summed. */
    public HalfSquaredErrorLoss() {
        this(Reduction.SUM);
    }
    /** ½ (input - target)² with the given reduction. */
    public HalfSquaredErrorLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction).mul(0.5);
    }
}
