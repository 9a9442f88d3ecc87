package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.nn.F.Reduction;

/** max(0, 1 − y·f) for targets ±1. Shape: scores and targets alike. */
public final class HingeLoss implements Loss {
    private final Reduction reduction;

    /** Mean hinge loss max(0, 1 - y·f(x)) for targets ±1. */
    public HingeLoss() {
        this(Reduction.MEAN);
    }
    /** Hinge loss with the given reduction. */
    public HingeLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return F.hingeLoss(input, target, reduction);
    }
}
