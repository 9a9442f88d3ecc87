package dev.nabla.optim;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import java.util.List;

/** Gradient clipping, in place on the parameters' gradients, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. */
public final class GradClip {
    private GradClip() {}

    /** Scales all gradients so that their joint 2-norm is at most maxNorm; returns the norm before clipping. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        double sq = 0;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            for (double v : p.grad().toDoubleArray()) sq += v * v;
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            try (var g = GradMode.noGrad()) {
                for (Tensor p : params) if (p.grad() != null) p.grad().mul_(coef);
            }
        }
        return norm;
    }

    /** Clamps every gradient element into [−clip, clip]. */
    public static void clipGradValue(List<Tensor> params, double clip) {
        try (var g = GradMode.noGrad()) {
            for (Tensor p : params) if (p.grad() != null) p.grad().clamp_(-clip, clip);
        }
    }
}
