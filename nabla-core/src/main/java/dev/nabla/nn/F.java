package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Tracing;
import dev.nabla.ops.Activations;
import dev.nabla.ops.Convolution;
import dev.nabla.ops.Losses;
import dev.nabla.ops.Pooling;
import java.util.List;

/** The functional form of layers and losses, as {@code torch.nn.functional}. */
public final class F {
    private F() {}

    /** Shape: x [*, in], weight [out, in], bias [out] or null → [*, out]. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Tracing.composite("linear", new Tensor[] {x, weight, bias}, new Object[0], () -> {
            Tensor y = x.matmul(weight.t());
            return bias == null ? y : y.add(bias);
        });
    }

    /** 2-D convolution (cross-correlation, as PyTorch); see {@link Convolution#conv2d}. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        return Tracing.composite(
                "conv2d",
                new Tensor[] {x, weight, bias},
                convAttributes(stride, padding, dilation, 1),
                () -> Convolution.conv2d(x, weight, bias, stride, padding, dilation));
    }

    private static Object[] convAttributes(int[] stride, int[] padding, int[] dilation, int groups) {
        return new Object[] {"stride", stride, "padding", padding, "dilation", dilation, "groups", groups};
    }

    /**
     * Grouped convolution, as PyTorch's {@code groups}: the input channels and the filters are split into
     * {@code groups} equal parts, each part convolved with its own filters, the results concatenated along the
     * channels (groups = channels: depthwise). Shape: x [N, C, H, W], weight [O, C / groups, KH, KW] → [N, O, OH, OW].
     */
    public static Tensor conv2d(
            Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        if (groups == 1) return conv2d(x, weight, bias, stride, padding, dilation);
        return Tracing.composite(
                "conv2d",
                new Tensor[] {x, weight, bias},
                convAttributes(stride, padding, dilation, groups),
                () -> groupedConv2d(x, weight, bias, stride, padding, dilation, groups));
    }

    private static Tensor groupedConv2d(
            Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        boolean unbatched = x.rank() == 3;
        Tensor xb = unbatched ? x.unsqueeze(0) : x;
        if (groups < 1
                || xb.rank() != 4
                || weight.rank() != 4
                || xb.size(1) != weight.size(1) * groups
                || weight.size(0) % groups != 0)
            throw new IllegalArgumentException("conv2d: groups " + groups
                    + " need input [N, groups·Cg, H, W] and weight [groups·Og, Cg, KH, KW], got " + Shape.str(x.shape())
                    + " and " + Shape.str(weight.shape()));
        int cg = weight.size(1), og = weight.size(0) / groups;
        Tensor[] parts = new Tensor[groups];
        for (int g = 0; g < groups; g++)
            parts[g] = conv2d(
                    xb.narrow(1, g * cg, cg),
                    weight.narrow(0, g * og, og),
                    bias == null ? null : bias.narrow(0, g * og, og),
                    stride,
                    padding,
                    dilation);
        Tensor y = Tensor.cat(parts, 1);
        return unbatched ? y.squeeze(0) : y;
    }

    /** Max-pooling over k x k windows with stride k, no padding (PyTorch's {@code F.max_pool2d(x, k)}). Shape: [N, C, H, W] → [N, C, H/k, W/k]. */
    public static Tensor maxPool2d(Tensor x, int k) {
        return maxPool2d(x, new int[] {k, k}, new int[] {k, k}, new int[] {0, 0}, new int[] {1, 1});
    }

