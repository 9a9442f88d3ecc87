package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Tensor;

/**
 * RMS normalisation over the last dims (PyTorch 2.4's {@code nn.RMSNorm}): x / √(mean(x²) + eps) · weight, weight
 * ones of normalizedShape when elementwiseAffine; eps null is the dtype's machine epsilon. Shape: any → same.
 */
public final class RMSNorm extends Module {
    private final int[] normalizedShape;
    private final Double eps;

    /** Over the last dim of size features, default eps, with a weight. */
    public RMSNorm(int features) {
        this(new int[] {features}, null, true, DType.FLOAT32);
    }

    /** The full form. */
    public RMSNorm(int[] normalizedShape, Double eps, boolean elementwiseAffine, DType dtype) {
        if (normalizedShape.length == 0)
            throw new IllegalArgumentException("RMSNorm: normalized_shape must have at least one dimension");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) param("weight", Tensor.ones(dtype, normalizedShape));
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.rmsNorm(x, normalizedShape, parameter("weight"), eps);
    }

    @Override
    protected String extraRepr() {
        return java.util.Arrays.toString(normalizedShape) + ", eps=" + eps;
    }
}
