package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Kullback-Leibler divergence of log-probabilities, as torch.nn.KLDivLoss (defaults: mean, logTarget false; prefer BATCHMEAN). */
public final class KLDivLoss implements Loss {
    private final Reduction reduction;
    private final boolean logTarget;

    /** KL divergence of log-probabilities against probabilities, mean. */
    public KLDivLoss() {
        this(Reduction.MEAN, false);
    }
    /** KL divergence with the given reduction; logTarget when the target is log-probabilities too. */
    public KLDivLoss(Reduction reduction, boolean logTarget) {
        this.reduction = reduction;
        this.logTarget = logTarget;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.klDivLoss(input, target, logTarget, reduction);
    }
}
