package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** Mean squared error (x − y)² with reduction mean (default), sum or none. Shape: input and target alike. */
public final class MSELoss implements Loss {
    private final Reduction reduction;

    /** Mean squared error. */
    public MSELoss() {
        this(Reduction.MEAN);
    }
    /** Squared error with the given reduction. */
    public MSELoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.mseLoss(input, target, reduction);
    }
}
