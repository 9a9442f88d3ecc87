package dev.nabla.optim;

import dev.nabla.Tensor;
import java.util.List;

/** Adam with decoupled weight decay (Loshchilov and Hutter): w ← w·(1 − lr·wd) before the Adam step. Default wd 0.01. */
public final class AdamW extends Adam {
    /** AdamW with learning rate lr and PyTorch's defaults (weight decay 0.01). */
    public AdamW(List<Tensor> params, double lr) {
        this(single(params), lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    /** AdamW with decoupled weight decay. */
    public AdamW(List<Tensor> params, double lr, double weightDecay) {
        this(single(params), lr, 0.9, 0.999, 1e-8, weightDecay, false);
    }

    /** AdamW over parameter groups with every option. */
    public AdamW(
            List<ParamGroup> groups,
            double lr,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            boolean amsgrad) {
        super(groups, lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    @Override
    boolean decoupled() {
        return true;
    }
}
