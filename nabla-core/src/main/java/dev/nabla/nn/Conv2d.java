package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;

/**
 * 2-D convolution over NCHW. Shape: [N, C_in, H, W] → [N, C_out, OH, OW] with
 * OH = (H + 2·padding − dilation·(kernel − 1) − 1) / stride + 1. Initialised as PyTorch's Conv2d.
 */
public final class Conv2d extends Module {
    /** Options beyond the channels and kernel; {@link #defaults()} is stride 1, no padding, dilation 1, bias, 1 group. */
    public record Options(int[] stride, int[] padding, int[] dilation, boolean bias, int groups) {
        /** Stride 1, no padding, dilation 1, a bias, one group. */
        public static Options defaults() {
            return new Options(new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true, 1);
        }
        /** The same options with stride s in both directions. */
        public Options stride(int s) {
            return new Options(new int[] {s, s}, padding, dilation, bias, groups);
        }
        /** The same options with p zeros of padding on every side. */
        public Options padding(int p) {
            return new Options(stride, new int[] {p, p}, dilation, bias, groups);
        }
        /** The same options with dilation d in both directions. */
        public Options dilation(int d) {
            return new Options(stride, padding, new int[] {d, d}, bias, groups);
        }
        /** The same options with or without a bias. */
        public Options bias(boolean b) {
            return new Options(stride, padding, dilation, b, groups);
        }
        /** Channels split into {@code g} groups convolved separately (g = in = out channels: depthwise), as PyTorch's groups. */
        public Options groups(int g) {
            return new Options(stride, padding, dilation, bias, g);
        }
    }

    /** Input and output channels. */
    public final int inChannels, outChannels;
    /** Kernel height and width. */
    public final int[] kernel;
    /** Stride, padding, dilation, bias and groups. */
    public final Options options;

    /** A square-kernel convolution with stride 1, no padding and a bias. */
    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(
                inChannels,
                outChannels,
                new int[] {kernel, kernel},
                Options.defaults(),
                Generator.global(),
                DType.FLOAT32);
    }

    /** A square-kernel convolution with the given options. */
    public Conv2d(int inChannels, int outChannels, int kernel, Options options) {
        this(inChannels, outChannels, new int[] {kernel, kernel}, options, Generator.global(), DType.FLOAT32);
    }

    /** The full form: initial weights drawn from g (PyTorch's Kaiming-uniform scheme) in dtype. */
    public Conv2d(int inChannels, int outChannels, int[] kernel, Options options, Generator g, DType dtype) {
        if (inChannels <= 0 || outChannels <= 0)
            throw new IllegalArgumentException(
                    "Conv2d: channels must be positive, got " + inChannels + "->" + outChannels);
        if (options.groups() < 1 || inChannels % options.groups() != 0 || outChannels % options.groups() != 0)
            throw new IllegalArgumentException("Conv2d: in_channels " + inChannels + " and out_channels " + outChannels
                    + " must both be divisible by groups " + options.groups());
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel.clone();
        this.options = options;
        Tensor w =
                param("weight", Tensor.zeros(dtype, outChannels, inChannels / options.groups(), kernel[0], kernel[1]));
        Tensor b = options.bias() ? param("bias", Tensor.zeros(dtype, outChannels)) : null;
        Init.torchDefault(w, b, g);
    }

    private void checkInput(Tensor x) {
        expectInput(
                x,
                "[N, " + inChannels + ", H, W]",
                (x.rank() == 4 && x.size(1) == inChannels) || (x.rank() == 3 && x.size(0) == inChannels));
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        return F.conv2d(x, weight(), bias(), options.stride(), options.padding(), options.dilation(), options.groups());
    }

    /** [out, in / groups, KH, KW]. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** [out], or null without bias. */
    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public String describe() {
        return "Conv2d " + inChannels + "->" + outChannels + " " + kernel[0] + "x" + kernel[1];
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kernel[0] + ", " + kernel[1] + "), stride=("
                + options.stride()[0] + ", " + options.stride()[1]
                + "), padding=(" + options.padding()[0] + ", " + options.padding()[1] + ")"
                + (options.groups() == 1 ? "" : ", groups=" + options.groups())
                + (options.bias() ? "" : ", bias=False");
    }
}
