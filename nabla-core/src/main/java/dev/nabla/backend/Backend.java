package dev.nabla.backend;

import dev.nabla.DType;

/**
 * The primitive kernels every device provides, over (storage, layout) only. Everything differentiable is built
 * from these in {@code dev.nabla.ops}; only matmul, convolution and pooling get dedicated backward kernels.
 * Results are new contiguous storages unless a method says otherwise.
 */
public interface Backend {

    /** n elements all equal to value. */
    Storage full(DType dtype, int n, double value);

    /** The elements of (src, layout) in row-major order, converted to {@code out}. */
    Storage copy(Storage src, Layout layout, DType out);

    /** Writes src into the (possibly strided) region dst; both layouts have the same shape. */
    void assign(Storage dst, Layout dstLayout, Storage src, Layout srcLayout);

    /**
     * {@code op} applied to each element (with parameters p and q where the op takes them), stored as {@code out}. The
     * result equals {@link UnaryOp#apply} computed in double and rounded to {@code out}, except that a backend may use
     * float32 kernels for float32 data: exact for the arithmetic ops, within a few ulps for the transcendental ones.
     */
    Storage map(UnaryOp op, double p, double q, Storage src, Layout layout, DType out);

    /** {@link #map(UnaryOp, double, double, Storage, Layout, DType)} of an op without parameters. */
    default Storage map(UnaryOp op, Storage src, Layout layout, DType out) {
        return map(op, 0, 0, src, layout, out);
    }

    /**
     * {@code op} applied pairwise; a and b are already broadcast to the same shape (strides 0). When both inputs and
     * {@code out} are int64 and the op is exact on integers ({@link BinaryOp#exactOnLongs}), the arithmetic is exact
     * in 64 bits.
     */
    Storage zip(BinaryOp op, Storage a, Layout la, Storage b, Layout lb, DType out);

    /** max(x, 0) (NaN kept). */
    Storage relu(Storage x, Layout layout);

    /** gy where y > 0, else 0: ReLU's backward from its output y (same shape as gy). */
    Storage reluBackward(Storage gy, Layout gyLayout, Storage y, Layout yLayout);

    /** cond ? a : b, all three broadcast to one shape. */
    Storage where(Storage cond, Layout lc, Storage a, Layout la, Storage b, Layout lb, DType out);

    /** The reductions of {@link #reduce}. */
    enum ReduceOp {
        /** Σ. */
        SUM,
        /** The largest value (NaN propagates). */
        MAX,
        /** The smallest value (NaN propagates). */
        MIN
    }

    /** Reduces the dims flagged in {@code reduce}; the result has the input's rank with those dims of size 1. */
    Storage reduce(ReduceOp op, Storage src, Layout layout, boolean[] reduce, DType out);

    /** Index (int64) of the max (or min) along dim, first occurrence on ties; result keeps dim with size 1. */
    Storage argReduce(boolean max, Storage src, Layout layout, int dim);

    /** Batched matrix product of a [B, M, K] and b [B, K, N] (any strides, 0 for broadcast batches) into [B, M, N]. */
    Storage matmul(Storage a, Layout la, Storage b, Layout lb);

    /** Elements along dim picked by index, result contiguous with shape[dim] = index.length. */
    Storage indexSelect(Storage src, Layout layout, int dim, long[] index);

    /** dst (contiguous, shape dstShape) [.., index[i], ..] += src[.., i, ..] along dim. */
    void indexAdd(Storage dst, int[] dstShape, int dim, long[] index, Storage src, Layout srcLayout);

    /** out[i][j][k] = src[i][index[i][j][k]][k] for dim 1 (generalised to any dim); index has src's rank. */
    Storage gather(Storage src, Layout layout, int dim, Storage index, Layout indexLayout);

    /** dst (contiguous) [.., index[..], ..] += src along dim, the inverse of gather. */
    void scatterAdd(
            Storage dst, int[] dstShape, int dim, Storage index, Layout indexLayout, Storage src, Layout srcLayout);

