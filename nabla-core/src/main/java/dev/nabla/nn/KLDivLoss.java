package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Kullback-Leibler divergence of log-probabilities, as torch.nn.KLDivLoss (defaults: mean, logTarget false; prefer BATCHMEAN). */
public final class KLDivLoss implements Loss {
    private final Reduction reduction;
    private final boolean logTarget;

    public KLDivLoss() { this(Reduction.MEAN, false); }
    public KLDivLoss(Reduction reduction, boolean logTarget) {
        this.reduction = reduction;
        this.logTarget = logTarget;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.klDivLoss(input, target, logTarget, reduction);
    }
}
