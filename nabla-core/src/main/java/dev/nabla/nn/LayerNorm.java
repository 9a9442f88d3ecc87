package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Tensor;

/**
 * Layer normalisation over the last dims (PyTorch's {@code nn.LayerNorm}): weight ones and bias zeros of
 * normalizedShape when elementwiseAffine. Shape: [*, normalizedShape] → same.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;

    /** Over the last dim of size features, eps 1e-5, with weight and bias. */
    public LayerNorm(int features) {
        this(new int[] {features}, 1e-5, true, true, DType.FLOAT32);
    }

    /** The full form (bias false: weight only, as PyTorch 2.1's bias=False). */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias, DType dtype) {
        if (normalizedShape.length == 0)
            throw new IllegalArgumentException("LayerNorm: normalized_shape must have at least one dimension");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) {
            param("weight", Tensor.ones(dtype, normalizedShape));
            if (bias) param("bias", Tensor.zeros(dtype, normalizedShape));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.layerNorm(x, normalizedShape, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        return java.util.Arrays.toString(normalizedShape) + ", eps=" + eps;
    }
}