    /** Convolution geometry: stride, padding and dilation for height and width. */
    record ConvGeometry(int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        // floor division, as PyTorch: a negative numerator (kernel larger than the padded input) must give <= 0, not 1
        /** The output height for input height h and kernel height kh. */
        public int outH(int h, int kh) {
            return Math.floorDiv(h + 2 * padH - dilH * (kh - 1) - 1, strideH) + 1;
        }
        /** The output width for input width w and kernel width kw. */
        public int outW(int w, int kw) {
            return Math.floorDiv(w + 2 * padW - dilW * (kw - 1) - 1, strideW) + 1;
        }
    }

    /** A max-pooling result: the values and the argmax (int64, index into each input plane), or null when not kept. */
    record Pooled(Storage values, Storage argmax) {}

    /** The gradients of a convolution: dL/dx and dL/dw, each null when it was not asked for. */
    record ConvGrads(Storage input, Storage weight) {}

    /** x [N, C, H, W] (contiguous) * w [O, C, KH, KW] (+ bias [O] or null) into [N, O, OH, OW], then max(·, 0) when relu. */
    Storage conv2d(Storage x, int[] xShape, Storage w, int[] wShape, Storage bias, ConvGeometry g, boolean relu);

    /**
     * max-pool(2x2, stride 2)(relu(conv2d(x, w) + bias)) in one pass over each block of conv output, which is never
     * stored at full resolution; OH and OW must be even. Returns the pooled values [N, O, OH/2, OW/2] and the argmax in
     * a form that only this backend's {@link #conv2dMaxPoolBackward} reads: here int64, the index into each OH·OW plane
     * as {@link #maxPool2d}; the CPU backend keeps one byte per window instead ({@link Storage#opaque}).
     */
    Pooled conv2dReluMaxPool(Storage x, int[] xShape, Storage w, int[] wShape, Storage bias, ConvGeometry g);

    /** As above; without {@code argmax} (nothing will backpropagate: inference) the argmax is not stored and is null. */
    default Pooled conv2dReluMaxPool(
            Storage x, int[] xShape, Storage w, int[] wShape, Storage bias, ConvGeometry g, boolean argmax) {
        Pooled r = conv2dReluMaxPool(x, xShape, w, wShape, bias, g);
        return argmax ? r : new Pooled(r.values(), null);
    }

    /**
     * The backward pass of {@link #conv2dReluMaxPool} from the pooled output's gradient gp [N, O, OH/2, OW/2], already
     * masked by the ReLU (pooled output > 0), and the argmax that this backend's {@link #conv2dReluMaxPool} returned:
     * dL/dx and dL/dw as asked for (null otherwise).
     * Equal to {@link #maxPool2dBackward} followed by {@link #conv2dBackwardInput} and {@link #conv2dBackwardWeight},
     * which is what this default does; a backend may skip building the full-resolution gradient.
     */
    default ConvGrads conv2dMaxPoolBackward(
            Storage gp,
            int[] pooledShape,
            Storage argmax,
            int[] convOutShape,
            Storage x,
            int[] xShape,
            Storage w,
            int[] wShape,
            ConvGeometry g,
            boolean input,
            boolean weight) {
        Storage gy = maxPool2dBackward(gp, pooledShape, argmax, convOutShape);
        return new ConvGrads(
                input ? conv2dBackwardInput(gy, convOutShape, w, wShape, xShape, g, null) : null,
                weight ? conv2dBackwardWeight(gy, convOutShape, x, xShape, wShape, g, null) : null);
    }

    /**
     * dL/dx [N, C, H, W] from dL/dy [N, O, OH, OW] and w. With reluOut (the fused conv+ReLU output) the gradient is
     * first masked by reluOut > 0; null means no ReLU.
     */
    Storage conv2dBackwardInput(
            Storage gy, int[] gyShape, Storage w, int[] wShape, int[] xShape, ConvGeometry g, Storage reluOut);

    /** dL/dw [O, C, KH, KW] from dL/dy and x (masked by reluOut > 0 when given). */
    Storage conv2dBackwardWeight(
            Storage gy, int[] gyShape, Storage x, int[] xShape, int[] wShape, ConvGeometry g, Storage reluOut);

    /** dL/dbias [O]: dL/dy summed over N, OH, OW (masked by reluOut > 0 when given). */
    Storage conv2dBackwardBias(Storage gy, int[] gyShape, Storage reluOut);

    /** The output of a fused attention and the log-sum-exp of each row's scores (what its backward needs). */
    record Attention(Storage out, Storage lse) {}

