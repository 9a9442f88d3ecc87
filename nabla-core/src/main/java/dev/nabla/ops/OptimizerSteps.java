package dev.nabla.ops;

import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Storage;

/**
 * Fused optimizer updates on the parameter's backend (as PyTorch's fused Adam): dev.nabla.optim keeps the algorithm's
 * options and state, the backend runs the element loop (on every core for the CPU backend).
 */
public final class OptimizerSteps {
    private OptimizerSteps() {}

    /**
     * One Adam step of param in place from grad (param's dtype and length, contiguous), with the state exp_avg m,
     * exp_avg_sq v and max_exp_avg_sq vmax (null without AMSGrad): {@link Backend#adamStep}.
     */
    public static void adam(
            Tensor param,
            Storage grad,
            double[] m,
            double[] v,
            double[] vmax,
            double lr,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            boolean decoupled,
            long step) {
        param.backend()
                .adamStep(
                        param.storage(),
                        grad,
                        Storage.of(m),
                        Storage.of(v),
                        vmax == null ? null : Storage.of(vmax),
                        new Backend.AdamStep(lr, beta1, beta2, eps, weightDecay, decoupled, step));
    }
}
