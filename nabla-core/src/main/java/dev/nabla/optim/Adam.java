package dev.nabla.optim;

import dev.nabla.Tensor;
import dev.nabla.ops.OptimizerSteps;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba) with bias correction, L2 weight decay added to the gradient as torch.optim.Adam applies it,
 * and the AMSGrad variant. {@link AdamW} decouples the decay instead.
 */
public class Adam extends Optimizer {
    /** Adam with learning rate lr and PyTorch's other defaults. */
    public Adam(List<Tensor> params, double lr) {
        this(single(params), lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** Adam with L2 weight decay added to the gradient (PyTorch's {@code weight_decay}; {@link AdamW} decouples it). */
    public Adam(List<Tensor> params, double lr, double weightDecay) {
        this(single(params), lr, 0.9, 0.999, 1e-8, weightDecay, false);
    }

    /** Adam over parameter groups with every option (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8, no weight decay, no AMSGrad). */
    public Adam(
            List<ParamGroup> groups,
            double lr,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            boolean amsgrad) {
        super(
                groups,
                options(
                        "lr",
                        lr,
                        "beta1",
                        beta1,
                        "beta2",
                        beta2,
                        "eps",
                        eps,
                        "weight_decay",
                        weightDecay,
                        "amsgrad",
                        amsgrad ? 1 : 0));
    }

    @Override
    protected void validate(ParamGroup g, int index) {
        super.validate(g, index);
        unitInterval(g, index, "beta1", "beta parameter at index 0");
        unitInterval(g, index, "beta2", "beta parameter at index 1");
    }

    /** Decoupled decay happens before the Adam step in AdamW; Adam itself adds the decay to the gradient. */
    boolean decoupled() {
        return false;
    }

    @Override
    protected final void update(ParamGroup group, Flat p, Flat g, Map<String, double[]> state, long step) {
        double lr = group.get("lr"),
                b1 = group.get("beta1"),
                b2 = group.get("beta2"),
                eps = group.get("eps"),
                wd = group.get("weight_decay");
        boolean ams = group.flag("amsgrad"), decoupled = decoupled();
        double[] m = buffer(state, "exp_avg", p.n), v = buffer(state, "exp_avg_sq", p.n);
        double[] vmax = ams ? buffer(state, "max_exp_avg_sq", p.n) : null;
        // the element loop on the parameter's backend (Backend.adamRange: this update in double, on every core)
        OptimizerSteps.adam(p.param, g.storage, m, v, vmax, lr, b1, b2, eps, wd, decoupled, step);
    }
}
