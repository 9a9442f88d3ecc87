package dev.nabla.nn;

/** Batch normalisation of [N, C] or [N, C, L] over N (and L). */
public final class BatchNorm1d extends BatchNorm {
    /** Batch normalisation over [N, C] or [N, C, L] with eps 1e-5 and momentum 0.1. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /** Batch normalisation over [N, C] or [N, C, L]. */
    public BatchNorm1d(int numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum, 2, 3);
    }
}
