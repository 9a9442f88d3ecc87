package dev.nabla.backend.cpu;

import dev.nabla.backend.Backend.ConvGeometry;

/**
 * 2-D convolution kernels, over groups of images handed out to the cores. Two float32 paths:
 * <ul>
 *   <li>stride 1 with the Vector API (the reference CNN's layers): implicit GEMM. Each group of images is copied
 *       zero-padded, and the kernels of {@link VectorConv} read the column matrix straight from it through a table
 *       of row offsets, on an "extended" output grid whose rows are as wide as the padded rows (the extra columns
 *       are computed and dropped), so that 16 neighbouring output positions are 16 neighbouring floats. The input
 *       gradient is the convolution of the padded output gradient with the flipped weights; the weight gradient reads
 *       the column matrix from the padded images too. No column matrix is stored, nothing is scattered back.</li>
 *   <li>otherwise: im2col of each group into a column matrix, one {@link Gemm#sgemm} per group, col2im for the
 *       input gradient.</li>
 * </ul>
 * The float64 kernels ({@link ConvReference}) are direct loops that serve as the reference both paths are tested
 * against; the column matrix of the im2col path is built by {@link Im2col}.
 */
public final class ConvKernels {
    /** Pooled values and argmax (null when not kept) as arrays. */
    record PooledArrays(float[] values, long[] argmax) {}

    /** dL/dx and dL/dw as arrays, each null when not asked for. */
    record GradArrays(float[] input, float[] weight) {}

    /** The kernels as the backend uses them: the stride-1 implicit GEMM wherever it applies, im2col + GEMM elsewhere. */
    static final ConvKernels DEFAULT = new ConvKernels(true);

    /** The im2col + GEMM path only, for the tests that check it on stride-1 shapes too. */
    static final ConvKernels IM2COL_ONLY = new ConvKernels(false);

    private final boolean implicitGemm;

    private ConvKernels(boolean implicitGemm) {
        this.implicitGemm = implicitGemm;
    }

    // ---------------------------------------------------------------- float32 entry points (and the im2col + GEMM
    // path)

    /**
     * Images lowered together: one GEMM of N = GROUP·OH·OW columns keeps the column block cache-sized. 4 was best
     * on two threads for the reference CNN (conv2 forward 17.9 ms vs 18.7 with 8 and 20.7 with 16); the system
     * property nabla.convGroup overrides it.
     */
    static final int GROUP = Math.max(1, Integer.getInteger("nabla.convGroup", 4));

    private static final ThreadLocal<float[][]> WORK = ThreadLocal.withInitial(() -> new float[3][0]);

    private static float[] work(int slot, int size) {
        float[][] w = WORK.get();
        if (w[slot].length < size) w[slot] = new float[size];
        return w[slot];
    }

    /**
     * Runs body over the groups of images: groups handed out dynamically to the cores when there are enough (each
     * group writes its own part of the result, so the outcome does not depend on the schedule), else one by one with
     * a parallel GEMM.
     */
    private static void overGroups(int n, GroupBody body) {
        int groups = (n + GROUP - 1) / GROUP;
        if (groups >= Parallel.threads()) Parallel.forEachDynamic(groups, q -> body.run(q, false));
        else for (int q = 0; q < groups; q++) body.run(q, true);
    }

    @FunctionalInterface
    private interface GroupBody {
        void run(int group, boolean parallelGemm);
    }

    /** x [N,C,H,W] * w [O,C,KH,KW] + bias -> y [N,O,OH,OW]. */
    public float[] conv2d(float[] x, int[] xs, float[] w, int[] ws, float[] bias, ConvGeometry g) {
        return conv2d(x, xs, w, ws, bias, g, false);
    }

