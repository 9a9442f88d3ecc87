package dev.nabla.backend.cpu;

import dev.nabla.backend.Backend.ConvGeometry;

/**
 * 2-D convolution drivers, over groups of images handed out to the cores. Three float32 paths:
 * <ul>
 *   <li>3x3, stride 1, dilation 1 with the Vector API and enough channels (the reference CNN's second layer): Winograd
 *       F(4x4, 3x3) for the forward pass and the input gradient, F(2x2, 3x3) for the weight gradient, in
 *       {@link WinogradConv}.</li>
 *   <li>other stride-1 layers with the Vector API (the reference CNN's first layer): implicit GEMM, in
 *       {@link ImplicitGemmConv}.</li>
 *   <li>otherwise: im2col of each group into a column matrix, one {@link Gemm#sgemm} per group, col2im for the
 *       input gradient.</li>
 * </ul>
 * The float64 kernels ({@link ConvReference}) are direct loops that serve as the reference all paths are tested
 * against; the column matrix of the im2col path is built by {@link Im2col}.
 */
public final class ConvKernels {
    /**
     * Pooled values and, per window, the code of its argmax ({@link PoolKernels#windowCode}: one byte, not an int64
     * index; null when not kept) as arrays.
     */
    record PooledArrays(float[] values, byte[] argmax) {}

    /** dL/dx and dL/dw as arrays, each null when not asked for. */
    record GradArrays(float[] input, float[] weight) {}

    /**
     * Below this many input or output channels the matrix products of Winograd are too thin to pay for its
     * transforms: the reference CNN's first layer (1 input channel) stays direct. Measured in BENCHMARKS.md.
     */
    static final int WINOGRAD_MIN_CHANNELS = 8;

    /** Below this batch most of the 8 lanes of Winograd's image groups would be empty. */
    static final int WINOGRAD_MIN_BATCH = 4;

    /**
     * The Winograd output tile m of F(m x m, 3x3) for the forward pass and for the input gradient, chosen by
     * measurement (BENCHMARKS.md, tenth session: F(4x4) for both, the step 1-2 ms faster than with F(2x2) since the
     * 16-lane kernels); the weight gradient always uses F(2x2, 3x3). The system properties
     * {@code nabla.winogradForwardTile} and {@code nabla.winogradInputGradientTile} (or {@code nabla.winogradTile} for
     * both) choose another, 2 or 4.
     */
    static final int
            FORWARD_TILE = Integer.getInteger("nabla.winogradForwardTile", Integer.getInteger("nabla.winogradTile", 4)),
            INPUT_GRADIENT_TILE =
                    Integer.getInteger("nabla.winogradInputGradientTile", Integer.getInteger("nabla.winogradTile", 4));

    /**
     * Whether the fused conv + ReLU + max-pool backward computes 3x3 layers' gradients from the pooled gradient directly
     * ({@link PooledConvBackward}, a quarter of the multiplies) rather than by a dense pass over the scattered gradient;
     * the system property {@code nabla.sparsePooledBackward=false} (read once) turns it off for side-by-side runs.
     */
    static final boolean SPARSE_POOLED_BACKWARD =
            Boolean.parseBoolean(System.getProperty("nabla.sparsePooledBackward", "true"));

    /**
     * Direct convolution only (implicit GEMM at stride 1, no Winograd, the pooled backward dense): the other side of the
     * A/B in the benchmarks.
     */
    public static final ConvKernels DIRECT = new ConvKernels(true, Integer.MAX_VALUE, Integer.MAX_VALUE, 2, 2, false);

    /**
     * The kernels as the backend uses them: Winograd ({@link #FORWARD_TILE}) for 3x3 stride-1 layers with at least
     * {@link #WINOGRAD_MIN_CHANNELS} input and output channels and a batch of at least {@link #WINOGRAD_MIN_BATCH},
     * the stride-1 implicit GEMM for the other stride-1 layers, im2col + GEMM elsewhere. The system property
     * {@code nabla.winograd=false} (read once) leaves Winograd out, for side-by-side measurements.
     */
    public static final ConvKernels DEFAULT = Boolean.parseBoolean(System.getProperty("nabla.winograd", "true"))
            ? new ConvKernels(
                    true,
                    WINOGRAD_MIN_CHANNELS,
                    WINOGRAD_MIN_BATCH,
                    FORWARD_TILE,
                    INPUT_GRADIENT_TILE,
                    SPARSE_POOLED_BACKWARD)
            : new ConvKernels(true, Integer.MAX_VALUE, Integer.MAX_VALUE, 2, 2, SPARSE_POOLED_BACKWARD);

    /** Winograd F(2x2, 3x3) for every pass wherever it can run (any channel count and batch), for the tests. */
    static final ConvKernels WINOGRAD_ALWAYS = new ConvKernels(true, 1, 1, 2, 2, false);

