package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** 0.5·d²/β where |d| &lt; β, else |d| − 0.5·β (d = x − y). Shape: input and target alike. As torch.nn.SmoothL1Loss (defaults: reduction mean, beta 1). */
public final class SmoothL1Loss implements Loss {
    private final double beta;
    private final Reduction reduction;

    /** Smooth L1 loss with beta 1, mean. */
    public SmoothL1Loss() {
        this(1.0, Reduction.MEAN);
    }
    /** Smooth L1 loss with the given beta and reduction. */
    public SmoothL1Loss(double beta, Reduction reduction) {
        this.beta = beta;
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.smoothL1Loss(input, target, beta, reduction);
    }
}
