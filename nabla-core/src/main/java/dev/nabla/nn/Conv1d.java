package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;

/**
 * 1-D convolution over [N, C, L] (PyTorch's {@code nn.Conv1d}): weight [O, C / groups, K], bias [O], initialised as
 * PyTorch's. Shape: [N, in, L] → [N, out, (L + 2·padding − dilation·(K−1) − 1) / stride + 1].
 */
public final class Conv1d extends Module {
    /** Input and output channels, kernel size, stride, padding, dilation and groups. */
    public final int inChannels, outChannels, kernel, stride, padding, dilation, groups;

    /** Stride 1, no padding, dilation 1, one group, with bias. */
    public Conv1d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, 0, 1, 1, true, Generator.global(), DType.FLOAT32);
    }

    /** The full form. */
    public Conv1d(
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            int dilation,
            int groups,
            boolean bias,
            Generator g,
            DType dtype) {
        if (inChannels <= 0
                || outChannels <= 0
                || kernel <= 0
                || groups < 1
                || inChannels % groups != 0
                || outChannels % groups != 0)
            throw new IllegalArgumentException("Conv1d: channels " + inChannels + "->" + outChannels + " and kernel "
                    + kernel + " must be positive, the channels divisible by groups " + groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        Tensor w = param("weight", Tensor.zeros(dtype, outChannels, inChannels / groups, kernel));
        Tensor b = bias ? param("bias", Tensor.zeros(dtype, outChannels)) : null;
        Init.torchDefault(w, b, g);
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, "[N, " + inChannels + ", L]", x.rank() == 3 && x.size(1) == inChannels);
        return F.conv1d(x, parameter("weight"), parameter("bias"), stride, padding, dilation, groups);
    }

    @Override
    public String describe() {
        return "Conv1d " + inChannels + "->" + outChannels + " k" + kernel;
    }
}