    /** As {@link #WINOGRAD_ALWAYS} with F(4x4, 3x3) for the forward pass and the input gradient. */
    static final ConvKernels WINOGRAD4_ALWAYS = new ConvKernels(true, 1, 1, 4, 4, false);

    /** The im2col + GEMM path only, for the tests that check it on stride-1 shapes too. */
    static final ConvKernels IM2COL_ONLY = new ConvKernels(false, Integer.MAX_VALUE, Integer.MAX_VALUE, 2, 2, false);

    private final boolean implicitGemm, sparsePooled;
    private final int winogradMinChannels, winogradMinBatch, forwardTile, inputGradientTile;

    private ConvKernels(
            boolean implicitGemm,
            int winogradMinChannels,
            int winogradMinBatch,
            int forwardTile,
            int inputGradientTile,
            boolean sparsePooled) {
        this.implicitGemm = implicitGemm;
        this.sparsePooled = sparsePooled;
        this.winogradMinChannels = winogradMinChannels;
        this.winogradMinBatch = winogradMinBatch;
        this.forwardTile = forwardTile;
        this.inputGradientTile = inputGradientTile;
    }

    /** Whether Winograd computes a convolution of this geometry, batch n, c input and o output channels. */
    boolean winograd(ConvGeometry g, int kh, int kw, int n, int c, int o) {
        return fast(g)
                && kh == 3
                && kw == 3
                && g.dilH() == 1
                && g.dilW() == 1
                && g.padH() <= 2
                && g.padW() <= 2
                && Math.min(c, o) >= winogradMinChannels
                && n >= winogradMinBatch;
    }

    // ---------------------------------------------------------------- float32 entry points (and the im2col + GEMM
    // path)

    /**
     * Images lowered together: one GEMM of N = GROUP·OH·OW columns keeps the column block cache-sized. 4 was best
     * on two threads for the reference CNN (conv2 forward 17.9 ms vs 18.7 with 8 and 20.7 with 16); the system
     * property nabla.convGroup overrides it.
     */
    static final int GROUP = Math.max(1, Integer.getInteger("nabla.convGroup", 4));

    private static final ThreadLocal<float[][]> WORK = ThreadLocal.withInitial(() -> new float[5][0]);

    static float[] work(int slot, int size) {
        float[][] w = WORK.get();
        if (w[slot].length < size) w[slot] = new float[size];
        return w[slot];
    }

    /**
     * Runs body over the groups of images: groups handed out dynamically to the cores when there are enough (each
     * group writes its own part of the result, so the outcome does not depend on the schedule), else one by one with
     * a parallel GEMM.
     */
    static void overGroups(int n, GroupBody body) {
        overGroups(n, GROUP, body);
    }

    /** As above, with groups of {@code size} images. */
    static void overGroups(int n, int size, GroupBody body) {
        int groups = (n + size - 1) / size;
        if (groups >= Parallel.threads()) Parallel.forEachDynamic(groups, q -> body.run(q, false));
        else for (int q = 0; q < groups; q++) body.run(q, true);
    }

