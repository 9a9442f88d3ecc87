package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Mean absolute error |x − y|. Shape: input and target alike. As torch.nn.L1Loss (defaults: reduction mean). */
public final class L1Loss implements Loss {
    private final Reduction reduction;

    /** Mean absolute error. */
    public L1Loss() {
        this(Reduction.MEAN);
    }
    /** Absolute error with the given reduction. */
    public L1Loss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.l1Loss(input, target, reduction);
    }
}
