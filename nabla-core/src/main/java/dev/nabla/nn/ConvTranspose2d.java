package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;

/**
 * Transposed 2-D convolution (PyTorch's {@code nn.ConvTranspose2d}, the upsampling adjoint of Conv2d): weight
 * [in, out / groups, K, K] (PyTorch's layout), bias [out]. Shape: [N, in, H, W] → [N, out, (H − 1)·stride −
 * 2·padding + dilation·(K − 1) + outputPadding + 1, ...].
 */
public final class ConvTranspose2d extends Module {
    /** Input and output channels, kernel size, stride, padding, output padding, groups and dilation. */
    public final int inChannels, outChannels, kernel, stride, padding, outputPadding, groups, dilation;

    /** Stride 1, no padding. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, 0, 0, 1, true, 1, Generator.global(), DType.FLOAT32);
    }

    /** The full form. */
    public ConvTranspose2d(
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            int outputPadding,
            int groups,
            boolean bias,
            int dilation,
            Generator g,
            DType dtype) {
        if (inChannels <= 0
                || outChannels <= 0
                || kernel <= 0
                || groups < 1
                || inChannels % groups != 0
                || outChannels % groups != 0)
            throw new IllegalArgumentException("ConvTranspose2d: channels " + inChannels + "->" + outChannels
                    + " and kernel " + kernel + " must be positive, the channels divisible by groups " + groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        this.groups = groups;
        this.dilation = dilation;
        Tensor w = param("weight", Tensor.zeros(dtype, inChannels, outChannels / groups, kernel, kernel));
        Tensor b = bias ? param("bias", Tensor.zeros(dtype, outChannels)) : null;
        Init.torchDefault(w, b, g);
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, "[N, " + inChannels + ", H, W]", x.rank() == 4 && x.size(1) == inChannels);
        return F.convTranspose2d(
                x,
                parameter("weight"),
                parameter("bias"),
                new int[] {stride, stride},
                new int[] {padding, padding},
                new int[] {outputPadding, outputPadding},
                groups,
                new int[] {dilation, dilation});
    }

    @Override
    public String describe() {
        return "ConvTranspose2d " + inChannels + "->" + outChannels + " k" + kernel;
    }
}