    @FunctionalInterface
    interface GroupBody {
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
        if (winograd(g, ws[2], ws[3], n, xs[1], o)) {
            winogradForward(x, xs, w, o, g, WinogradConv.planes(y, o, oh, ow, bias, relu));
            return y;
        }
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
        byte[] arg = withArgmax ? new byte[y.length] : null;
        if (winograd(g, ws[2], ws[3], n, xs[1], o)) {
            winogradForward(x, xs, w, o, g, WinogradConv.pooled(y, arg, o, 2 * ph, ow, bias, true));
            return new PooledArrays(y, arg);
        }
        if (fast(g) && PooledConvFewChannels.supported(g, ws[2], ws[3], xs[1])) { // few input channels
            PooledConvFewChannels.forward(x, xs, w, o, bias, g.padH(), g.padW(), y, arg, true);
            return new PooledArrays(y, arg);
        }
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
                                dst + py * pw,
                                arg,
                                dst + py * pw);
                }
        });
        return new PooledArrays(y, arg);
    }

    private void winogradForward(float[] x, int[] xs, float[] w, int o, ConvGeometry g, WinogradConv.TileSink s) {
        int c = xs[1], h = xs[2], wd = xs[3];
        WinogradConv.forward(
                forwardTile, ImplicitGemmConv.dense(x, null, c, h, wd), xs, w, o, g.padH(), g.padW(), true, s);
    }

    /**
     * x [N,C,H,W] * w [O,C,KH,KW], no bias, one group of images at a time, each group's result handed to sink: on the
     * extended grid by the stride-1 path, as plain OH×OW planes (perImage = OH·OW, row stride OW) by the im2col path.
     */
    private void forwardGroups(float[] x, int[] xs, float[] w, int[] ws, ConvGeometry g, GroupResult sink) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        if (fast(g)) {
            ImplicitGemmConv.stride1(ImplicitGemmConv.dense(x, null, c, h, wd), xs, w, ws, g, sink);
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
            float[] lanes = new float[16];
            for (int oc = s; oc < e; oc++) {
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * o + oc) * ohw;
                    acc += Kernels.maskedSum(gy, y, base, ohw, lanes);
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
        if (winograd(g, kh, kw, n, c, o))
            return WinogradConv.backwardInput(
                    inputGradientTile, ImplicitGemmConv.dense(gy, y, o, oh, ow), gys, w, xs, g.padH(), g.padW(), true);
        if (stride1Input(g, kh, kw))
            return ImplicitGemmConv.backwardInputStride1(ImplicitGemmConv.dense(gy, y, o, oh, ow), gys, w, ws, xs, g);
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
        if (winograd(g, kh, kw, n, c, o))
            return WinogradConv.backwardWeight(
                    ImplicitGemmConv.dense(gy, y, o, oh, ow),
                    gys,
                    ImplicitGemmConv.dense(x, null, c, h, wd),
                    xs,
                    g.padH(),
                    g.padW(),
                    true);
        if (fast(g))
            return ImplicitGemmConv.backwardWeightStride1(ImplicitGemmConv.dense(gy, y, o, oh, ow), gys, x, xs, ws, g);
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
    static float[] sumPartials(float[][] partial, int size) {
        float[] dw = partial[0] == null ? new float[size] : partial[0];
        for (int p = 1; p < partial.length; p++) {
            float[] q = partial[p];
            if (q != null) for (int j = 0; j < dw.length; j++) dw[j] += q[j];
        }
        return dw;
    }

    // ---------------------------------------------------------------- the stride-1 path (ImplicitGemmConv) and
    // the fused pooled backward

    private boolean fast(ConvGeometry g) {
        return implicitGemm && Kernels.vectorized() && g.strideH() == 1 && g.strideW() == 1;
    }

    /**
     * Receives one group's result out[oc·cols + img·perImage + y·rowStride + x] (only x < OW is meaningful: on the
     * extended grid the row stride is the padded width).
     */
    @FunctionalInterface
    interface GroupResult {
        void accept(int i0, int gn, float[] out, int cols, int perImage, int rowStride);
    }

    /**
     * The input and weight gradients of {@link #conv2dReluMaxPool} (stride 1 only: callers check {@link #pooledBackwardSupported})
     * from the pooled output gradient gp (already masked by the ReLU) and the argmax, without building the
     * full-resolution output gradient: it is scattered straight into each group's buffers. {gx, gw}, each null
     * unless asked for.
     */
    public GradArrays conv2dMaxPoolBackward(
            float[] gp,
            byte[] argmax,
            int[] ys,
            float[] x,
            int[] xs,
            float[] w,
            int[] ws,
            ConvGeometry g,
            boolean input,
            boolean weight) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], oh = ys[2], ow = ys[3];
        // from the pooled gradient directly: a first layer's weight gradient (few channels, no input gradient), and
        // both gradients of a 3x3 layer with enough channels
        if (sparsePooled && weight && !input && PooledConvFewChannels.supported(g, ws[2], ws[3], c)) {
            float[] gw = PooledConvFewChannels.weightGradient(gp, argmax, ys, x, xs, g.padH(), g.padW(), true);
            return new GradArrays(null, gw);
        }
        if (sparsePooled && PooledConvBackward.supported(g, ws[2], ws[3], c))
            return PooledConvBackward.backward(gp, argmax, ys, x, xs, w, g.padH(), g.padW(), input, weight, true);
        ImplicitGemmConv.PlaneSource src = ImplicitGemmConv.pooled(gp, argmax, o, oh, ow);
        if (winograd(g, ws[2], ws[3], n, c, o))
            return new GradArrays(
                    input
                            ? WinogradConv.backwardInput(inputGradientTile, src, ys, w, xs, g.padH(), g.padW(), true)
                            : null,
                    weight
                            ? WinogradConv.backwardWeight(
                                    src, ys, ImplicitGemmConv.dense(x, null, c, h, wd), xs, g.padH(), g.padW(), true)
                            : null);
        return new GradArrays(
                input ? ImplicitGemmConv.backwardInputStride1(src, ys, w, ws, xs, g) : null,
                weight ? ImplicitGemmConv.backwardWeightStride1(src, ys, x, xs, ws, g) : null);
    }

    /** Whether {@link #conv2dMaxPoolBackward} applies to this geometry and kernel. */
    public boolean pooledBackwardSupported(ConvGeometry g, int kh, int kw) {
        return stride1Input(g, kh, kw);
    }

    private boolean stride1Input(ConvGeometry g, int kh, int kw) {
        return fast(g) && g.dilH() * (kh - 1) - g.padH() >= 0 && g.dilW() * (kw - 1) - g.padW() >= 0;
    }
}
