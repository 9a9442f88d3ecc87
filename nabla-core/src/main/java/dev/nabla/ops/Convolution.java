package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradMode;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backend.ConvGeometry;
import dev.nabla.backend.Storage;

/** 2-D convolution (cross-correlation, as PyTorch) over NCHW with stride, padding and dilation, and its backward. */
public final class Convolution {
    private Convolution() {}

    /**
     * Shape: x [N, C, H, W] (or [C, H, W]), weight [O, C, KH, KW], bias [O] or null; result [N, O, OH, OW] with
     * OH = (H + 2·padH − dilH·(KH−1) − 1) / strideH + 1.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        return conv2d(x, weight, bias, stride, padding, dilation, false);
    }

    /**
     * relu(conv2d(...)) in one kernel pass: the ReLU is applied while the output is written, and its mask while the
     * gradient is read back, so the activation is not traversed twice. Same values and gradients as the two ops.
     */
    public static Tensor conv2dRelu(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        return conv2d(x, weight, bias, stride, padding, dilation, true);
    }

    /**
     * maxPool2d(relu(conv2d(...)), 2) in one kernel pass: the full-resolution activation is never stored. Same
     * values and gradients as the three ops; needs an even conv output size (else it runs them one by one).
     * Shape: [N, C, H, W] → [N, O, OH/2, OW/2].
     */
    public static Tensor conv2dReluMaxPool(
            Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation) {
        int[] two = {2, 2}, zero = {0, 0}, one = {1, 1};
        if (x.rank() != 4 || weight.rank() != 4 || !x.dtype().isFloatingPoint())
            return Pooling.maxPool2d(conv2dRelu(x, weight, bias, stride, padding, dilation), two, two, zero, one);
        int[] xs = x.shape(), ws = weight.shape();
        ConvGeometry g = geometry("conv2d", stride, padding, dilation);
        int oh = g.outH(xs[2], ws[2]), ow = g.outW(xs[3], ws[3]);
        if (oh % 2 != 0
                || ow % 2 != 0
                || oh < 2
                || ow < 2
                || xs[1] != ws[1]
                || x.dtype() != weight.dtype()
                || (bias != null && (bias.dtype() != x.dtype() || bias.rank() != 1 || bias.size(0) != ws[0])))
            return Pooling.maxPool2d(conv2dRelu(x, weight, bias, stride, padding, dilation), two, two, zero, one);
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        boolean backward = GradMode.isEnabled()
                && (x.requiresGrad() || weight.requiresGrad() || (bias != null && bias.requiresGrad()));
        Backend.Pooled r =
                x.backend().conv2dReluMaxPool(data(xc), xs, data(wc), ws, bc == null ? null : data(bc), g, backward);
        int[] ys = {xs[0], ws[0], oh, ow}, ps = {xs[0], ws[0], oh / 2, ow / 2};
        Tensor out = Tensor.wrap(r.values(), ps);
        Storage argmax = r.argmax();
        return Autograd.record(
                "convolution_relu_max_pool2d",
                out,
                Autograd.saved(x, weight),
                gp -> {
                    // route the pooled gradient to the argmax, where the ReLU was active (pooled output > 0), then
                    // convolve back
                    Tensor gm = Tensor.wrap(
                            gp.backend()
                                    .reluBackward(
                                            gp.contiguous().storage(),
                                            gp.contiguous().layout(),
                                            r.values(),
                                            out.layout()),
                            ps);
                    Backend.ConvGrads gxw = gm.backend()
                            .conv2dMaxPoolBackward(
                                    gm.storage(),
                                    ps,
                                    argmax,
                                    ys,
                                    data(xc),
                                    xs,
                                    data(wc),
                                    ws,
                                    g,
                                    x.requiresGrad(),
                                    weight.requiresGrad());
                    Tensor gx = gxw.input() == null ? null : Tensor.wrap(gxw.input(), xs);
                    Tensor gw = gxw.weight() == null ? null : Tensor.wrap(gxw.weight(), ws);
                    Tensor gb = bias != null && bias.requiresGrad()
                            ? Tensor.wrap(gm.backend().conv2dBackwardBias(gm.storage(), ps, null), ws[0])
                            : null;
                    return twice("conv2d_relu_max_pool2d", new Tensor[] {gx, gw, gb}, gp, x, weight, bias);
                },
                x,
                weight,
                bias);
    }