    /** As {@link #conv2d}, with max(·, 0) applied while the result is written (conv + bias + ReLU in one pass). */
    public float[] conv2d(float[] x, int[] xs, float[] w, int[] ws, float[] bias, ConvGeometry g, boolean relu) {
        int n = xs[0], o = ws[0], oh = g.outH(xs[2], ws[2]), ow = g.outW(xs[3], ws[3]), ohw = oh * ow;
        float[] y = new float[n * o * ohw];
        forwardGroups(x, xs, w, ws, g, (i0, gn, out, cols, perImage, rowStride) -> {
            for (int img = 0; img < gn; img++)
                for (int oc = 0; oc < o; oc++) {
                    float bv = bias == null ? 0f : bias[oc];
                    int dst = ((i0 + img) * o + oc) * ohw, src = oc * cols + img * perImage;
                    for (int oy = 0; oy < oh; oy++, dst += ow, src += rowStride)
                        if (relu) for (int p = 0; p < ow; p++) y[dst + p] = Math.max(out[src + p] + bv, 0f);
                        else for (int p = 0; p < ow; p++) y[dst + p] = out[src + p] + bv;
                }
        });
        return y;
    }

    /**
     * Conv + bias + ReLU + 2x2/2 max-pool: each group's GEMM result is pooled while it is still in cache.
     * relu(max(v) + b) = max over the window of relu(v + b), as ReLU is monotonic, so the pooled value and the
     * argmax (first maximum, {@link PoolKernels#pool2x2Row}) are those of the unfused layers.
     */
    public PooledArrays conv2dReluMaxPool(float[] x, int[] xs, float[] w, int[] ws, float[] bias, ConvGeometry g) {
        return conv2dReluMaxPool(x, xs, w, ws, bias, g, true);
    }

    /** As above; without {@code withArgmax} (inference) the argmax is neither computed nor stored, and is null. */
    public PooledArrays conv2dReluMaxPool(
            float[] x, int[] xs, float[] w, int[] ws, float[] bias, ConvGeometry g, boolean withArgmax) {
        int n = xs[0], o = ws[0], ow = g.outW(xs[3], ws[3]), ph = g.outH(xs[2], ws[2]) / 2, pw = ow / 2;
        float[] y = new float[n * o * ph * pw];
        long[] arg = withArgmax ? new long[y.length] : null;
        forwardGroups(x, xs, w, ws, g, (i0, gn, out, cols, perImage, rowStride) -> {
            for (int img = 0; img < gn; img++)
                for (int oc = 0; oc < o; oc++) {
                    float bv = bias == null ? 0f : bias[oc];
                    int plane = oc * cols + img * perImage, dst = ((i0 + img) * o + oc) * ph * pw;
                    for (int py = 0; py < ph; py++)
                        PoolKernels.pool2x2Row(
                                out,
                                plane + 2 * py * rowStride,
                                rowStride,
                                pw,
                                bv,
                                true,
                                y,
                                arg,
                                dst + py * pw,
                                2 * py * ow,
                                ow);
                }
        });
        return new PooledArrays(y, arg);
    }

