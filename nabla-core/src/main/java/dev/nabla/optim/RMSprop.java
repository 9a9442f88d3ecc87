package dev.nabla.optim;

import dev.nabla.Tensor;
import java.util.List;
import java.util.Map;

/** RMSprop with alpha, eps, weight decay, momentum and the centered variant, as torch.optim.RMSprop. */
public final class RMSprop extends Optimizer {
    /** RMSprop with PyTorch's defaults (alpha 0.99, eps 1e-8). */
    public RMSprop(List<Tensor> params, double lr) {
        this(single(params), lr, 0.99, 1e-8, 0, 0, false);
    }

    /** RMSprop with every option. */
    public RMSprop(
            List<ParamGroup> groups,
            double lr,
            double alpha,
            double eps,
            double weightDecay,
            double momentum,
            boolean centered) {
        super(
                groups,
                options(
                        "lr",
                        lr,
                        "alpha",
                        alpha,
                        "eps",
                        eps,
                        "weight_decay",
                        weightDecay,
                        "momentum",
                        momentum,
                        "centered",
                        centered ? 1 : 0));
    }

    @Override
    protected void validate(ParamGroup g, int index) {
        super.validate(g, index);
        nonNegative(g, index, "alpha", "alpha value");
    }

    @Override
    protected void update(ParamGroup group, Flat p, Flat g, Map<String, double[]> state, long step) {
        double lr = group.get("lr"),
                alpha = group.get("alpha"),
                eps = group.get("eps"),
                wd = group.get("weight_decay"),
                mu = group.get("momentum");
        boolean centered = group.flag("centered");
        double[] sq = buffer(state, "square_avg", p.n);
        double[] ga = centered ? buffer(state, "grad_avg", p.n) : null;
        double[] buf = mu > 0 ? buffer(state, "momentum_buffer", p.n) : null;
        for (int i = 0; i < p.n; i++) {
            double d = g.get(i) + wd * p.get(i);
            sq[i] = alpha * sq[i] + (1 - alpha) * d * d;
            double avg;
            if (centered) {
                ga[i] = alpha * ga[i] + (1 - alpha) * d;
                avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
            } else avg = Math.sqrt(sq[i]) + eps;
            if (mu > 0) {
                buf[i] = mu * buf[i] + d / avg;
                p.set(i, p.get(i) - lr * buf[i]);
            } else p.set(i, p.get(i) - lr * d / avg);
        }
    }
}
