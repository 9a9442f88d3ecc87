package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Negative log likelihood of log-probabilities [N, C] for int64 targets [N], with optional class weights and ignoreIndex (default −100). */
public final class NLLLoss implements Loss {
    private final Reduction reduction;
    private final Tensor weight;
    private final long ignoreIndex;

    /** Mean negative log-likelihood of log-probabilities. */
    public NLLLoss() {
        this(Reduction.MEAN, null);
    }
    /** With class weights (or null). */
    public NLLLoss(Reduction reduction, Tensor weight) {
        this(reduction, weight, F.IGNORE_INDEX);
    }
    /** With class weights and a target value whose samples are left out. */
    public NLLLoss(Reduction reduction, Tensor weight, long ignoreIndex) {
        this.reduction = reduction;
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.nllLoss(input, target, weight, ignoreIndex, reduction);
    }
}