    /**
     * x [N,C,H,W] * w [O,C,KH,KW], no bias, one group of images at a time, each group's result handed to sink: on the
     * extended grid by the stride-1 path, as plain OH×OW planes (perImage = OH·OW, row stride OW) by the im2col path.
     */
    private void forwardGroups(float[] x, int[] xs, float[] w, int[] ws, ConvGeometry g, GroupResult sink) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        if (fast(g)) {
            stride1(dense(x, null, c, h, wd), n, c, h, wd, w, o, kh, kw, g.padH(), g.padW(), g.dilH(), g.dilW(), sink);
            return;
        }
        int oh = g.outH(h, kh), ow = g.outW(wd, kw), ohw = oh * ow, ckk = c * kh * kw;
        overGroups(n, (q, par) -> {
            int i0 = q * GROUP, gn = Math.min(GROUP, n - i0), cols = gn * ohw;
            float[] col = lowerGroup(x, xs, ws, g, oh, ow, i0, gn), out = work(1, o * cols);
            Gemm.sgemm(o, cols, ckk, w, 0, ckk, 1, col, 0, cols, 1, out, 0, cols, false, par);
            sink.accept(i0, gn, out, cols, ohw, ow);
        });
    }

    /** The column matrix [C·KH·KW, gn·OH·OW] of images i0 .. i0+gn (in this thread's workspace 0). */
    private static float[] lowerGroup(float[] x, int[] xs, int[] ws, ConvGeometry g, int oh, int ow, int i0, int gn) {
        int c = xs[1], h = xs[2], wd = xs[3], kh = ws[2], kw = ws[3], ohw = oh * ow, cols = gn * ohw;
        float[] col = work(0, c * kh * kw * cols);
        for (int img = 0; img < gn; img++)
            Im2col.im2col(x, (i0 + img) * c * h * wd, c, h, wd, kh, kw, g, oh, ow, col, cols, img * ohw);
        return col;
    }

    /** gyT[oc][img·OHW + p] = gy[i0 + img][oc][p], zeroed where a fused ReLU's output y is not positive. */
    private static void gatherGroup(float[] gy, float[] y, int i0, int gn, int o, int ohw, float[] gyT, int cols) {
        for (int img = 0; img < gn; img++)
            for (int oc = 0; oc < o; oc++) {
                int src = ((i0 + img) * o + oc) * ohw, dst = oc * cols + img * ohw;
                if (y == null) System.arraycopy(gy, src, gyT, dst, ohw);
                else Kernels.reluBackward(gy, src - dst, y, src - dst, gyT, dst, dst + ohw);
            }
    }

    /** dL/dbias: the (ReLU-masked) output gradient summed per channel, in double. */
    public static float[] conv2dBackwardBias(float[] gy, int[] gys, float[] y) {
        int n = gys[0], o = gys[1], ohw = gys[2] * gys[3];
        float[] b = new float[o];
        Parallel.forRange(o, 1, (s, e) -> {
            for (int oc = s; oc < e; oc++) {
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * o + oc) * ohw;
                    acc += Kernels.maskedSum(gy, y, base, ohw);
                }
                b[oc] = (float) acc;
            }
        });
        return b;
    }

    /** dL/dx from dL/dy [N,O,OH,OW] and w [O,C,KH,KW]: dcol = wᵀ·dy per group, then col2im. */
    public float[] conv2dBackwardInput(float[] gy, int[] gys, float[] w, int[] ws, int[] xs, ConvGeometry g) {
        return conv2dBackwardInput(gy, gys, w, ws, xs, g, null);
    }

    /** As above, with the gradient masked by the fused ReLU output y > 0 (y null: no ReLU). */
    public float[] conv2dBackwardInput(
            float[] gy, int[] gys, float[] w, int[] ws, int[] xs, ConvGeometry g, float[] y) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = gys[2], ow = gys[3], ohw = oh * ow, ckk = c * kh * kw;
        if (stride1Input(g, kh, kw)) return backwardInputStride1(dense(gy, y, o, oh, ow), n, o, oh, ow, w, ws, xs, g);
        float[] gx = new float[n * c * h * wd];
        overGroups(n, (q, par) -> {
            int i0 = q * GROUP, gn = Math.min(GROUP, n - i0), cols = gn * ohw;
            float[] gyT = work(1, o * cols), dcol = work(0, ckk * cols);
            gatherGroup(gy, y, i0, gn, o, ohw, gyT, cols);
            Gemm.sgemm(ckk, cols, o, w, 0, 1, ckk, gyT, 0, cols, 1, dcol, 0, cols, false, par);
            for (int img = 0; img < gn; img++)
                Im2col.col2im(dcol, cols, img * ohw, c, h, wd, kh, kw, g, oh, ow, gx, (i0 + img) * c * h * wd);
        });
        return gx;
    }

    /** dL/dw [O,C,KH,KW] = Σ over groups of dyᵀ·colᵀ; one partial sum per group, added in group order (deterministic). */
    public float[] conv2dBackwardWeight(float[] gy, int[] gys, float[] x, int[] xs, int[] ws, ConvGeometry g) {
        return conv2dBackwardWeight(gy, gys, x, xs, ws, g, null);
    }

    /** As above, with the gradient masked by the fused ReLU output y > 0 (y null: no ReLU). */
    public float[] conv2dBackwardWeight(
            float[] gy, int[] gys, float[] x, int[] xs, int[] ws, ConvGeometry g, float[] y) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = gys[2], ow = gys[3], ohw = oh * ow, ckk = c * kh * kw;
        if (fast(g)) return backwardWeightStride1(dense(gy, y, o, oh, ow), n, o, oh, ow, x, xs, ws, g);
        float[][] partial = new float[(n + GROUP - 1) / GROUP][];
        overGroups(n, (q, par) -> {
            int i0 = q * GROUP, gn = Math.min(GROUP, n - i0), cols = gn * ohw;
            float[] gyT = work(1, o * cols);
            gatherGroup(gy, y, i0, gn, o, ohw, gyT, cols);
            float[] col = lowerGroup(x, xs, ws, g, oh, ow, i0, gn);
            partial[q] = new float[o * ckk];
            Gemm.sgemm(o, ckk, cols, gyT, 0, cols, 1, col, 0, 1, cols, partial[q], 0, ckk, false, par);
        });
        return sumPartials(partial, o * ckk);
    }

    /** The partial sums added in group order (deterministic whichever thread computed them). */
    private static float[] sumPartials(float[][] partial, int size) {
        float[] dw = partial[0] == null ? new float[size] : partial[0];
        for (int p = 1; p < partial.length; p++) {
            float[] q = partial[p];
            if (q != null) for (int j = 0; j < dw.length; j++) dw[j] += q[j];
        }
        return dw;
    }

    // ---------------------------------------------------------------- float32 stride-1 path: implicit GEMM over padded
    // images

    /**
     * Up to this many rows of the column matrix (C·KH·KW), the stride-1 weight gradient is computed as dot products
     * along the columns ({@link VectorConv#weightGrad}: no packing, best for the first layer's 9 rows); above it, by a
     * GEMM that reads the column matrix from the padded images ({@link VectorConv#weightGradGemm}).
     */
    static final int DOT_MAX_DEPTH = 64;

    private boolean fast(ConvGeometry g) {
        return implicitGemm && Kernels.vectorized() && g.strideH() == 1 && g.strideW() == 1;
    }

    /**
     * Receives one group's result out[oc·cols + img·perImage + y·rowStride + x] (only x < OW is meaningful: on the
     * extended grid the row stride is the padded width).
     */
    @FunctionalInterface
    private interface GroupResult {
        void accept(int i0, int gn, float[] out, int cols, int perImage, int rowStride);
    }

    /** rowOff[(ci·KH + ki)·KW + kj] = ci·hp·wp + ki·dh·wp + kj·dw: where row (ci, ki, kj) of the column matrix starts in a padded image. */
    private static int[] rowOffsets(int c, int kh, int kw, int hp, int wp, int dh, int dw) {
        int[] rowOff = new int[c * kh * kw];
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                    rowOff[(ci * kh + ki) * kw + kj] = ci * hp * wp + ki * dh * wp + kj * dw;
        return rowOff;
    }

    /** Columns per image on the extended grid of the weight gradient: OH rows of the padded width, rounded up to whole 8-float vectors. */
    private static int extendedColumns(int oh, int wp) {
        return (oh * wp + 7) / 8 * 8;
    }

    /** Zeros after the last padded image so that every read of the extended grid stays inside the buffer. */
    private static int slack(int perImage, int[] rowOff, int imageStride) {
        return Math.max(0, perImage + rowOff[rowOff.length - 1] - imageStride) + 16;
    }

    /**
     * Stride-1 convolution of the images x [N, C, H, W] (given plane by plane) with w [O, C·KH·KW], padding
     * (ph, pw), dilation (dh, dw), no bias: per group of images, the images are copied zero-padded and the implicit-GEMM
     * kernel ({@link VectorConv#forward}) reads the column matrix from them; the result, on the extended grid, goes to sink.
     */
    private static void stride1(
            PlaneSource x,
            int n,
            int c,
            int h,
            int wd,
            float[] w,
            int o,
            int kh,
            int kw,
            int ph,
            int pw,
            int dh,
            int dw,
            GroupResult sink) {
        int hp = h + 2 * ph,
                wp = paddedWidth(wd, pw, dw, kw),
                oh = hp - dh * (kh - 1),
                perImage = oh * wp,
                imageStride = c * hp * wp;
        int ckk = c * kh * kw;
        int[] rowOff = rowOffsets(c, kh, kw, hp, wp, dh, dw);
        int slack = slack(perImage, rowOff, imageStride);
        float[] wpk = VectorConv.packWeights(w, o, ckk);
        int[] taps = kh == 3 && kw == 3 ? java.util.Arrays.copyOf(rowOff, 9) : null; // 3x3: the written-out kernel
        int cs = hp * wp;
        overGroups(n, (q, par) -> {
            int i0 = q * GROUP, gn = Math.min(GROUP, n - i0), cols = gn * perImage, ldo = (cols + 15) / 16 * 16;
            float[] xp = padGroup(x, i0, gn, c, h, wd, ph, pw, wp, slack, 0), out = work(1, o * ldo);
            if (par)
                Parallel.forRange(
                        ldo / 16,
                        1,
                        (s0, e0) -> VectorConv.forward(
                                o,
                                ckk,
                                wpk,
                                xp,
                                rowOff,
                                taps,
                                cs,
                                16 * s0,
                                16 * e0,
                                cols,
                                perImage,
                                imageStride,
                                out,
                                ldo));
            else VectorConv.forward(o, ckk, wpk, xp, rowOff, taps, cs, 0, ldo, cols, perImage, imageStride, out, ldo);
            sink.accept(i0, gn, out, ldo, perImage, wp);
        });
    }

    /**
     * The row stride of the padded images: W + pw when the zero gap between two rows can serve as the right padding of
     * one and the left padding of the next (a row of the padded image, read past its end, continues into the next
     * row's gap: that holds when pw ≤ dw·(KW−1), as for every "same" convolution), else W + 2pw. Fewer columns on the
     * extended grid are computed for nothing: 1 in 15 instead of 2 in 16 for the reference CNN's second layer.
     */
    private static int paddedWidth(int wd, int pw, int dw, int kw) {
        return pw <= dw * (kw - 1) ? wd + pw : wd + 2 * pw;
    }

    /**
     * Images i0 .. i0+gn of x [N, C, H, W] copied with zero padding (ph rows, pw columns before each row and up to the
     * row stride wp after it) into this thread's workspace slot, each [C, H+2ph, wp], followed by `slack` zeros
     * (reads of the extended grid's last columns run past the end). The buffer is cleared in one pass first, so the
     * planes only write their nonzero elements.
     */
    private static float[] padGroup(
            PlaneSource x, int i0, int gn, int c, int h, int wd, int ph, int pw, int wp, int slack, int slot) {
        int hp = h + 2 * ph, planes = gn * c, size = planes * hp * wp;
        float[] xp = work(slot, size + slack);
        java.util.Arrays.fill(xp, 0, size + slack, 0f);
        for (int pl = 0; pl < planes; pl++) x.plane(i0 + pl / c, pl % c, xp, pl * hp * wp + ph * wp + pw, wp, 1);
        return xp;
    }

    /**
     * dst[d ..< d + n] = src[s ..< s + n]. The rows copied here are short (a few dozen floats, many thousand times per
     * batch), where a plain loop, which C2 vectorises, beats the call overhead of System.arraycopy.
     */
    private static void copy(float[] src, int s, float[] dst, int d, int n) {
        for (int i = 0; i < n; i++) dst[d + i] = src[s + i];
    }

    /** A tensor [N, C, H, W] as the kernels read it: plane (img, ch) written into a cleared buffer from off, rows `stride` apart. */
    @FunctionalInterface
    private interface PlaneSource {
        /** Writes plane (img, ch) into a cleared dst: element (y, x) goes to dst[off + y·stride + x·step] (zeros may be skipped). */
        void plane(int img, int ch, float[] dst, int off, int stride, int step);
    }

    /** The planes of a [N, C, H, W] array, each element zeroed where mask ≤ 0 (mask null: copied as they are). */
    private static PlaneSource dense(float[] a, float[] mask, int c, int h, int w) {
        return (img, ch, dst, off, stride, step) -> {
            int src = (img * c + ch) * h * w;
            for (int y = 0; y < h; y++, src += w, off += stride) {
                if (step != 1)
                    for (int x = 0; x < w; x++)
                        dst[off + x * step] = mask == null || mask[src + x] > 0f ? a[src + x] : 0f;
                else if (mask == null) copy(a, src, dst, off, w);
                else Kernels.reluBackward(a, src - off, mask, src - off, dst, off, off + w);
            }
        };
    }

    /**
     * The gradient of a 2x2/2 max-pool's input [N, C, oh, ow] from its output gradient gp [N, C, oh/2, ow/2] and the
     * argmax (indices into each input plane): zero but at each window's argmax, so only those are written.
     */
    private static PlaneSource pooled(float[] gp, long[] argmax, int c, int oh, int ow) {
        int ph = oh / 2, pw = ow / 2;
        return (img, ch, dst, off, stride, step) -> {
            int src = (img * c + ch) * ph * pw;
            for (int py = 0; py < ph; py++)
                for (int px = 0; px < pw; px++, src++) { // no branch on v == 0: half are zero (ReLU), and unpredictable
                    float v = gp[src];
                    int rel = (int) argmax[src] - (2 * py * ow + 2 * px),
                            dy = rel >= ow ? 1 : 0; // the offset inside the window
                    dst[off + (2 * py + dy) * stride + (2 * px + rel - dy * ow) * step] = v;
                }
        };
    }

    /**
     * The input and weight gradients of {@link #conv2dReluMaxPool} (stride 1 only: callers check {@link #pooledBackwardSupported})
     * from the pooled output gradient gp (already masked by the ReLU) and the argmax, without building the
     * full-resolution output gradient: it is scattered straight into each group's buffers. {gx, gw}, each null
     * unless asked for.
     */
    public GradArrays conv2dMaxPoolBackward(
            float[] gp,
            long[] argmax,
            int[] ys,
            float[] x,
            int[] xs,
            float[] w,
            int[] ws,
            ConvGeometry g,
            boolean input,
            boolean weight) {
        int n = xs[0], o = ws[0], oh = ys[2], ow = ys[3];
        PlaneSource src = pooled(gp, argmax, o, oh, ow);
        return new GradArrays(
                input ? backwardInputStride1(src, n, o, oh, ow, w, ws, xs, g) : null,
                weight ? backwardWeightStride1(src, n, o, oh, ow, x, xs, ws, g) : null);
    }

    /** Whether {@link #conv2dMaxPoolBackward} applies to this geometry and kernel. */
    public boolean pooledBackwardSupported(ConvGeometry g, int kh, int kw) {
        return stride1Input(g, kh, kw);
    }

    private boolean stride1Input(ConvGeometry g, int kh, int kw) {
        return fast(g) && g.dilH() * (kh - 1) - g.padH() >= 0 && g.dilW() * (kw - 1) - g.padW() >= 0;
    }

    /**
     * Stride 1: dL/dx is the convolution of the (masked) output gradient, padded by dil·(k−1) − pad, with the weights
     * flipped in space and with input and output channels swapped.
     */
    private static float[] backwardInputStride1(
            PlaneSource gy, int n, int o, int oh, int ow, float[] w, int[] ws, int[] xs, ConvGeometry g) {
        int c = xs[1], h = xs[2], wd = xs[3], kh = ws[2], kw = ws[3], hw = h * wd;
        float[] gx = new float[n * c * hw];
        float[] wf = new float[c * o * kh * kw];
        for (int oc = 0; oc < o; oc++)
            for (int ci = 0; ci < c; ci++)
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                        wf[((ci * o + oc) * kh + kh - 1 - ki) * kw + kw - 1 - kj] =
                                w[((oc * c + ci) * kh + ki) * kw + kj];
        int fph = g.dilH() * (kh - 1) - g.padH(), fpw = g.dilW() * (kw - 1) - g.padW();
        stride1(gy, n, o, oh, ow, wf, c, kh, kw, fph, fpw, g.dilH(), g.dilW(), (i0, gn, out, cols, perImage, wp) -> {
            for (int img = 0; img < gn; img++)
                for (int ci = 0; ci < c; ci++) {
                    int dst = ((i0 + img) * c + ci) * hw, src = ci * cols + img * perImage;
                    for (int iy = 0; iy < h; iy++, dst += wd, src += wp) copy(out, src, gx, dst, wd);
                }
        });
        return gx;
    }

    /** Stride 1: dL/dw with the column matrix read from the padded images (one partial sum per group, added in group order). */
    private static float[] backwardWeightStride1(
            PlaneSource gy, int n, int o, int oh, int ow, float[] x, int[] xs, int[] ws, ConvGeometry g) {
        int c = xs[1], h = xs[2], wd = xs[3], kh = ws[2], kw = ws[3], ckk = c * kh * kw;
        float[][] partial = new float[(n + GROUP - 1) / GROUP][];
        PlaneSource images = dense(x, null, c, h, wd);
        int ph = g.padH(),
                pw = g.padW(),
                hp = h + 2 * ph,
                wp = paddedWidth(wd, pw, g.dilW(), kw),
                perImage = extendedColumns(oh, wp),
                imageStride = c * hp * wp;
        int[] rowOff = rowOffsets(c, kh, kw, hp, wp, g.dilH(), g.dilW());
        int slack = slack(perImage, rowOff, imageStride), ldd = (o + 15) / 16 * 16;
        for (int q = 0; q < partial.length; q++) partial[q] = new float[ckk > DOT_MAX_DEPTH ? ckk * ldd : o * ckk];
        overGroups(n, (q, par) -> {
            int i0 = q * GROUP, gn = Math.min(GROUP, n - i0), cols = gn * perImage;
            float[] xp = padGroup(images, i0, gn, c, h, wd, ph, pw, wp, slack, 0);
            if (ckk > DOT_MAX_DEPTH) {
                // many kernel rows: dWᵀ = col·Gᵀ as a GEMM reading col from the padded images (partial in [ckk, ldd]);
                // the output gradient is written straight into the GEMM's B panels, gT[(oc/16·cols + j)·16 + oc%16],
                // zero in the columns that are not output positions
                float[] gT = work(2, ldd * cols), dwT = partial[q];
                java.util.Arrays.fill(gT, 0, ldd * cols, 0f); // one pass: the planes then write their nonzero elements
                for (int oc = 0; oc < o; oc++)
                    for (int img = 0; img < gn; img++)
                        gy.plane(i0 + img, oc, gT, (oc / 16 * cols + img * perImage) * 16 + oc % 16, wp * 16, 16);
                if (par)
                    Parallel.forRange(
                            (ckk + 3) / 4,
                            1,
                            (s0, e0) -> VectorConv.weightGradGemm(
                                    ckk,
                                    4 * s0,
                                    Math.min(ckk, 4 * e0),
                                    o,
                                    gT,
                                    cols,
                                    xp,
                                    rowOff,
                                    gn,
                                    perImage,
                                    imageStride,
                                    dwT));
                else VectorConv.weightGradGemm(ckk, 0, ckk, o, gT, cols, xp, rowOff, gn, perImage, imageStride, dwT);
                return;
            }
            // the output gradient on the extended grid, zero in the columns that are not output positions
            float[] gext = work(1, o * cols), dw = partial[q];
            java.util.Arrays.fill(gext, 0, o * cols, 0f);
            for (int oc = 0; oc < o; oc++)
                for (int img = 0; img < gn; img++) gy.plane(i0 + img, oc, gext, oc * cols + img * perImage, wp, 1);
            if (par)
                Parallel.forRange(
                        (o + 3) / 4,
                        1,
                        (s0, e0) -> VectorConv.weightGrad(
                                o,
                                4 * s0,
                                Math.min(o, 4 * e0),
                                ckk,
                                gext,
                                cols,
                                xp,
                                rowOff,
                                gn,
                                perImage,
                                imageStride,
                                dw));
            else VectorConv.weightGrad(o, 0, o, ckk, gext, cols, xp, rowOff, gn, perImage, imageStride, dw);
        });
        if (ckk <= DOT_MAX_DEPTH) return sumPartials(partial, o * ckk);
        float[] dwT = sumPartials(partial, ckk * ldd), dw = new float[o * ckk];
        for (int p = 0; p < ckk; p++) for (int oc = 0; oc < o; oc++) dw[oc * ckk + p] = dwT[p * ldd + oc];
        return dw;
    }
}
