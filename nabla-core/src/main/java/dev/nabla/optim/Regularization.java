package dev.nabla.optim;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seeds' rule "regularise weights, not biases": parameter groups that leave biases and normalisation
 * parameters (every parameter of rank ≤ 1) out of weight decay, the L2 penalty as an explicit loss term, and
 * magnitude pruning.
 */
public final class Regularization {
    private Regularization() {}

    private static boolean isWeight(String name, Tensor p) {
        return p.rank() >= 2;
    }

    /** Two groups: weights with the given decay, biases and normalisation parameters with none. */
    public static List<ParamGroup> decayWeightsNotBiases(Module model, double weightDecay) {
        List<Tensor> decay = new ArrayList<>(), noDecay = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet())
            (isWeight(e.getKey(), e.getValue()) ? decay : noDecay).add(e.getValue());
        List<ParamGroup> groups = new ArrayList<>();
        if (!decay.isEmpty()) groups.add(ParamGroup.of(decay).with("weight_decay", weightDecay));
        if (!noDecay.isEmpty()) groups.add(ParamGroup.of(noDecay).with("weight_decay", 0.0));
        return groups;
    }

    /** Σ w² over the weights (not the biases): add λ/2 times this to the loss for classic L2 regularisation. */
    public static Tensor l2Penalty(Module model) {
        Tensor sum = null;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            if (!isWeight(e.getKey(), e.getValue())) continue;
            Tensor s = e.getValue().square().sum();
            sum = sum == null ? s : sum.add(s);
        }
        return sum == null ? Tensor.scalar(0) : sum;
    }

    /** Sets weights with |w| below threshold to exactly zero; returns how many were pruned. */
    public static long pruneSmallWeights(Module model, double threshold) {
        long pruned = 0;
        try (var g = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                Tensor w = e.getValue();
                if (!isWeight(e.getKey(), w)) continue;
                Tensor small = w.abs().lt(threshold);
                pruned += small.toLong().sum().item() > 0
                        ? (long) small.toLong().sum().item()
                        : 0;
                w.copy_(Tensor.where(small, Tensor.zeros(w.dtype()), w));
            }
        }
        return pruned;
    }
}
