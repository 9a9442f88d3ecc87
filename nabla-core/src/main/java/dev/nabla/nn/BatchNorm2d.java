package dev.nabla.nn;

/** Batch normalisation of [N, C, H, W] over N, H and W. */
public final class BatchNorm2d extends BatchNorm {
    /** Batch normalisation over [N, C, H, W] with eps 1e-5 and momentum 0.1. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /** Batch normalisation over [N, C, H, W]. */
    public BatchNorm2d(int numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum, 4);
    }
}
