package dev.nabla.nn;

import dev.nabla.Tensor;

/**
 * The McCulloch-Pitts unit: output 1 when Σ wᵢxᵢ ≥ θ, else 0, with fixed weights and threshold (no learning).
 * Shape: [N, in] → [N].
 */
public final class ThresholdUnit extends Module {
    private final int inFeatures;
    private final double threshold;

    /** Outputs 1 when Σ weights·x >= threshold, else 0. */
    public ThresholdUnit(double[] weights, double threshold) {
        this.inFeatures = weights.length;
        buffer("weights", Tensor.of(weights).toFloat());
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor weights = buffer("weights");
        expectInput(x, "[N, " + inFeatures + "]", x.rank() == 2 && x.size(1) == inFeatures);
        return x.to(weights.dtype()).matmul(weights).sub(threshold).step();
    }

    @Override
    protected String extraRepr() {
        return "weights=" + java.util.Arrays.toString(buffer("weights").toFloatArray()) + ", threshold=" + threshold;
    }
}