    /**
     * softmax(q·kᵀ·scale, causal) (· dropMask when not null) · v in one pass per query row, without materialising
     * the scores or a mask: q [batch, l, e], k [batch, s, e], v [batch, s, ev], dropMask [batch, l, s] (the dropout
     * mask already scaled by 1/(1 − p)) or null, all contiguous float32; out [batch, l, ev], lse [batch, l].
     */
    Attention attention(Storage q, Storage k, Storage v, Storage dropMask, AttentionShape a);

    /**
     * The gradients {dq, dk, dv} of {@link #attention} from the output's gradient gOut [batch, l, ev], recomputing
     * the attention weights from the saved lse.
     */
    Storage[] attentionBackward(
            Storage q,
            Storage k,
            Storage v,
            Storage dropMask,
            Storage out,
            Storage lse,
            Storage gOut,
            AttentionShape a);

    /** Max pooling of x [N, C, H, W]: the values and the argmax (int64), which indexes into each H*W plane. */
    Pooled maxPool2d(Storage x, int[] xShape, int kh, int kw, ConvGeometry g);

    /** Routes dL/dy back to the saved argmax positions: dL/dx [N, C, H, W]. */
    Storage maxPool2dBackward(Storage gy, int[] gyShape, Storage argmax, int[] xShape);

    /** Average pooling (padding counted in the divisor, as PyTorch's default count_include_pad). */
    Storage avgPool2d(Storage x, int[] xShape, int kh, int kw, ConvGeometry g);

    /** The input gradient of average pooling. */
    Storage avgPool2dBackward(Storage gy, int[] gyShape, int[] xShape, int kh, int kw, ConvGeometry g);

    /** The options of one Adam (AdamW when decoupled) step: {@link #adamStep}. step is 1-based. */
    record AdamStep(
            double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {}

    /**
     * One Adam step in place: param (float32 or float64, contiguous) from grad (the same dtype and length), with the
     * float64 state exp_avg m, exp_avg_sq v and, for AMSGrad, max_exp_avg_sq vmax (null otherwise). Element by element
     * in double, as {@link #adamRange} computes it: a backend may split the elements (over threads or a device), but each
     * element's arithmetic and its one rounding to float32 stay those of adamRange, bit for bit.
     */
    default void adamStep(Storage param, Storage grad, Storage m, Storage v, Storage vmax, AdamStep a) {
        adamRange(param, grad, m, v, vmax, a, 0, param.length());
    }

    /**
     * {@link #adamStep} for the elements [from, to): torch.optim.Adam's update with bias correction, the weight decay
     * added to the gradient (or, decoupled, applied to the weight first), in double.
     */
    static void adamRange(
            Storage param, Storage grad, Storage m, Storage v, Storage vmax, AdamStep a, int from, int to) {
        double lr = a.lr(), b1 = a.beta1(), b2 = a.beta2(), eps = a.eps(), wd = a.weightDecay();
        double bc1 = 1 - Math.pow(b1, a.step()), bc2Sqrt = Math.sqrt(1 - Math.pow(b2, a.step()));
        double stepSize = lr / bc1;
        boolean decoupled = a.decoupled(), single = param.dtype() == DType.FLOAT32;
        float[] pf = single ? param.floats() : null, gf = single ? grad.floats() : null;
        double[] pd = single ? null : param.doubles(), gd = single ? null : grad.doubles();
        double[] md = m.doubles(), vd = v.doubles(), vmaxd = vmax == null ? null : vmax.doubles();
        for (int i = from; i < to; i++) {
            double w = single ? pf[i] : pd[i];
            double d = single ? gf[i] : gd[i];
            if (decoupled) w *= 1 - lr * wd;
            else d += wd * w;
            md[i] = b1 * md[i] + (1 - b1) * d;
            vd[i] = b2 * vd[i] + (1 - b2) * d * d;
            double second = vd[i];
            if (vmaxd != null) second = vmaxd[i] = Math.max(vmaxd[i], vd[i]);
            double updated = w - stepSize * md[i] / (Math.sqrt(second) / bc2Sqrt + eps);
            if (single) pf[i] = (float) updated;
            else pd[i] = updated;
        }
    }
}
