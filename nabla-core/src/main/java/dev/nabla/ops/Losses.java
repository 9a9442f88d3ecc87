package dev.nabla.ops;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradMode;

/**
 * Losses whose backward must be written out for numerical reasons (the composite of their pieces would give NaN or
 * the wrong value at the edges). Unreduced, element by element; {@code nn.F} reduces.
 */
public final class Losses {
    private Losses() {}

    /** PyTorch's bound on the denominator p·(1 − p) of the BCE gradient. */
    private static final double BCE_EPSILON = (double) 1e-12f; // PyTorch keeps it as a float, also for float64 tensors

    /**
     * Binary cross-entropy −(t·log p + (1 − t)·log(1 − p)) with each log clamped at −100, as PyTorch computes it, so
     * that p = 0 or 1 gives a finite loss. Backward is PyTorch's: ∂/∂p = (p − t) / max(p·(1 − p), 1e-12) (finite at
     * p = 0 and 1, where the composite of log and clamp gave NaN), ∂/∂t = log(1 − p) − log p, unclamped as in
     * PyTorch (±infinity at p = 0 and 1).
     * Shape: p and t the same shape; out the same shape.
     */
    public static Tensor binaryCrossEntropy(Tensor p, Tensor t) {
        if (!java.util.Arrays.equals(p.shape(), t.shape()))
            throw new IllegalArgumentException("binaryCrossEntropy: input " + Shape.str(p.shape()) + " and target "
                    + Shape.str(t.shape()) + " must have the same shape");
        Tensor out;
        try (var g = GradMode.noGrad()) {
            Tensor logP = p.log().clampMin(-100), log1mP = p.rsub(1.0).log().clampMin(-100);
            out = t.mul(logP).add(t.rsub(1.0).mul(log1mP)).neg();
        }
        return Autograd.record(
                "binary_cross_entropy",
                out,
                g -> {
                    Tensor dp = g.mul(p.sub(t)).div(p.mul(p.rsub(1.0)).clampMin(BCE_EPSILON));
                    Tensor dt = t.requiresGrad() ? g.mul(p.rsub(1.0).log().sub(p.log())) : null;
                    return new Tensor[] {dp, dt};
                },
                p,
                t);
    }
}
