package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Tensor;

/**
 * Group normalisation (PyTorch's {@code nn.GroupNorm}): numChannels split into numGroups groups, each normalised;
 * weight ones and bias zeros per channel when affine. Shape: [N, C, *] → same.
 */
public final class GroupNorm extends Module {
    private final int numGroups, numChannels;
    private final double eps;

    /** eps 1e-5, affine. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true, DType.FLOAT32);
    }

    /** The full form. */
    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine, DType dtype) {
        if (numGroups < 1 || numChannels % numGroups != 0)
            throw new IllegalArgumentException(
                    "GroupNorm: num_channels " + numChannels + " must be divisible by num_groups " + numGroups);
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        if (affine) {
            param("weight", Tensor.ones(dtype, numChannels));
            param("bias", Tensor.zeros(dtype, numChannels));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, "[N, " + numChannels + ", *]", x.rank() >= 2 && x.size(1) == numChannels);
        return F.groupNorm(x, numGroups, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + eps;
    }
}
