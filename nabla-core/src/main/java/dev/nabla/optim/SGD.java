package dev.nabla.optim;

import dev.nabla.Tensor;
import java.util.List;
import java.util.Map;

/** Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD. */
public final class SGD extends Optimizer {
    /** Plain gradient descent. */
    public SGD(List<Tensor> params, double lr) {
        this(single(params), lr, 0, 0, false, 0);
    }

    /** SGD with momentum. */
    public SGD(List<Tensor> params, double lr, double momentum) {
        this(single(params), lr, momentum, 0, false, 0);
    }

    /** SGD with every option (PyTorch's semantics for momentum, dampening and Nesterov). */
    public SGD(
            List<ParamGroup> groups,
            double lr,
            double momentum,
            double dampening,
            boolean nesterov,
            double weightDecay) {
        super(
                groups,
                options(
                        "lr",
                        lr,
                        "momentum",
                        momentum,
                        "dampening",
                        dampening,
                        "nesterov",
                        nesterov ? 1 : 0,
                        "weight_decay",
                        weightDecay));
        for (ParamGroup g : paramGroups())
            if (g.flag("nesterov") && (g.get("momentum") <= 0 || g.get("dampening") != 0))
                throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
    }

    @Override
    protected void update(ParamGroup group, Flat p, Flat g, Map<String, double[]> state, long step) {
        double lr = group.get("lr"),
                mu = group.get("momentum"),
                damp = group.get("dampening"),
                wd = group.get("weight_decay");
        boolean nesterov = group.flag("nesterov");
        boolean fresh = !state.containsKey("momentum_buffer");
        double[] buf = mu != 0 ? buffer(state, "momentum_buffer", p.n) : null;
        for (int i = 0; i < p.n; i++) {
            double d = g.get(i) + wd * p.get(i);
            if (mu != 0) {
                buf[i] = fresh ? d : mu * buf[i] + (1 - damp) * d;
                d = nesterov ? d + mu * buf[i] : buf[i];
            }
            p.set(i, p.get(i) - lr * d);
        }
    }
}