    private static Tensor conv2d(
            Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, boolean relu) {
        if (x.rank() == 3)
            return conv2d(x.unsqueeze(0), weight, bias, stride, padding, dilation, relu)
                    .squeeze(0);
        if (x.rank() != 4)
            throw new IllegalArgumentException(
                    "conv2d: expected 3-D or 4-D input [N, C, H, W], got shape " + Shape.str(x.shape()));
        if (weight.rank() != 4)
            throw new IllegalArgumentException(
                    "conv2d: expected 4-D weight [O, C, KH, KW], got shape " + Shape.str(weight.shape()));
        int[] xs = x.shape(), ws = weight.shape();
        if (xs[1] != ws[1])
            throw new IllegalArgumentException("conv2d: input " + Shape.str(xs) + " has " + xs[1]
                    + " channels but weight " + Shape.str(ws) + " expects " + ws[1]);
        if (bias != null && (bias.rank() != 1 || bias.shape()[0] != ws[0]))
            throw new IllegalArgumentException(
                    "conv2d: bias must have shape [" + ws[0] + "], got " + Shape.str(bias.shape()));
        if (x.dtype() != weight.dtype() || (bias != null && bias.dtype() != x.dtype()))
            throw new IllegalArgumentException("conv2d: input, weight and bias must share one dtype, got " + x.dtype()
                    + ", " + weight.dtype() + (bias == null ? "" : ", " + bias.dtype()));
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException("conv2d: expected floating point tensors, got " + x.dtype());
        ConvGeometry g = geometry("conv2d", stride, padding, dilation);
        int oh = g.outH(xs[2], ws[2]), ow = g.outW(xs[3], ws[3]);
        if (oh <= 0 || ow <= 0) // PyTorch's words, so that its users recognise the error
        throw new IllegalArgumentException("conv2d: Kernel size can't be greater than actual input size: padded input "
                + (xs[2] + 2 * padding[0]) + "x" + (xs[3] + 2 * padding[1]) + " (input " + Shape.str(xs) + ", padding "
                + Shape.str(padding)
                + "), kernel " + ws[2] + "x" + ws[3] + " with dilation " + Shape.str(dilation) + " (output would be "
                + oh + "x" + ow + ")");
        int[] ys = {xs[0], ws[0], oh, ow};
        if (x.dtype() == DType.FLOAT32) return deferredConv(x, weight, bias, stride, padding, dilation, relu, g, ys);
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        Storage s = x.backend().conv2d(data(xc), xs, data(wc), ws, bc == null ? null : data(bc), g, relu);
        return recordConv(Tensor.wrap(s, ys), x, weight, bias, xc, wc, g, relu);
    }

    /**
     * A conv2d (+ReLU) whose output is computed on first use, so that {@link Fusion} can fold a following relu or 2x2
     * max-pool into it. The inputs' versions are taken now: a result computed after one of them changed in place
     * would be silently wrong, so in-place writers compute pending results first ({@link Storage#beforeWrite}), and
     * a result that a fused op took over (and that is therefore not computed then) refuses to be read afterwards.
     */
    private static Tensor deferredConv(
            Tensor x,
            Tensor weight,
            Tensor bias,
            int[] stride,
            int[] padding,
            int[] dilation,
            boolean relu,
            ConvGeometry g,
            int[] ys) {
        Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        ConvRecipe recipe =
                new ConvRecipe(x, weight, bias, xc, wc, bc, stride.clone(), padding.clone(), dilation.clone(), g, relu);
        Tensor out = Tensor.deferred(recipe, x.dtype(), ys);
        recipe.register(out);
        return recordConv(out, x, weight, bias, xc, wc, g, relu);
    }