    /** Max pooling with the given window, stride, padding and dilation. */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return Tracing.composite(
                "max_pool2d",
                new Tensor[] {x},
                maxPoolAttributes(kernel, stride, padding, dilation, false),
                () -> Pooling.maxPool2d(x, kernel, stride, padding, dilation));
    }

    private static Object[] maxPoolAttributes(
            int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return new Object[] {
            "kernel", kernel, "stride", stride, "padding", padding, "dilation", dilation, "ceilMode", ceilMode
        };
    }

    private static Object[] avgPoolAttributes(
            int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        return new Object[] {
            "kernel",
            kernel,
            "stride",
            stride,
            "padding",
            padding,
            "ceilMode",
            ceilMode,
            "countIncludePad",
            countIncludePad
        };
    }

    /** Average pooling (zero padding counted in the divisor). */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return Tracing.composite(
                "avg_pool2d",
                new Tensor[] {x},
                avgPoolAttributes(kernel, stride, padding, false, true),
                () -> Pooling.avgPool2d(x, kernel, stride, padding));
    }

    /**
     * Average pooling with PyTorch's ceilMode (the output size rounded up, a last window may run past the input but
     * must start inside it or in the left padding) and countIncludePad (false: the divisor counts only the input
     * elements under the window). Written as a sum over windows divided by a count over the same windows.
     */
    public static Tensor avgPool2d(
            Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        if (!ceilMode && countIncludePad) return avgPool2d(x, kernel, stride, padding);
        return Tracing.composite(
                "avg_pool2d",
                new Tensor[] {x},
                avgPoolAttributes(kernel, stride, padding, ceilMode, countIncludePad),
                () -> avgPool2dExtended(x, kernel, stride, padding, ceilMode, countIncludePad));
    }

    private static Tensor avgPool2dExtended(
            Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        if (x.rank() == 3)
            return avgPool2d(x.unsqueeze(0), kernel, stride, padding, ceilMode, countIncludePad)
                    .squeeze(0);
        if (x.rank() != 4)
            throw new IllegalArgumentException(
                    "avgPool2d: expected 3-D or 4-D input [N, C, H, W], got shape " + Shape.str(x.shape()));
        int h = x.size(2), w = x.size(3);
        int oh = poolOutSize("avgPool2d", h, kernel[0], stride[0], padding[0], 1, ceilMode),
                ow = poolOutSize("avgPool2d", w, kernel[1], stride[1], padding[1], 1, ceilMode);
        int extH = Math.max(h + 2 * padding[0], (oh - 1) * stride[0] + kernel[0]),
                extW = Math.max(w + 2 * padding[1], (ow - 1) * stride[1] + kernel[1]);
        Tensor ext = padZeros(x, padding[0], extH - h - padding[0], padding[1], extW - w - padding[1]);
        double area = kernel[0] * kernel[1];
        int[] none = {0, 0};
        Tensor sums = Pooling.avgPool2d(ext, kernel, stride, none)
                .mul(area)
                .narrow(2, 0, oh)
                .narrow(3, 0, ow);
        // the divisor: input elements (and, with countIncludePad, the regular padding) under each window, never the
        // ceil overhang
        int inH = countIncludePad ? h + 2 * padding[0] : h, inW = countIncludePad ? w + 2 * padding[1] : w;
        int offH = countIncludePad ? 0 : padding[0], offW = countIncludePad ? 0 : padding[1];
        Tensor ones = Tensor.ones(x.dtype(), 1, 1, inH, inW);
        Tensor mask = padZeros(ones, offH, extH - inH - offH, offW, extW - inW - offW);
        Tensor counts = Pooling.avgPool2d(mask, kernel, stride, none)
                .mul(area)
                .narrow(2, 0, oh)
                .narrow(3, 0, ow);
        return sums.div(counts);
    }

    /** Max pooling with PyTorch's ceilMode: the input is extended at the bottom and right by −∞ for the last windows. */
    public static Tensor maxPool2d(
            Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        if (!ceilMode) return maxPool2d(x, kernel, stride, padding, dilation);
        return Tracing.composite(
                "max_pool2d",
                new Tensor[] {x},
                maxPoolAttributes(kernel, stride, padding, dilation, true),
                () -> maxPool2dCeil(x, kernel, stride, padding, dilation));
    }

    private static Tensor maxPool2dCeil(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (x.rank() == 3)
            return maxPool2d(x.unsqueeze(0), kernel, stride, padding, dilation, true)
                    .squeeze(0);
        if (x.rank() != 4)
            throw new IllegalArgumentException(
                    "maxPool2d: expected 3-D or 4-D input [N, C, H, W], got shape " + Shape.str(x.shape()));
        int h = x.size(2), w = x.size(3);
        int oh = poolOutSize("maxPool2d", h, kernel[0], stride[0], padding[0], dilation[0], true),
                ow = poolOutSize("maxPool2d", w, kernel[1], stride[1], padding[1], dilation[1], true);
        int extraH = Math.max(0, (oh - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1 - (h + 2 * padding[0]));
        int extraW = Math.max(0, (ow - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1 - (w + 2 * padding[1]));
        Tensor ext = x;
        if (extraH > 0)
            ext = Tensor.cat(
                    new Tensor[] {ext, Tensor.full(Double.NEGATIVE_INFINITY, x.dtype(), x.size(0), x.size(1), extraH, w)
                    },
                    2);
        if (extraW > 0)
            ext = Tensor.cat(
                    new Tensor[] {
                        ext, Tensor.full(Double.NEGATIVE_INFINITY, x.dtype(), x.size(0), x.size(1), h + extraH, extraW)
                    },
                    3);
        return maxPool2d(ext, kernel, stride, padding, dilation)
                .narrow(2, 0, oh)
                .narrow(3, 0, ow);
    }

    /** PyTorch's pooling output size: floor or ceil; in ceil mode the last window must start inside the input or the left padding. */
    static int poolOutSize(String op, int in, int k, int s, int p, int d, boolean ceil) {
        int span = in + 2 * p - d * (k - 1) - 1;
        int out = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        if (ceil && (long) (out - 1) * s >= in + p) out--;
        if (out <= 0)
            throw new IllegalArgumentException(op + ": Given input size " + in + ". Calculated output size: " + out
                    + ". Output size is too small");
        return out;
    }

    private static Tensor padZeros(Tensor x, int top, int bottom, int left, int right) {
        Tensor y = x;
        if (top > 0 || bottom > 0) {
            List<Tensor> parts = new java.util.ArrayList<>();
            if (top > 0) parts.add(Tensor.zeros(x.dtype(), y.size(0), y.size(1), top, y.size(3)));
            parts.add(y);
            if (bottom > 0) parts.add(Tensor.zeros(x.dtype(), y.size(0), y.size(1), bottom, y.size(3)));
            y = Tensor.cat(parts, 2);
        }
        if (left > 0 || right > 0) {
            List<Tensor> parts = new java.util.ArrayList<>();
            if (left > 0) parts.add(Tensor.zeros(x.dtype(), y.size(0), y.size(1), y.size(2), left));
            parts.add(y);
            if (right > 0) parts.add(Tensor.zeros(x.dtype(), y.size(0), y.size(1), y.size(2), right));
            y = Tensor.cat(parts, 3);
        }
        return y;
    }

    /**
     * Adaptive average pooling to [outH, outW], as PyTorch's: output cell (i, j) averages the input rows
     * ⌊i·H/outH⌋ to ⌈(i+1)·H/outH⌉ and the columns likewise (windows may overlap). Shape: [N, C, H, W] → [N, C, outH, outW].
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return Tracing.composite(
                "adaptive_avg_pool2d",
                new Tensor[] {x},
                new Object[] {"outH", outH, "outW", outW},
                () -> adaptiveAvgPool2dOf(x, outH, outW));
    }

    private static Tensor adaptiveAvgPool2dOf(Tensor x, int outH, int outW) {
        if (x.rank() == 3)
            return adaptiveAvgPool2dOf(x.unsqueeze(0), outH, outW).squeeze(0);
        if (x.rank() != 4 || outH < 1 || outW < 1)
            throw new IllegalArgumentException(
                    "adaptiveAvgPool2d: expected input [N, C, H, W] and a positive output size, got "
                            + Shape.str(x.shape()) + " -> " + outH + "x" + outW);
        int h = x.size(2), w = x.size(3);
        if (h % outH == 0 && w % outW == 0) // equal windows: one average pooling
        return avgPool2d(x, new int[] {h / outH, w / outW}, new int[] {h / outH, w / outW}, new int[] {0, 0});
        Tensor[] rows = new Tensor[outH];
        for (int i = 0; i < outH; i++) {
            int hs = Math.floorDiv(i * h, outH), he = -Math.floorDiv(-(i + 1) * h, outH);
            Tensor[] cells = new Tensor[outW];
            for (int j = 0; j < outW; j++) {
                int ws = Math.floorDiv(j * w, outW), we = -Math.floorDiv(-(j + 1) * w, outW);
                cells[j] = x.narrow(2, hs, he - hs).narrow(3, ws, we - ws).mean(new int[] {2, 3}, false);
            }
            rows[i] = Tensor.stack(cells, 2);
        }
        return Tensor.stack(rows, 2);
    }

    /** max(x, 0). */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }
    /** 1 / (1 + exp(-x)). */
    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }
    /** tanh(x). */
    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }
    /** GELU with the exact normal CDF. */
    public static Tensor gelu(Tensor x) {
        return x.gelu();
    }
    /** exp(x) / Σ exp(x) along dim. */
    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }
    /** log(softmax(x)) along dim. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p); identity unless training. */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator g) {
        if (p < 0 || p > 1)
            throw new IllegalArgumentException("dropout: probability has to be between 0 and 1, but got " + p);
        return Tracing.composite(
                "dropout",
                new Tensor[] {x},
                new Object[] {"p", p, "training", training},
                () -> dropoutOf(x, p, training, g));
    }

    private static Tensor dropoutOf(Tensor x, double p, boolean training, Generator g) {
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        return x.mul(dropoutMask(x.shape(), p, g, x.dtype()));
    }

    /** Inverted dropout's mask: 1/(1 − p) with probability 1 − p, else 0 (all zeros for p = 1). */
    static Tensor dropoutMask(int[] shape, double p, Generator g, DType dtype) {
        if (p >= 1) return Tensor.zeros(dtype, shape);
        return Tensor.bernoulli(g, 1 - p, shape).to(dtype).div(1 - p);
    }

    /**
     * Batch normalisation over dim 1 of [N, C] or [N, C, H, W]. In training, normalises with the batch statistics
     * (biased variance) and updates the running ones with the unbiased variance: r = (1−momentum)·r + momentum·s.
     */
    public static Tensor batchNorm(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor weight,
            Tensor bias,
            boolean training,
            double momentum,
            double eps) {
        return Tracing.composite(
                "batch_norm",
                new Tensor[] {x, runningMean, runningVar, weight, bias},
                new Object[] {"training", training, "eps", eps},
                () -> batchNormOf(x, runningMean, runningVar, weight, bias, training, momentum, eps));
    }

    private static Tensor batchNormOf(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor weight,
            Tensor bias,
            boolean training,
            double momentum,
            double eps) {
        int[] dims = x.rank() == 2 ? new int[] {0} : x.rank() == 3 ? new int[] {0, 2} : new int[] {0, 2, 3};
        int[] bshape = new int[x.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = x.size(1);
        Tensor mean, var;
        if (training) {
            int n = x.numel() / x.size(1);
            if (n <= 1)
                throw new IllegalArgumentException(
                        "batchNorm: expected more than 1 value per channel when training, got input of shape "
                                + Shape.str(x.shape()));
            mean = x.mean(dims, true);
            var = x.var(dims, 0, true);
            if (runningMean != null) {
                try (var g = dev.nabla.autograd.GradMode.noGrad()) {
                    runningMean
                            .mul_(1 - momentum)
                            .add_(mean.detach().reshape(-1).mul(momentum));
                    runningVar.mul_(1 - momentum).add_(var.detach().reshape(-1).mul(momentum * n / (n - 1.0)));
                }
            }
        } else {
            mean = runningMean.reshape(bshape);
            var = runningVar.reshape(bshape);
        }
        Tensor y = x.sub(mean).div(var.add(eps).sqrt());
        if (weight != null) y = y.mul(weight.reshape(bshape));
        if (bias != null) y = y.add(bias.reshape(bshape));
        return y;
    }

    // ------------------------------------------------------------------ sequence layers: embeddings, norms, attention

    /**
     * The rows of weight at the indices (PyTorch's {@code F.embedding}). Shape: indices [*] (int64), weight [V, D] →
     * [*, D]. The row at paddingIdx (null for none) gets no gradient, as in PyTorch.
     */
    public static Tensor embedding(Tensor indices, Tensor weight, Integer paddingIdx) {
        if (indices.dtype() != DType.INT64)
            throw new IllegalArgumentException("embedding: indices must be int64, got " + indices.dtype() + " of shape "
                    + Shape.str(indices.shape()));
        if (weight.rank() != 2)
            throw new IllegalArgumentException(
                    "embedding: weight must be [num_embeddings, dim], got " + Shape.str(weight.shape()));
        int v = weight.size(0);
        long[] idx = indices.toLongArray();
        for (int i = 0; i < idx.length; i++)
            if (idx[i] < 0 || idx[i] >= v)
                throw new IndexOutOfBoundsException("embedding: index " + idx[i] + " (at flat position " + i
                        + " of indices " + Shape.str(indices.shape()) + ") is out of range for " + v + " embeddings");
        int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.rank() + 1);
        shape[indices.rank()] = weight.size(1);
        return Tracing.composite(
                "embedding", new Tensor[] {indices, weight}, new Object[] {"paddingIdx", paddingIdx}, () -> {
                    Tensor rows = weight.indexSelect(0, indices.reshape(-1)).reshape(shape);
                    if (paddingIdx == null) return rows;
                    Tensor keep =
                            indices.ne(Tensor.scalar(paddingIdx, DType.INT64)).unsqueeze(-1);
                    return Tensor.where(keep, rows, rows.detach()); // same values, no gradient to the padding row
                });
    }

    /** The dims of x that normalizedShape names (its last ones), checked. */
    private static int[] trailingDims(String op, Tensor x, int[] normalizedShape) {
        int k = normalizedShape.length, r = x.rank();
        boolean ok = k >= 1 && k <= r;
        for (int i = 0; ok && i < k; i++) ok = x.size(r - k + i) == normalizedShape[i];
        if (!ok)
            throw new IllegalArgumentException(op + ": normalized_shape " + Shape.str(normalizedShape)
                    + " does not match the last dims of the input " + Shape.str(x.shape()));
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = r - k + i;
        return dims;
    }

    /**
     * Layer normalisation over the last dims (normalizedShape): (x − mean) / √(var + eps) · weight + bias, with the
     * biased variance, as PyTorch's {@code F.layer_norm}. weight and bias (of normalizedShape) may be null.
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int[] dims = trailingDims("layerNorm", x, normalizedShape);
        return Tracing.composite(
                "layer_norm", new Tensor[] {x, weight, bias}, new Object[] {"axis", dims[0], "eps", eps}, () -> {
                    Tensor xc = x.sub(x.mean(dims, true));
                    Tensor y = xc.div(xc.mul(xc).mean(dims, true).add(eps).sqrt());
                    if (weight != null) y = y.mul(weight);
                    return bias == null ? y : y.add(bias);
                });
    }

    /**
     * RMS normalisation over the last dims: x / √(mean(x²) + eps) · weight (PyTorch 2.4's {@code F.rms_norm}); eps
     * null means the dtype's machine epsilon, as PyTorch's default.
     */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, Double eps) {
        int[] dims = trailingDims("rmsNorm", x, normalizedShape);
        double e = eps != null ? eps : x.dtype() == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        Tensor y = x.div(x.mul(x).mean(dims, true).add(e).sqrt());
        return weight == null ? y : y.mul(weight);
    }

    /**
     * Group normalisation (PyTorch's {@code F.group_norm}): the channels of x [N, C, *] split into numGroups groups,
     * each normalised over its channels and positions with the biased variance; then · weight[C] + bias[C].
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        if (x.rank() < 2 || numGroups < 1 || x.size(1) % numGroups != 0)
            throw new IllegalArgumentException("groupNorm: expected input [N, C, *] with C divisible by num_groups "
                    + numGroups + ", got " + Shape.str(x.shape()));
        int n = x.size(0), c = x.size(1);
        Tensor g = x.reshape(n, numGroups, -1);
        int[] last = {2};
        Tensor gc = g.sub(g.mean(last, true));
        Tensor y = gc.div(gc.mul(gc).mean(last, true).add(eps).sqrt()).reshape(x.shape());
        int[] bshape = broadcastShape(x.rank(), c);
        if (weight != null) y = y.mul(weight.reshape(bshape));
        return bias == null ? y : y.add(bias.reshape(bshape));
    }

    /**
     * 1-D convolution (PyTorch's {@code F.conv1d}), run as a 2-D one of height 1. Shape: x [N, C, L], weight
     * [O, C / groups, K], bias [O] or null → [N, O, (L + 2·padding − dilation·(K−1) − 1) / stride + 1].
     */
    public static Tensor conv1d(
            Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        if (x.rank() != 3 || weight.rank() != 3)
            throw new IllegalArgumentException("conv1d: expected input [N, C, L] and weight [O, C/groups, K], got "
                    + Shape.str(x.shape()) + " and " + Shape.str(weight.shape()));
        return conv2d(
                        x.unsqueeze(2),
                        weight.unsqueeze(2),
                        bias,
                        new int[] {1, stride},
                        new int[] {0, padding},
                        new int[] {1, dilation},
                        groups)
                .squeeze(2);
    }

    /**
     * Transposed 2-D convolution (PyTorch's {@code F.conv_transpose2d}, the adjoint of conv2d): weight [C, O / groups,
     * KH, KW], bias [O] or null; output size (H − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1. Run
     * as a convolution of the input spread by the stride and padded, with the flipped, transposed filters.
     */
    public static Tensor convTranspose2d(
            Tensor x,
            Tensor weight,
            Tensor bias,
            int[] stride,
            int[] padding,
            int[] outputPadding,
            int groups,
            int[] dilation) {
        if (x.rank() != 4
                || weight.rank() != 4
                || x.size(1) != weight.size(0)
                || groups < 1
                || weight.size(0) % groups != 0)
            throw new IllegalArgumentException("convTranspose2d: expected input [N, C, H, W] and weight [C, O/groups,"
                    + " KH, KW] with C divisible by groups " + groups + ", got " + Shape.str(x.shape()) + " and "
                    + Shape.str(weight.shape()));
        for (int i = 0; i < 2; i++)
            if (outputPadding[i] >= Math.max(stride[i], dilation[i]) || outputPadding[i] < 0)
                throw new IllegalArgumentException("convTranspose2d: output padding " + Shape.str(outputPadding)
                        + " must be smaller than either stride " + Shape.str(stride) + " or dilation "
                        + Shape.str(dilation));
        int c = weight.size(0), og = weight.size(1), kh = weight.size(2), kw = weight.size(3);
        Tensor spread = spread(spread(x, 2, stride[0]), 3, stride[1]);
        int ph = dilation[0] * (kh - 1) - padding[0], pw = dilation[1] * (kw - 1) - padding[1];
        Tensor padded = padOrCrop(spread, ph, ph + outputPadding[0], pw, pw + outputPadding[1]);
        // [C, O/g, KH, KW] → [g, C/g, O/g, KH, KW] → [O, C/g, KH, KW], flipped in space
        Tensor w =
                weight.reshape(groups, c / groups, og, kh, kw).transpose(1, 2).reshape(groups * og, c / groups, kh, kw);
        w = w.indexSelect(2, reversed(kh)).indexSelect(3, reversed(kw));
        return conv2d(padded, w, bias, new int[] {1, 1}, new int[] {0, 0}, dilation, groups);
    }

    private static Tensor reversed(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = n - 1 - i;
        return Tensor.of(r, n);
    }

    /** stride − 1 zeros between neighbours along dim (differentiable). */
    private static Tensor spread(Tensor x, int dim, int stride) {
        if (stride == 1) return x;
        int n = x.size(dim);
        Tensor[] parts = new Tensor[stride];
        parts[0] = x.unsqueeze(dim + 1);
        int[] zshape = parts[0].shape();
        for (int i = 1; i < stride; i++) parts[i] = Tensor.zeros(x.dtype(), zshape);
        int[] flat = x.shape();
        flat[dim] = n * stride;
        return Tensor.cat(parts, dim + 1).reshape(flat).narrow(dim, 0, (n - 1) * stride + 1);
    }

    /** Zeros added at the borders of the last two dims, or rows and columns taken away where a count is negative. */
    private static Tensor padOrCrop(Tensor x, int top, int bottom, int left, int right) {
        Tensor y = x;
        if (top < 0) y = y.narrow(2, -top, y.size(2) + top);
        if (bottom < 0) y = y.narrow(2, 0, y.size(2) + bottom);
        if (left < 0) y = y.narrow(3, -left, y.size(3) + left);
        if (right < 0) y = y.narrow(3, 0, y.size(3) + right);
        return padZeros(y, Math.max(top, 0), Math.max(bottom, 0), Math.max(left, 0), Math.max(right, 0));
    }

    /** x · sigmoid(x) (SiLU, also called swish). */
    public static Tensor silu(Tensor x) {
        return Tracing.composite("silu", new Tensor[] {x}, new Object[0], () -> x.mul(x.sigmoid()));
    }

    /** x where x > 0, else negativeSlope · x (the gradient at 0 is negativeSlope, as PyTorch's). */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return Tracing.composite(
                "leaky_relu",
                new Tensor[] {x},
                new Object[] {"alpha", negativeSlope},
                () -> Tensor.where(x.gt(0.0), x, x.mul(negativeSlope)));
    }

    /** x where x > 0, else alpha · (eᕽ − 1) (ELU; the gradient at 0 is alpha, as PyTorch's). */
    public static Tensor elu(Tensor x, double alpha) {
        return Tracing.composite(
                "elu",
                new Tensor[] {x},
                new Object[] {"alpha", alpha},
                () -> Tensor.where(x.gt(0.0), x, x.exp().sub(1.0).mul(alpha)));
    }

    /**
     * softplus with PyTorch's beta and threshold: log(1 + e^(beta·x)) / beta, and x itself where beta·x > threshold.
     */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        Tensor bx = x.mul(beta);
        return Tensor.where(bx.gt(threshold), x, Activations.softplus(bx).div(beta));
    }

    /**
     * Attention as PyTorch 2's {@code F.scaled_dot_product_attention}: softmax(q·kᵀ · scale + mask) · v, scale
     * 1/√E by default (null). q [*, L, E], k [*, S, E], v [*, S, Ev] → [*, L, Ev]. attnMask: bool (true: may attend)
     * or float (added to the scores), broadcast to [*, L, S], or null; isCausal: query i attends to keys 0..i only.
     * Dropout with probability dropoutP is applied to the attention weights (pass 0 in evaluation). A query that may
     * attend to nothing gets NaN, as in PyTorch.
     */
    public static Tensor scaledDotProductAttention(
            Tensor q,
            Tensor k,
            Tensor v,
            Tensor attnMask,
            double dropoutP,
            boolean isCausal,
            Double scale,
            Generator g) {
        if (q.rank() < 2 || k.rank() < 2 || v.rank() < 2 || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2))
            throw new IllegalArgumentException("scaledDotProductAttention: expected q [*, L, E], k [*, S, E], v [*, S,"
                    + " Ev], got " + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
        double s = scale != null ? scale : 1.0 / Math.sqrt(q.size(-1));
        if (FUSED_ATTENTION
                && attnMask == null
                && !Tracing.active()
                && dev.nabla.ops.Attention.fusable(q, k, v)
                && q.size(-2) > 0
                && k.size(-2) > 0) {
            int[] scoreShape = q.shape();
            scoreShape[scoreShape.length - 1] = k.size(-2);
            Tensor mask = dropoutP > 0 ? dropoutMask(scoreShape, dropoutP, g, q.dtype()) : null;
            return dev.nabla.ops.Attention.fused(q, k, v, mask, isCausal, s);
        }
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(s);
        if (isCausal) scores = scores.add(causalMask(q.size(-2), k.size(-2), scores.dtype()));
        if (attnMask != null)
            scores = attnMask.dtype() == DType.BOOL
                    ? scores.add(Tensor.where(
                            attnMask,
                            Tensor.zeros(scores.dtype()),
                            Tensor.scalar(Double.NEGATIVE_INFINITY, scores.dtype())))
                    : scores.add(attnMask);
        Tensor w = scores.softmax(-1);
        if (dropoutP > 0) w = dropout(w, dropoutP, true, g);
        return w.matmul(v);
    }

    /**
     * Whether attention without an explicit mask runs the fused float32 kernel ({@code dev.nabla.ops.Attention}); the
     * system property {@code nabla.fusedAttention=false} runs the composition of ops instead (read once).
     */
    static final boolean FUSED_ATTENTION = !"false".equals(System.getProperty("nabla.fusedAttention"));

    /** [L, S]: 0 where key j ≤ query i, −∞ above the diagonal (the additive causal mask). */
    static Tensor causalMask(int l, int s, DType dtype) {
        double[] m = new double[l * s];
        for (int i = 0; i < l; i++) for (int j = i + 1; j < s; j++) m[i * s + j] = Double.NEGATIVE_INFINITY;
        return Tensor.of(m, l, s).to(dtype);
    }

    // ------------------------------------------------------------------ losses

    /** How a loss reduces its elements; BATCHMEAN (the sum divided by the batch size) is KLDivLoss's recommended form. */
    public enum Reduction {
        /** The mean over the elements (weighted losses: divided by the summed weights). */
        MEAN,
        /** The sum over the elements. */
        SUM,
        /** One value per element (or per sample). */
        NONE,
        /** The sum divided by the batch size (KL divergence's mathematically correct mean). */
        BATCHMEAN
    }

    static Tensor reduce(Tensor loss, Reduction r) {
        return switch (r) {
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
            case NONE -> loss;
            case BATCHMEAN -> loss.rank() == 0 ? loss.sum() : loss.sum().div(loss.size(0));
        };
    }

    /** Mean absolute error |x − y|, as torch.nn.L1Loss. Shape: input and target alike. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction r) {
        sameShape("l1Loss", input, target);
        return reduce(input.sub(target).abs(), r);
    }

    /** 0.5·d²/β where |d| &lt; β, else |d| − 0.5·β (d = x − y), as torch.nn.SmoothL1Loss; β = 0 is the L1 loss. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, double beta, Reduction r) {
        sameShape("smoothL1Loss", input, target);
        if (!(beta >= 0)) throw new IllegalArgumentException("smoothL1Loss: beta must be >= 0, got " + beta);
        Tensor d = input.sub(target), a = d.abs();
        if (beta == 0)
            return reduce(
                    Tensor.where(d.le(0.0), d.neg(), d),
                    r); // |d|, with PyTorch's gradient −1 at d = 0 (L1Loss has 0 there)
        return reduce(Tensor.where(a.lt(beta), d.square().mul(0.5 / beta), a.sub(0.5 * beta)), r);
    }

    /** 0.5·d² where |d| &lt; δ, else δ·(|d| − 0.5·δ), as torch.nn.HuberLoss (δ > 0). */
    public static Tensor huberLoss(Tensor input, Tensor target, double delta, Reduction r) {
        sameShape("huberLoss", input, target);
        if (!(delta > 0)) throw new IllegalArgumentException("huberLoss: delta must be > 0, got " + delta);
        Tensor d = input.sub(target), a = d.abs();
        return reduce(
                Tensor.where(
                        a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta)),
                r);
    }

    /** x where y = 1, max(0, margin − x) where y = −1 (PyTorch's form: both terms for other target values), as torch.nn.HingeEmbeddingLoss. */
    public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target, double margin, Reduction r) {
        sameShape("hingeEmbeddingLoss", input, target);
        Tensor zero = Tensor.zeros(input.dtype());
        Tensor marginPart = Tensor.where(target.ne(1.0), input.rsub(margin).clampMin(0), zero);
        Tensor selfPart = Tensor.where(target.ne(-1.0), input, zero);
        return reduce(marginPart.add(selfPart), r);
    }

    /**
     * Multi-class hinge loss, as torch.nn.MultiMarginLoss: per sample, Σ_{i≠y} max(0, margin − x[y] + x[i])^p / C,
     * times weight[y] when a class weight is given. Shape: input [N, C] (or [C]), target [N] (or 0-d) int64.
     */
    public static Tensor multiMarginLoss(
            Tensor input, Tensor target, int p, double margin, Tensor weight, Reduction r) {
        if (p != 1 && p != 2)
            throw new IllegalArgumentException("multiMarginLoss: only p == 1 and p == 2 supported, got " + p);
        if (target.dtype() != DType.INT64)
            throw new IllegalArgumentException(
                    "multiMarginLoss: expected int64 class indices as target, got " + target.dtype());
        boolean single = input.rank() == 1;
        Tensor x = single ? input.unsqueeze(0) : input, y = single ? target.reshape(1) : target;
        if (x.rank() != 2 || y.rank() != 1 || y.size(0) != x.size(0))
            throw new IllegalArgumentException("multiMarginLoss: expected input [N, C] and target [N], got "
                    + Shape.str(input.shape()) + " and " + Shape.str(target.shape()));
        int c = x.size(1);
        for (long v : y.toLongArray())
            if (v < 0 || v >= c)
                throw new IllegalArgumentException(
                        "multiMarginLoss: target " + v + " is out of bounds for " + c + " classes");
        Tensor idx = y.unsqueeze(1);
        Tensor xy = x.gather(1, idx);
        Tensor m = xy.rsub(margin).add(x).clampMin(0);
        if (p == 2) m = m.square();
        if (weight != null) m = m.mul(weight.indexSelect(0, y).unsqueeze(1));
        Tensor notTarget = Tensor.arange(c).unsqueeze(0).ne(idx).to(x.dtype());
        Tensor perSample = m.mul(notTarget).sum(new int[] {1}, false).div(c);
        return reduce(single ? perSample.reshape() : perSample, r);
    }

    /**
     * Kullback-Leibler divergence with input as log-probabilities, as torch.nn.KLDivLoss: target·(log target − input),
     * 0 where target = 0; with {@code logTarget}, e^target·(target − input). Prefer BATCHMEAN (MEAN averages over all
     * elements, as PyTorch does, which is not the divergence).
     */
    public static Tensor klDivLoss(Tensor input, Tensor target, boolean logTarget, Reduction r) {
        sameShape("klDivLoss", input, target);
        Tensor pointwise;
        if (logTarget) pointwise = target.exp().mul(target.sub(input));
        else {
            Tensor xlogx = Tensor.where(target.eq(0.0), Tensor.zeros(target.dtype()), target.mul(target.log()));
            pointwise = xlogx.sub(target.mul(input));
        }
        return reduce(pointwise, r);
    }

    private static void sameShape(String op, Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(input.shape(), target.shape()))
            throw new IllegalArgumentException(op + ": target shape " + Shape.str(target.shape())
                    + " must equal input shape " + Shape.str(input.shape()));
    }

    /** Mean (or summed, or per element) squared error. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction r) {
        sameShape("mseLoss", input, target);
        Tensor d = input.sub(target);
        return reduce(d.mul(d), r);
    }

    /**
     * Negative log likelihood: input [N, C] (or [N, C, d...]) log-probabilities, target int64 [N] (or [N, d...])
     * class indices; optional per-class weight [C]; mean divides by the summed weights of the targets.
     */
    /** PyTorch's default ignore_index: a target equal to it contributes nothing (and is not counted by the mean). */
    public static final long IGNORE_INDEX = -100;

    /** Negative log-likelihood of log-probabilities [N, C] at target classes [N], with optional class weights. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, Reduction r) {
        return nllLoss(logProbs, target, weight, IGNORE_INDEX, r);
    }

    /**
     * Negative log-likelihood of class indices, as torch.nn.NLLLoss: −w[t]·logProbs[t] per element; targets equal to
     * {@code ignoreIndex} contribute 0; MEAN divides by the sum of the weights of the non-ignored targets (their
     * count without class weights). Shape: logProbs [N, C] or [N, C, d...] or [C]; target [N] or [N, d...] or 0-d.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, long ignoreIndex, Reduction r) {
        if (target.dtype() != DType.INT64)
            throw new IllegalArgumentException("nllLoss: expected int64 class indices as target, got " + target.dtype()
                    + " (use probabilities with crossEntropy)");
        if (logProbs.rank() < 1
                || logProbs.rank() > 1 && (target.rank() != logProbs.rank() - 1 || target.size(0) != logProbs.size(0)))
            throw new IllegalArgumentException("nllLoss: input " + Shape.str(logProbs.shape()) + " and target "
                    + Shape.str(target.shape()) + " do not match (expected input [N, C, ...] and target [N, ...])");
        Tensor lp = logProbs.rank() == 1 ? logProbs.unsqueeze(0) : logProbs;
        Tensor t = logProbs.rank() == 1 ? target.reshape(1) : target;
        int c = lp.size(1);
        if (lp.rank() > 2) { // [N, C, d...] -> [N·d..., C]
            int[] perm = new int[lp.rank()];
            perm[lp.rank() - 1] = 1;
            for (int i = 0, j = 0; i < lp.rank(); i++) if (i != 1) perm[j++] = i;
            lp = lp.permute(perm).reshape(-1, c);
        }
        t = t.reshape(-1);
        long[] ts = t.toLongArray();
        for (int i = 0; i < ts.length; i++)
            if (ts[i] != ignoreIndex && (ts[i] < 0 || ts[i] >= c))
                throw new IndexOutOfBoundsException("nllLoss: target " + ts[i] + " is out of bounds for " + c
                        + " classes (at flat index " + i + ")");
        Tensor valid = t.ne((double) ignoreIndex);
        Tensor safe = Tensor.where(
                valid, t, Tensor.zeros(DType.INT64)); // ignored targets read class 0, then count for nothing
        Tensor w = weight != null
                ? weight.index(safe).to(lp.dtype())
                : Tensor.onesLike(safe).to(lp.dtype());
        w = Tensor.where(valid, w, Tensor.zeros(lp.dtype()));
        Tensor picked = Tensor.where(
                valid, lp.gather(1, safe.reshape(-1, 1)).reshape(-1).neg().mul(w), Tensor.zeros(lp.dtype()));
        return switch (r) {
            case NONE -> picked.reshape(target.shape());
            case SUM -> picked.sum();
            case MEAN -> picked.sum().div(w.sum());
            case BATCHMEAN ->
                throw new IllegalArgumentException(
                        "nllLoss: reduction BATCHMEAN is for klDivLoss; use MEAN, SUM or NONE");
        };
    }

    /**
     * Cross-entropy from logits [N, C] (or [N, C, d...]): with int64 class targets, or with float class
     * probabilities of the input's shape; label smoothing mixes the target with the uniform distribution.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, double labelSmoothing, Reduction r) {
        return crossEntropy(logits, target, weight, labelSmoothing, IGNORE_INDEX, r);
    }

    /**
     * Cross-entropy from logits, as torch.nn.CrossEntropyLoss: class-index targets (int64, with class weights,
     * ignoreIndex and label smoothing, alone or together, normalised as PyTorch does) or class probabilities
     * (float, same shape as the logits). Shape: logits [N, C] or [N, C, d...] or [C].
     */
    public static Tensor crossEntropy(
            Tensor logits, Tensor target, Tensor weight, double labelSmoothing, long ignoreIndex, Reduction r) {
        if (labelSmoothing < 0 || labelSmoothing > 1)
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        if (logits.rank() < 1)
            throw new IllegalArgumentException("crossEntropy: expected logits [N, C], got a 0-d tensor");
        int classDim = logits.rank() == 1 ? 0 : 1;
        int c = logits.size(classDim);
        Tensor logp = logits.logSoftmax(classDim);
        Tensor wView = weight == null
                ? null
                : weight.to(logp.dtype()).reshape(classDim == 1 ? broadcastShape(logits.rank(), c) : new int[] {c});
        if (target.dtype().isFloatingPoint()) {
            sameShape("crossEntropy (probability targets)", logits, target);
            Tensor p = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / c) : target;
            Tensor terms = logp.mul(p);
            if (wView != null) terms = terms.mul(wView);
            Tensor loss = terms.sum(classDim, false).neg();
            return reduce(loss, r == Reduction.MEAN ? Reduction.MEAN : r);
        }
        Tensor nll = nllLoss(logp, target, weight, ignoreIndex, r);
        if (labelSmoothing == 0) return nll;
        Tensor valid = target.ne((double) ignoreIndex);
        Tensor smooth =
                (wView == null ? logp : logp.mul(wView)).sum(classDim, false).neg();
        smooth = Tensor.where(valid, smooth, Tensor.zeros(smooth.dtype()));
        Tensor smoothRed = switch (r) {
            case NONE -> smooth;
            case SUM -> smooth.sum();
            case MEAN -> { // normalised like the nll term: by the weights of the non-ignored targets, or their count
                if (weight == null)
                    yield smooth.sum().div(valid.to(smooth.dtype()).sum());
                Tensor safe = Tensor.where(valid, target, Tensor.zeros(DType.INT64));
                yield smooth.sum()
                        .div(Tensor.where(valid, weight.to(smooth.dtype()).index(safe), Tensor.zeros(smooth.dtype()))
                                .sum());
            }
            case BATCHMEAN ->
                throw new IllegalArgumentException(
                        "crossEntropy: reduction BATCHMEAN is for klDivLoss; use MEAN, SUM or NONE");
        };
        return nll.mul(1 - labelSmoothing).add(smoothRed.mul(labelSmoothing / c));
    }

    private static int[] broadcastShape(int rank, int c) {
        int[] s = new int[rank];
        java.util.Arrays.fill(s, 1);
        s[1] = c;
        return s;
    }

    /** Binary cross-entropy on probabilities; the logs are clamped at −100 as PyTorch does. */
    public static Tensor binaryCrossEntropy(Tensor p, Tensor target, Reduction r) {
        return binaryCrossEntropy(p, target, null, r);
    }

    /** As torch.nn.BCELoss, with an optional weight broadcast over the elements (a manual rescaling of each element's loss). */
    public static Tensor binaryCrossEntropy(Tensor p, Tensor target, Tensor weight, Reduction r) {
        sameShape("binaryCrossEntropy", p, target);
        Tensor loss = Losses.binaryCrossEntropy(p, target);
        return reduce(weight == null ? loss : loss.mul(weight), r);
    }

    /**
     * Binary cross-entropy on logits, stable for large |x|: (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x), with
     * softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0). Its gradient is PyTorch's everywhere, σ(x) − t without pos_weight
     * (−0.5 at x = 0, t = 1, where abs and clamp gave −1 or 0).
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor x, Tensor target, Tensor posWeight, Reduction r) {
        return binaryCrossEntropyWithLogits(x, target, posWeight, null, r);
    }

    /** As torch.nn.BCEWithLogitsLoss: pos_weight per class (last dimension) and an optional weight per element. */
    public static Tensor binaryCrossEntropyWithLogits(
            Tensor x, Tensor target, Tensor posWeight, Tensor weight, Reduction r) {
        sameShape("binaryCrossEntropyWithLogits", x, target);
        Tensor softplusNeg = Activations.softplus(x.neg());
        Tensor logWeight =
                posWeight == null ? null : posWeight.sub(1.0).mul(target).add(1.0);
        Tensor loss = target.rsub(1.0).mul(x).add(logWeight == null ? softplusNeg : logWeight.mul(softplusNeg));
        return reduce(weight == null ? loss : loss.mul(weight), r);
    }

    /** Hinge loss max(0, 1 − y·f) for targets ±1. */
    public static Tensor hingeLoss(Tensor scores, Tensor target, Reduction r) {
        sameShape("hingeLoss", scores, target);
        return reduce(target.mul(scores).rsub(1.0).clampMin(0), r);
    }

    /** The perceptron criterion max(0, −y·f) for targets ±1. */
    public static Tensor perceptronLoss(Tensor scores, Tensor target, Reduction r) {
        sameShape("perceptronLoss", scores, target);
        return reduce(target.mul(scores).neg().clampMin(0), r);
    }
}
