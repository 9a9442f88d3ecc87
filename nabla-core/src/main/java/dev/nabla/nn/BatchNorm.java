package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Tensor;

/**
 * Batch normalisation over the channel dim, with running statistics kept as buffers (running_mean, running_var,
 * num_batches_tracked, as PyTorch names them). {@link BatchNorm1d} and {@link BatchNorm2d} fix the input rank.
 */
abstract class BatchNorm extends Module {
    /** The number of channels (features) normalised. */
    public final int numFeatures;
    /** eps added to the variance; momentum of the running statistics (PyTorch's meaning). */
    public final double eps, momentum;

    private final int[] ranks;

    BatchNorm(int numFeatures, double eps, double momentum, int... ranks) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.ranks = ranks;
        param("weight", Tensor.ones(DType.FLOAT32, numFeatures));
        param("bias", Tensor.zeros(DType.FLOAT32, numFeatures));
        buffer("running_mean", Tensor.zeros(DType.FLOAT32, numFeatures));
        buffer("running_var", Tensor.ones(DType.FLOAT32, numFeatures));
        buffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    @Override
    public Tensor forward(Tensor x) {
        boolean rankOk = false;
        for (int r : ranks) rankOk |= x.rank() == r;
        expectInput(
                x,
                ranks.length == 1
                        ? "[N, " + numFeatures + ", H, W]"
                        : "[N, " + numFeatures + "] or [N, " + numFeatures + ", L]",
                rankOk && x.size(1) == numFeatures);
        if (isTraining()) {
            try (var g = dev.nabla.autograd.GradMode.noGrad()) {
                buffer("num_batches_tracked").add_(1.0);
            }
        }
        return F.batchNorm(
                x,
                buffer("running_mean"),
                buffer("running_var"),
                parameter("weight"),
                parameter("bias"),
                isTraining(),
                momentum,
                eps);
    }

    @Override
    public String describe() {
        return getClass().getSimpleName() + " " + numFeatures;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum;
    }
}