    private static Tensor recordConv(
            Tensor out, Tensor x, Tensor weight, Tensor bias, Tensor xc, Tensor wc, ConvGeometry g, boolean relu) {
        int[] xs = x.shape(), ws = weight.shape(), ys = out.shape();
        return Autograd.record(
                relu ? "convolution_relu" : "convolution",
                out,
                Autograd.saved(x, weight),
                gy -> {
                    Tensor gc = gy.contiguous();
                    Storage mask = relu ? out.storage() : null;
                    Tensor gx = x.requiresGrad()
                            ? Tensor.wrap(gc.backend().conv2dBackwardInput(data(gc), ys, data(wc), ws, xs, g, mask), xs)
                            : null;
                    Tensor gw = weight.requiresGrad()
                            ? Tensor.wrap(
                                    gc.backend().conv2dBackwardWeight(data(gc), ys, data(xc), xs, ws, g, mask), ws)
                            : null;
                    Tensor gb = bias != null && bias.requiresGrad()
                            ? Tensor.wrap(gc.backend().conv2dBackwardBias(data(gc), ys, mask), ws[0])
                            : null;
                    return twice(relu ? "conv2d_relu" : "conv2d", new Tensor[] {gx, gw, gb}, gy, x, weight, bias);
                },
                x,
                weight,
                bias);
    }

    /** The pending computation of a deferred conv2d (+ReLU), and what a fused consumer needs to redo it its own way. */
    static final class ConvRecipe implements Tensor.Deferred {
        final Tensor x, weight, bias;
        private final Tensor xc, wc, bc;
        final int[] stride, padding, dilation;
        private final ConvGeometry g;
        final boolean relu;
        private final int vx, vw, vb;
        /** Set when a fused op took this result over: an in-place write to the inputs then does not compute it. */
        volatile boolean fusedAway;

        private Runnable computeNow;

        ConvRecipe(
                Tensor x,
                Tensor weight,
                Tensor bias,
                Tensor xc,
                Tensor wc,
                Tensor bc,
                int[] stride,
                int[] padding,
                int[] dilation,
                ConvGeometry g,
                boolean relu) {
            this.x = x;
            this.weight = weight;
            this.bias = bias;
            this.xc = xc;
            this.wc = wc;
            this.bc = bc;
            this.stride = stride;
            this.padding = padding;
            this.dilation = dilation;
            this.g = g;
            this.relu = relu;
            vx = xc.version();
            vw = wc.version();
            vb = bc == null ? 0 : bc.version();
        }

        /** The result is computed before any in-place write to the storages it reads (unless a fused op took it over). */
        void register(Tensor out) {
            computeNow = () -> {
                if (!fusedAway) out.storage();
            };
            xc.storage().addDeferredReader(computeNow);
            wc.storage().addDeferredReader(computeNow);
            if (bc != null) bc.storage().addDeferredReader(computeNow);
        }

        @Override
        public Storage compute() {
            if (xc.version() != vx || wc.version() != vw || (bc != null && bc.version() != vb))
                throw new IllegalStateException(
                        (relu ? "conv2d+relu" : "conv2d") + ": this output was fused into the next op ("
                                + (relu ? "max-pool" : "relu")
                                + ") and not stored, and its input, weight or bias has been modified in place "
                                + "since (an optimizer step, copy_, ...), so it can no longer be computed. Read it (e.g. .contiguous()) before "
                                + "modifying them.");
            return xc.backend()
                    .conv2d(data(xc), xc.shape(), data(wc), wc.shape(), bc == null ? null : data(bc), g, relu);
        }
    }

    /** The gradients of a dedicated-kernel backward, each marked as refusing a second backward (see Autograd.onceDifferentiable). */
    static Tensor[] twice(String op, Tensor[] grads, Tensor... inputs) {
        for (int i = 0; i < grads.length; i++) grads[i] = Autograd.onceDifferentiable(op, grads[i], inputs);
        return grads;
    }

    /** A contiguous tensor's storage, copied when the tensor is a view that starts past offset 0. */
    static Storage data(Tensor t) {
        if (t.layout().offset() == 0 && t.storage().length() == t.numel()) return t.storage();
        return t.backend().copy(t.storage(), t.layout(), t.dtype());
    }

    static ConvGeometry geometry(String op, int[] stride, int[] padding, int[] dilation) {
        check(op, "stride", stride, 1);
        check(op, "padding", padding, 0);
        check(op, "dilation", dilation, 1);
        return new ConvGeometry(stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
    }

    private static void check(String op, String what, int[] v, int min) {
        if (v.length != 2)
            throw new IllegalArgumentException(
                    op + ": " + what + " must have 2 values (height, width), got " + Shape.str(v));
        if (v[0] < min || v[1] < min)
            throw new IllegalArgumentException(op + ": " + what + " must be at least " + min + ", got " + Shape.str(v));
    }
}
