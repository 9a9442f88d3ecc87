package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Negative log likelihood of log-probabilities [N, C] for int64 targets [N], with optional class weights. */
public final class NLLLoss implements Loss {
    private final Reduction reduction;
    private final Tensor weight;

    public NLLLoss() { this(Reduction.MEAN, null); }
    public NLLLoss(Reduction reduction, Tensor weight) { this.reduction = reduction; this.weight = weight; }
    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.nllLoss(input, target, weight, reduction);
    }
}
