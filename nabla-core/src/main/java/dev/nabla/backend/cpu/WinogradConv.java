package dev.nabla.backend.cpu;

import static dev.nabla.backend.cpu.ConvKernels.work;

import dev.nabla.backend.cpu.ImplicitGemmConv.PlaneSource;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2x2, 3x3) and F(4x4, 3x3) for 3x3, stride-1, dilation-1 float32 convolutions (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016). With F(2x2, 3x3) each 2x2 block of outputs is computed from a
 * 4x4 block of inputs with 16 multiplications per (input, output) channel pair instead of 36, 2.25x fewer, so a
 * layer's work becomes 16 matrix products, one per position ξ of the 4x4 transformed tile, on the GEMM micro-kernel
 * (F(4x4, 3x3): 36 products for 4x4 outputs, 4x fewer multiplications, larger rounding errors; forward and input
 * gradient only):
 * <pre>
 *   forward          Y[k]      = Aᵀ [ Σ_c U[k,c] ⊙ V[c] ] A        U = G g Gᵀ,  V = Bᵀ d B
 *   weight gradient  dg[k,c]   = Gᵀ [ Σ_tiles (A dY[k] Aᵀ) ⊙ V[c] ] G   (the transpose of the forward algorithm)
 *   input gradient   the forward pass on dY with the flipped, channel-swapped filter (a stride-1 3x3 convolution)
 * </pre>
 * <b>Layout.</b> The tiles of 8 images go side by side in the 8 lanes of a vector: a group of 8 images is copied
 * zero-padded and transposed to [channel][row][column][image], so a tile's 16 inputs are 16 vector loads and every
 * transform is plain vector adds over the 8 images. The columns of the ξ-matrices are (tile, image) pairs. Forward,
 * the transformed inputs V[ξ] are written straight into the micro-kernel's 16-column B panels (two tiles' lanes per
 * panel) and the filters into its 4-row A panels, so the 16 products need no packing; for the weight gradient V[ξ]
 * and the transformed output gradient are plain rows, multiplied as dot products along them. A group runs
 * {@link #BLOCK} tiles at a time. A batch whose size is not a multiple of 8 leaves the last group's spare lanes zero
 * (computed and dropped).
 * <p>
 * <b>Accuracy.</b> The transforms add and subtract (and halve, exactly, for G): the result differs from direct
 * convolution by rounding only. On the reference CNN's second layer the largest error, relative to the largest value,
 * is 2.7e-7 forward, 3.5e-7 for the input gradient and 2.7e-7 for the weight gradient, where the direct float32 kernel
 * has 7.1e-7, 9.6e-7 and 2.7e-7 (WinogradConvTest: each product sums 32 or 64 channels, not 288 or 576 terms, before
 * the transforms add 9 or 16 of them). The filter transform and the weight gradient's back-transform run in double.
 * <p>
 * <b>Twin.</b> Each transform has a scalar twin ({@code vector = false}) that does the same operations in the same
 * order lane by lane; the tests demand the same bits from both. Called only where {@link Kernels#vectorized()} holds.
 */
final class WinogradConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256, Z = FloatVector.SPECIES_512;

    /** Images per group: one per vector lane. */
    static final int L = 8;

    private WinogradConv() {}

    /**
     * Tile geometry of one convolution: F(m x m, 3x3) with m = 2 or 4, output OH x OW in th x tw tiles of m x m, each
     * computed from an (m + 2) x (m + 2) input block, the input padded to hp x wp.
     */
    record Tiles(int m, int th, int tw, int hp, int wp, int padH, int padW) {
        static Tiles of(int m, int h, int wd, int padH, int padW) {
            int oh = h + 2 * padH - 2, ow = wd + 2 * padW - 2, th = (oh + m - 1) / m, tw = (ow + m - 1) / m;
            return new Tiles(m, th, tw, m * th + 2, m * tw + 2, padH, padW);
        }

        int tiles() {
            return th * tw;
        }

        /** Positions ξ of the transformed tile: (m + 2)². */
        int xis() {
            return (m + 2) * (m + 2);
        }
    }

    /**
     * Tiles per block: the forward transforms and products of a group run one block of tiles at a time, which bounds a
     * group's working memory (16·C·BLOCK·8 floats of transformed inputs, 16·O·BLOCK·8 of products) for large images; on
     * the reference CNN's conv2 (49 tiles) 32 measured as fast as whole images and faster than 8 or 16. Even: two
     * tiles' 8 lanes are one 16-column panel.
     */
    static final int BLOCK = 32;

    /**
     * Tiles per block of the weight gradient: a whole image of up to 64 tiles (16x16 outputs) in one block, so that the
     * dot products' lane accumulators stay in registers from the first column to the last (carrying them through memory
     * between blocks of 32 measured the same speed, blocks of 16 slower).
     */
    static final int WEIGHT_BLOCK = 64;

    /**
     * Floats from one ξ-matrix of `rows` rows and `cols` columns to the next: 16 more than its size, so that the 16 (or
     * 36) matrices a transform writes side by side do not start a multiple of 4 KiB apart (they did, 32 or 64 KiB:
     * every one of them then fell in the same L1 set, and the input transform took twice the time of the products).
     */
    static int plane(int rows, int cols) {
        return rows * cols + 16;
    }

    /** Columns of the ξ-matrices of the block of tiles [t0, t1): (tile, lane) pairs, rounded up to whole panels. */
    private static int columns(int t0, int t1) {
        return (t1 - t0 + 1) / 2 * 2 * L;
    }

    /**
     * Receives one m x m output tile of 8 images: y[(m·i + j)·L + l] is output (m·ty + i, m·tx + j) of channel k of
     * image i0 + l, for l < gn (lanes from gn on are padding). Rows and columns past OH x OW are included (when m does
     * not divide OH or OW) and must be dropped. y has L more floats after the tile and ints has L ints: scratch space
     * of the calling thread.
     */
    @FunctionalInterface
    interface TileSink {
        void tile(int i0, int gn, int k, int ty, int tx, int m, float[] y, int[] ints);
    }

    // ---------------------------------------------------------------- the three passes

    /**
     * Stride-1 3x3 convolution of x, shape xs = [N, C, H, W] (plane by plane), with w [O, C, 3, 3], padding
     * (padH, padW), no bias, by F(m x m, 3x3), m = 2 or 4: every m x m output tile goes to sink. Per group of 8
     * images: the padded, transposed images; their transforms V, written straight into the micro-kernel's B panels;
     * the (m+2)² products M[ξ] = U[ξ]·V[ξ] on {@link VectorGemm}'s micro-kernel (U packed once into its A panels); the
     * output transform of each tile.
     */
    static void forward(
            int mt, PlaneSource x, int[] xs, float[] w, int o, int padH, int padW, boolean vector, TileSink sink) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
        Tiles t = Tiles.of(mt, h, wd, padH, padW);
        int xis = t.xis(), uStep = filterStep(o, c);
        float[] u = transformFilters(mt, w, o, c);
        ConvKernels.overGroups(n, L, (q, par) -> {
            int i0 = q * L, gn = Math.min(L, n - i0);
            float[] xp = padTransposed(x, i0, gn, c, t);
            for (int t0 = 0; t0 < t.tiles(); t0 += BLOCK) {
                int t1 = Math.min(t0 + BLOCK, t.tiles()), cols = columns(t0, t1);
                float[] v = work(1, xis * plane(c, cols)), m = work(2, xis * plane(o, cols));
                transformInputs(xp, c, t, t0, t1, v, true, vector);
                if (par) Parallel.forRange(xis, 1, (s, e) -> products(u, uStep, v, m, o, c, cols, s, e));
                else products(u, uStep, v, m, o, c, cols, 0, xis);
                transformOutputs(m, o, t, t0, t1, i0, gn, vector, sink);
            }
        });
    }

    /** M[ξ] (o x cols, row-major) = U[ξ]·V[ξ] for ξ in [xi0, xi1), on the GEMM micro-kernel over the packed panels. */
    private static void products(float[] u, int uStep, float[] v, float[] m, int o, int c, int cols, int xi0, int xi1) {
        float[] tile = new float[256];
        for (int xi = xi0; xi < xi1; xi++) {
            int ua = xi * uStep, vb = xi * plane(c, cols), mc = xi * plane(o, cols);
            for (int jr = 0; jr < cols; jr += VectorGemm.PANEL_NR)
                for (int ir = 0; ir < o; ir += VectorGemm.PANEL_MR)
                    VectorGemm.panelKernel(
                            c,
                            u,
                            ua + ir * c,
                            v,
                            vb + jr * c,
                            m,
                            mc + ir * cols + jr,
                            cols,
                            Math.min(VectorGemm.PANEL_MR, o - ir),
                            VectorGemm.PANEL_NR,
                            tile,
                            false);
        }
    }

    /**
     * dL/dx, shape xs = [N, C, H, W], of the convolution above from dL/dy, shape ys = [N, O, OH, OW] (plane by
     * plane), and w [O, C, 3, 3]: the forward pass on dL/dy, padded by 2 − pad, with the filter flipped in space and
     * its channels swapped.
     */
    static float[] backwardInput(
            int mt, PlaneSource gy, int[] ys, float[] w, int[] xs, int padH, int padW, boolean vector) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ys[1];
        float[] wf = ImplicitGemmConv.flipped(w, o, c, 3, 3);
        float[] gx = new float[n * c * h * wd];
        forward(mt, gy, ys, wf, c, 2 - padH, 2 - padW, vector, planes(gx, c, h, wd, null, false));
        return gx;
    }

    /**
     * A sink that writes the tiles into y [N, k, oh, ow] (dropping what lies past its edges), adding bias[k] (null:
     * none) and clamping at 0 when relu.
     */
    static TileSink planes(float[] y, int channels, int oh, int ow, float[] bias, boolean relu) {
        return (i0, gn, k, ty, tx, m, v, ints) -> {
            float b = bias == null ? 0f : bias[k];
            int r0 = m * ty, c0 = m * tx, rows = Math.min(m, oh - r0), cols = Math.min(m, ow - c0);
            for (int l = 0; l < gn; l++) {
                int dst = ((i0 + l) * channels + k) * oh * ow + r0 * ow + c0;
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) y[dst + i * ow + j] = act(v[(m * i + j) * L + l] + b, relu);
            }
        };
    }

    private static float act(float v, boolean relu) {
        return relu ? Math.max(v, 0f) : v;
    }

    /**
     * A sink for conv + bias + ReLU + 2x2/2 max-pool (OH and OW even): a 2x2 output tile is exactly one pooling window,
     * so each tile gives one pooled value relu(max + b) and the code of its argmax ({@link PoolKernels#windowCode},
     * first maximum, as PyTorch; arg null: not kept).
     */
    static TileSink pooled(float[] y, byte[] arg, int channels, int oh, int ow, float[] bias, boolean vector) {
        int ph = oh / 2, pw = ow / 2, imageStride = channels * ph * pw;
        return (i0, gn, k, ty, tx, m, v, ints) -> {
            float add = bias == null ? 0f : bias[k];
            int h = m / 2; // windows per tile side
            for (int a = 0; a < h && h * ty + a < ph; a++)
                for (int b = 0; b < h && h * tx + b < pw; b++) {
                    int py = h * ty + a, px = h * tx + b;
                    int e0 = (m * 2 * a + 2 * b) * L, e1 = e0 + m * L; // the window's top-left, bottom-left in v
                    int dst = ((i0 * channels + k) * ph + py) * pw + px;
                    if (vector) {
                        int values = m * m * L; // the scratch after the tile
                        poolLanes(v, e0, e1, add, values, ints);
                        for (int l = 0; l < gn; l++, dst += imageStride) {
                            y[dst] = v[values + l];
                            if (arg != null) arg[dst] = (byte) ints[l];
                        }
                        continue;
                    }
                    for (int l = 0; l < gn; l++, dst += imageStride) {
                        float p = v[e0 + l], q = v[e0 + L + l], d = v[e1 + l], e = v[e1 + L + l];
                        y[dst] = Math.max(Math.max(Math.max(p, q), Math.max(d, e)) + add, 0f);
                        if (arg != null) arg[dst] = (byte) PoolKernels.windowCode(p, q, d, e);
                    }
                }
        };
    }

    /**
     * One pooling window for the 8 lanes at once: v[values + l] = relu(max of the window + add) and ints[l] = the code
     * of the argmax, by the scalar sink's operations (the same bits).
     */
    private static void poolLanes(float[] v, int e0, int e1, float add, int values, int[] ints) {
        FloatVector p = FloatVector.fromArray(S, v, e0), q = FloatVector.fromArray(S, v, e0 + L);
        FloatVector d = FloatVector.fromArray(S, v, e1), e = FloatVector.fromArray(S, v, e1 + L);
        FloatVector tv = p.max(q), bv = d.max(e);
        tv.max(bv).add(add).max(0f).intoArray(v, values);
        IntVector t = ((IntVector) p.sub(q).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
        IntVector u = ((IntVector) d.sub(e).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
        IntVector lower = ((IntVector) tv.sub(bv).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
        t.add(lower.mul(u.sub(t).add(2))).intoArray(ints, 0); // the sign bits: 1 where negative
    }

    /**
     * dL/dw [O, C, 3, 3] from dL/dy, shape ys = [N, O, OH, OW], and x, shape xs = [N, C, H, W] (both plane by plane):
     * per group, the inputs'
     * and the output gradient's transforms, then dU[ξ][k][c] = Σ over (tile, image) of (A dY[k] Aᵀ)[ξ]·V[c][ξ], dot
     * products along the columns ({@link #dots}); one partial sum per group, added in group order (the result does
     * not depend on the schedule), then transformed back in double.
     */
    static float[] backwardWeight(
            PlaneSource gy, int[] ys, PlaneSource x, int[] xs, int padH, int padW, boolean vector) {
        return backwardWeight(gy, ys, x, xs, padH, padW, vector, vector && VectorGemm.WIDE);
    }

    /** {@link #backwardWeight} with the dot products on 16-lane vectors (wide) or 8-lane ones: for the tests of both. */
    static float[] backwardWeight(
            PlaneSource gy, int[] ys, PlaneSource x, int[] xs, int padH, int padW, boolean vector, boolean wide) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ys[1];
        Tiles t = Tiles.of(2, h, wd, padH, padW);
        float[][] partial = new float[(n + L - 1) / L][];
        ConvKernels.overGroups(n, L, (q, par) -> {
            int i0 = q * L, gn = Math.min(L, n - i0);
            float[] xp = padTransposed(x, i0, gn, c, t);
            // the output gradient, transposed to [o][2th][2tw][lane], zero past OH x OW
            float[] gp = transposed(gy, i0, gn, o, 2 * t.th(), 2 * t.tw(), 0, 0, 2);
            // lane accumulators carried from one block to the next (only when a group has more than one block)
            float[] acc = t.tiles() > WEIGHT_BLOCK ? work(4, 16 * o * c * DOT_LANES) : null;
            float[] du = partial[q] = new float[16 * o * c];
            for (int t0 = 0; t0 < t.tiles(); t0 += WEIGHT_BLOCK) {
                int t1 = Math.min(t0 + WEIGHT_BLOCK, t.tiles()), cols = columns(t0, t1);
                boolean first = t0 == 0, last = t1 == t.tiles();
                float[] v = work(1, 16 * plane(c, cols)), gt = work(3, 16 * plane(o, cols));
                transformInputs(xp, c, t, t0, t1, v, false, vector);
                transformGradients(gp, o, t, t0, t1, gt, vector);
                if (par)
                    Parallel.forRange(
                            16, 1, (s, e) -> dots(gt, v, acc, du, o, c, cols, s, e, first, last, vector, wide));
                else dots(gt, v, acc, du, o, c, cols, 0, 16, first, last, vector, wide);
            }
        });
        float[] du = ConvKernels.sumPartials(partial, 16 * o * c);
        return transformFilterGradients(2, du, o, c);
    }

    /**
     * Images i0 .. i0+gn of x copied into this thread's workspace slot 0 as [C][hp][wp][L] (the tiles' padded input): zero
     * padding, element (y, x) of image i0 + l at ((ch·hp + padH + y)·wp + padW + x)·L + l; lanes gn .. L−1 stay zero.
     */
    private static float[] padTransposed(PlaneSource x, int i0, int gn, int c, Tiles t) {
        return transposed(x, i0, gn, c, t.hp(), t.wp(), t.padH(), t.padW(), 0);
    }

    /**
     * Planes i0 .. i0+gn of src (`channels` channels each) copied into this thread's workspace slot as
     * [channels][rows][cols][L], starting at row top and column left, zero everywhere else (and in lanes gn .. L−1).
     */
    private static float[] transposed(
            PlaneSource src, int i0, int gn, int channels, int rows, int cols, int top, int left, int slot) {
        int size = channels * rows * cols * L;
        float[] dst = work(slot, size);
        java.util.Arrays.fill(dst, 0, size, 0f);
        for (int img = 0; img < gn; img++)
            for (int ch = 0; ch < channels; ch++)
                src.plane(i0 + img, ch, dst, ((ch * rows + top) * cols + left) * L + img, cols * L, L);
        return dst;
    }

    /**
     * Where (row, tile, lane 0) of a ξ-matrix with `rows` rows lies in the packed layout shared by the transforms:
     * 16-column panels of two tiles' 8 lanes, [panel][row][16], so a row of V is a B panel row of the micro-kernel.
     */
    private static int packed(int row, int rows, int tile) {
        return ((tile >> 1) * rows + row) * 16 + (tile & 1) * L;
    }

    /**
     * Lane accumulators per dot product of the weight gradient: 16, a 16-column panel of two tiles' 8 lanes (one 512-bit
     * vector). Lane l of dot product (k, ci) sums the columns j ≡ l (mod 16) in order; the lanes are then added in a
     * fixed order. The 8-lane kernel runs the same chains in two halves, so the bits depend on neither the vector width
     * nor the thread count.
     */
    static final int DOT_LANES = 16;

    /**
     * dU[ξ][k][ci] = Σ_j W[ξ](k, j)·V[ξ](ci, j) for ξ in [xi0, xi1), over the columns of the row-major ξ-matrices W
     * (o rows) and V (c rows) of one block of tiles, cols columns each (a multiple of 16): fused multiply-adds lane by
     * lane, 4 x 4 dot products at a time, into {@link #DOT_LANES} lane accumulators that start at zero in a group's first
     * block and are carried to the next block in acc[((ξ·o + k)·c + ci)·16 + l]; in the last block the lanes are added
     * up in a fixed order into du (a group of the reference CNN has one block: no accumulator goes through memory). The
     * scalar twin does the same, lane by lane.
     */
    static void dots(
            float[] w,
            float[] v,
            float[] acc,
            float[] du,
            int o,
            int c,
            int cols,
            int xi0,
            int xi1,
            boolean first,
            boolean last,
            boolean vector,
            boolean wide) {
        final int dl = DOT_LANES;
        float[] lanes = new float[16 * dl], sums = new float[16];
        for (int xi = xi0; xi < xi1; xi++) {
            int wb = xi * plane(o, cols), vb = xi * plane(c, cols);
            for (int k = 0; k < o; k += 4)
                for (int ci = 0; ci < c; ci += 4) {
                    int kr = Math.min(4, o - k), cr = Math.min(4, c - ci), ab = ((xi * o + k) * c + ci) * dl;
                    if (!first) // the lanes carried from the previous block
                    for (int r = 0; r < kr; r++) System.arraycopy(acc, ab + r * c * dl, lanes, r * 4 * dl, cr * dl);
                    int wo = wb + k * cols, vo = vb + ci * cols;
                    if (vector && kr == 4 && cr == 4 && wide) dotBlock(w, wo, v, vo, cols, lanes, first);
                    else if (vector && kr == 4 && cr == 4)
                        for (int r0 = 0; r0 < 4; r0 += 2)
                            for (int h = 0; h < dl; h += L)
                                dotBlockHalf(w, wo + r0 * cols, v, vo, cols, lanes, r0, h, first);
                    else dotBlockScalar(w, wo, kr, v, vo, cr, cols, lanes, first);
                    if (last && vector && wide && kr == 4 && cr == 4) {
                        reduce16(lanes, sums);
                        for (int l = 0; l < 16; l++) {
                            int d = LANE_DOT[l];
                            du[(xi * o + k + d / 4) * c + ci + d % 4] = sums[l];
                        }
                    } else
                        for (int r = 0; r < kr; r++)
                            if (last)
                                for (int s = 0; s < cr; s++)
                                    du[(xi * o + k + r) * c + ci + s] = sumLanes(lanes, (r * 4 + s) * dl);
                            else System.arraycopy(lanes, r * 4 * dl, acc, ab + r * c * dl, cr * dl);
                }
        }
    }

    /**
     * The 16 lanes at a[off ..] added in a fixed order: lanes l and l + 8, then those sums 4 apart, then 2, then 1 (the
     * order in which {@link #reduce16} adds all 16 dot products at once on vectors).
     */
    private static float sumLanes(float[] a, int off) {
        return (((a[off] + a[off + 8]) + (a[off + 4] + a[off + 12]))
                        + ((a[off + 2] + a[off + 10]) + (a[off + 6] + a[off + 14])))
                + (((a[off + 1] + a[off + 9]) + (a[off + 5] + a[off + 13]))
                        + ((a[off + 3] + a[off + 11]) + (a[off + 7] + a[off + 15])));
    }

    /** Lane swaps (l ↔ l xor 8, 4, 2, 1) and the masks of the lanes with that bit set, for {@link #reduce16}. */
    private static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(Z, i -> i ^ 8),
            X4 = VectorShuffle.fromOp(Z, i -> i ^ 4),
            X2 = VectorShuffle.fromOp(Z, i -> i ^ 2),
            X1 = VectorShuffle.fromOp(Z, i -> i ^ 1);

    private static final VectorMask<Float> M8 = VectorMask.fromLong(Z, 0xFF00L),
            M4 = VectorMask.fromLong(Z, 0xF0F0L),
            M2 = VectorMask.fromLong(Z, 0xCCCCL),
            M1 = VectorMask.fromLong(Z, 0xAAAAL);

    /** The dot product (r·4 + s) whose sum {@link #reduce16} leaves in each lane of its result. */
    private static final int[] LANE_DOT = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};

    /*
     * The 16 dot products of a 4 x 4 block (16 lanes each at lanes[d·16], d = r·4 + s) summed at once: each step adds
     * every vector to itself with lanes l and l xor b swapped (b = 8, 4, 2, 1) and merges two vectors into one by their
     * lanes with bit b, so every sum is sumLanes' tree (up to the order of two operands, which does not change a float
     * sum). out[l] gets the sum of dot product LANE_DOT[l]. Written out: vectors passed to a helper would be boxed.
     */
    private static void reduce16(float[] lanes, float[] out) {
        FloatVector a0 = FloatVector.fromArray(Z, lanes, 0);
        FloatVector a1 = FloatVector.fromArray(Z, lanes, 16);
        FloatVector a2 = FloatVector.fromArray(Z, lanes, 32);
        FloatVector a3 = FloatVector.fromArray(Z, lanes, 48);
        FloatVector a4 = FloatVector.fromArray(Z, lanes, 64);
        FloatVector a5 = FloatVector.fromArray(Z, lanes, 80);
        FloatVector a6 = FloatVector.fromArray(Z, lanes, 96);
        FloatVector a7 = FloatVector.fromArray(Z, lanes, 112);
        FloatVector a8 = FloatVector.fromArray(Z, lanes, 128);
        FloatVector a9 = FloatVector.fromArray(Z, lanes, 144);
        FloatVector a10 = FloatVector.fromArray(Z, lanes, 160);
        FloatVector a11 = FloatVector.fromArray(Z, lanes, 176);
        FloatVector a12 = FloatVector.fromArray(Z, lanes, 192);
        FloatVector a13 = FloatVector.fromArray(Z, lanes, 208);
        FloatVector a14 = FloatVector.fromArray(Z, lanes, 224);
        FloatVector a15 = FloatVector.fromArray(Z, lanes, 240);
        FloatVector s0_0 = a0.add(a0.rearrange(X8)).blend(a1.add(a1.rearrange(X8)), M8);
        FloatVector s0_1 = a2.add(a2.rearrange(X8)).blend(a3.add(a3.rearrange(X8)), M8);
        FloatVector s0_2 = a4.add(a4.rearrange(X8)).blend(a5.add(a5.rearrange(X8)), M8);
        FloatVector s0_3 = a6.add(a6.rearrange(X8)).blend(a7.add(a7.rearrange(X8)), M8);
        FloatVector s0_4 = a8.add(a8.rearrange(X8)).blend(a9.add(a9.rearrange(X8)), M8);
        FloatVector s0_5 = a10.add(a10.rearrange(X8)).blend(a11.add(a11.rearrange(X8)), M8);
        FloatVector s0_6 = a12.add(a12.rearrange(X8)).blend(a13.add(a13.rearrange(X8)), M8);
        FloatVector s0_7 = a14.add(a14.rearrange(X8)).blend(a15.add(a15.rearrange(X8)), M8);
        FloatVector s1_0 = s0_0.add(s0_0.rearrange(X4)).blend(s0_1.add(s0_1.rearrange(X4)), M4);
        FloatVector s1_1 = s0_2.add(s0_2.rearrange(X4)).blend(s0_3.add(s0_3.rearrange(X4)), M4);
        FloatVector s1_2 = s0_4.add(s0_4.rearrange(X4)).blend(s0_5.add(s0_5.rearrange(X4)), M4);
        FloatVector s1_3 = s0_6.add(s0_6.rearrange(X4)).blend(s0_7.add(s0_7.rearrange(X4)), M4);
        FloatVector s2_0 = s1_0.add(s1_0.rearrange(X2)).blend(s1_1.add(s1_1.rearrange(X2)), M2);
        FloatVector s2_1 = s1_2.add(s1_2.rearrange(X2)).blend(s1_3.add(s1_3.rearrange(X2)), M2);
        FloatVector s3_0 = s2_0.add(s2_0.rearrange(X1)).blend(s2_1.add(s2_1.rearrange(X1)), M1);
        s3_0.intoArray(out, 0);
    }

    /*
     * The 4 x 4 block on 16-lane vectors, unrolled by hand (named accumulators; see VectorGemm on why): lanes[(r·4 + s)·16
     * ..] (+)= W row r · V row s lane by lane, r, s < 4 (from zero when first). Its twin is dotBlockScalar.
     */
    private static void dotBlock(float[] w, int wo, float[] v, int vo, int cols, float[] lanes, boolean first) {
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        if (first) {
            a00 = a01 = a02 =
                    a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = FloatVector.zero(Z);
        } else {
            a00 = FloatVector.fromArray(Z, lanes, 0);
            a01 = FloatVector.fromArray(Z, lanes, 16);
            a02 = FloatVector.fromArray(Z, lanes, 32);
            a03 = FloatVector.fromArray(Z, lanes, 48);
            a10 = FloatVector.fromArray(Z, lanes, 64);
            a11 = FloatVector.fromArray(Z, lanes, 80);
            a12 = FloatVector.fromArray(Z, lanes, 96);
            a13 = FloatVector.fromArray(Z, lanes, 112);
            a20 = FloatVector.fromArray(Z, lanes, 128);
            a21 = FloatVector.fromArray(Z, lanes, 144);
            a22 = FloatVector.fromArray(Z, lanes, 160);
            a23 = FloatVector.fromArray(Z, lanes, 176);
            a30 = FloatVector.fromArray(Z, lanes, 192);
            a31 = FloatVector.fromArray(Z, lanes, 208);
            a32 = FloatVector.fromArray(Z, lanes, 224);
            a33 = FloatVector.fromArray(Z, lanes, 240);
        }
        for (int j = 0; j < cols; j += 16) {
            FloatVector g0 = FloatVector.fromArray(Z, w, wo + j), g1 = FloatVector.fromArray(Z, w, wo + cols + j);
            FloatVector g2 = FloatVector.fromArray(Z, w, wo + 2 * cols + j),
                    g3 = FloatVector.fromArray(Z, w, wo + 3 * cols + j);
            FloatVector x0 = FloatVector.fromArray(Z, v, vo + j);
            a00 = g0.fma(x0, a00);
            a10 = g1.fma(x0, a10);
            a20 = g2.fma(x0, a20);
            a30 = g3.fma(x0, a30);
            FloatVector x1 = FloatVector.fromArray(Z, v, vo + cols + j);
            a01 = g0.fma(x1, a01);
            a11 = g1.fma(x1, a11);
            a21 = g2.fma(x1, a21);
            a31 = g3.fma(x1, a31);
            FloatVector x2 = FloatVector.fromArray(Z, v, vo + 2 * cols + j);
            a02 = g0.fma(x2, a02);
            a12 = g1.fma(x2, a12);
            a22 = g2.fma(x2, a22);
            a32 = g3.fma(x2, a32);
            FloatVector x3 = FloatVector.fromArray(Z, v, vo + 3 * cols + j);
            a03 = g0.fma(x3, a03);
            a13 = g1.fma(x3, a13);
            a23 = g2.fma(x3, a23);
            a33 = g3.fma(x3, a33);
        }
        a00.intoArray(lanes, 0);
        a01.intoArray(lanes, 16);
        a02.intoArray(lanes, 32);
        a03.intoArray(lanes, 48);
        a10.intoArray(lanes, 64);
        a11.intoArray(lanes, 80);
        a12.intoArray(lanes, 96);
        a13.intoArray(lanes, 112);
        a20.intoArray(lanes, 128);
        a21.intoArray(lanes, 144);
        a22.intoArray(lanes, 160);
        a23.intoArray(lanes, 176);
        a30.intoArray(lanes, 192);
        a31.intoArray(lanes, 208);
        a32.intoArray(lanes, 224);
        a33.intoArray(lanes, 240);
    }

    /**
     * The same chains as {@link #dotBlock} on 8-lane vectors: rows r0, r0 + 1 of the 4 x 4 block, lanes h .. h + 7 of
     * the 16 (columns j ≡ h + l mod 16), for machines without 512-bit vectors.
     */
    private static void dotBlockHalf(
            float[] w, int wo, float[] v, int vo, int cols, float[] lanes, int r0, int h, boolean first) {
        int base = r0 * 4 * 16 + h;
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13;
        if (first) {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = FloatVector.zero(S);
        } else {
            a00 = FloatVector.fromArray(S, lanes, base);
            a01 = FloatVector.fromArray(S, lanes, base + 16);
            a02 = FloatVector.fromArray(S, lanes, base + 32);
            a03 = FloatVector.fromArray(S, lanes, base + 48);
            a10 = FloatVector.fromArray(S, lanes, base + 64);
            a11 = FloatVector.fromArray(S, lanes, base + 80);
            a12 = FloatVector.fromArray(S, lanes, base + 96);
            a13 = FloatVector.fromArray(S, lanes, base + 112);
        }
        for (int j = h; j < cols; j += 16) {
            FloatVector g0 = FloatVector.fromArray(S, w, wo + j), g1 = FloatVector.fromArray(S, w, wo + cols + j);
            FloatVector x0 = FloatVector.fromArray(S, v, vo + j);
            a00 = g0.fma(x0, a00);
            a10 = g1.fma(x0, a10);
            FloatVector x1 = FloatVector.fromArray(S, v, vo + cols + j);
            a01 = g0.fma(x1, a01);
            a11 = g1.fma(x1, a11);
            FloatVector x2 = FloatVector.fromArray(S, v, vo + 2 * cols + j);
            a02 = g0.fma(x2, a02);
            a12 = g1.fma(x2, a12);
            FloatVector x3 = FloatVector.fromArray(S, v, vo + 3 * cols + j);
            a03 = g0.fma(x3, a03);
            a13 = g1.fma(x3, a13);
        }
        a00.intoArray(lanes, base);
        a01.intoArray(lanes, base + 16);
        a02.intoArray(lanes, base + 32);
        a03.intoArray(lanes, base + 48);
        a10.intoArray(lanes, base + 64);
        a11.intoArray(lanes, base + 80);
        a12.intoArray(lanes, base + 96);
        a13.intoArray(lanes, base + 112);
    }

    /** The twin of {@link #dotBlock} (and its form for partial blocks: kr ≤ 4 rows of W, cr ≤ 4 of V). */
    private static void dotBlockScalar(
            float[] w, int wo, int kr, float[] v, int vo, int cr, int cols, float[] lanes, boolean first) {
        if (first) java.util.Arrays.fill(lanes, 0f);
        for (int j = 0; j < cols; j += 16)
            for (int r = 0; r < kr; r++)
                for (int s = 0; s < cr; s++) {
                    int wi = wo + r * cols + j, vi = vo + s * cols + j, a = (r * 4 + s) * 16;
                    for (int l = 0; l < 16; l++) lanes[a + l] = Math.fma(w[wi + l], v[vi + l], lanes[a + l]);
                }
    }

    // ---------------------------------------------------------------- the transforms (vector kernels and twins)

    /** G for F(2x2, 3x3) (interpolation points 0, ±1, ∞) and F(4x4, 3x3) (0, ±1, ±2, ∞), Lavin and Gray. */
    private static final double[][] G2 = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};

    private static final double[][] G4 = {
        {1 / 4.0, 0, 0},
        {-1 / 6.0, -1 / 6.0, -1 / 6.0},
        {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0},
        {1 / 24.0, -1 / 12.0, 1 / 6.0},
        {0, 0, 1}
    };

    /**
     * U[ξ] = (G g Gᵀ)[ξ] for the filters w [o][c][3][3], in double (rounded once); each U[ξ] (o x c) packed into the
     * micro-kernel's A panels of h = {@link VectorGemm#PANEL_MR} rows, u[ξ·step + ((k / h)·c + ci)·h + k % h], step =
     * {@link #filterStep}, zero past row o.
     */
    static float[] transformFilters(int m, float[] w, int o, int c) {
        double[][] g = m == 2 ? G2 : G4;
        int a = m + 2, step = filterStep(o, c), h = VectorGemm.PANEL_MR;
        float[] u = new float[a * a * step];
        // whole A panels of filters split over the threads (each filter's values do not depend on which thread
        // computes them; a panel's filters are interleaved in memory, so splitting inside a panel shares cache lines)
        Parallel.forRange((o + h - 1) / h, 1, (p0, p1) -> {
            double[] tg = new double[a * 3];
            for (int k = p0 * h; k < Math.min(p1 * h, o); k++)
                for (int ci = 0; ci < c; ci++) {
                    int f = (k * c + ci) * 9, at = ((k / h) * c + ci) * h + k % h;
                    for (int i = 0; i < a; i++) // G g: a x 3
                    for (int j = 0; j < 3; j++)
                            tg[i * 3 + j] = g[i][0] * w[f + j] + g[i][1] * w[f + 3 + j] + g[i][2] * w[f + 6 + j];
                    for (int i = 0; i < a; i++) // (G g) Gᵀ: a x a
                    for (int j = 0; j < a; j++)
                            u[(i * a + j) * step + at] =
                                    (float) (tg[i * 3] * g[j][0] + tg[i * 3 + 1] * g[j][1] + tg[i * 3 + 2] * g[j][2]);
                }
        });
        return u;
    }

    /** The floats of one packed U[ξ]: o rounded up to whole A panels, times c. */
    static int filterStep(int o, int c) {
        int h = VectorGemm.PANEL_MR;
        return (o + h - 1) / h * h * c;
    }

    /** dg[k][ci] = Gᵀ dU[k][ci] G (3x3 from (m+2)²), in double, from dU[ξ][k][ci]: the weight gradient's back-transform. */
    static float[] transformFilterGradients(int m, float[] du, int o, int c) {
        double[][] g = m == 2 ? G2 : G4;
        int a = m + 2, step = o * c;
        float[] dw = new float[o * c * 9];
        Parallel.forRange(o, Math.max(1, 64 / c), (k0, k1) -> { // filters split over the threads, as above
            double[] t = new double[3 * a];
            for (int k = k0; k < k1; k++)
                for (int ci = 0; ci < c; ci++) {
                    int src = k * c + ci;
                    for (int r = 0; r < 3; r++) // Gᵀ dU: 3 x a
                    for (int j = 0; j < a; j++) {
                            double acc = 0;
                            for (int i = 0; i < a; i++) acc += g[i][r] * du[src + (i * a + j) * step];
                            t[r * a + j] = acc;
                        }
                    for (int r = 0; r < 3; r++) // (Gᵀ dU) G: 3 x 3
                    for (int q = 0; q < 3; q++) {
                            double acc = 0;
                            for (int j = 0; j < a; j++) acc += t[r * a + j] * g[j][q];
                            dw[(k * c + ci) * 9 + r * 3 + q] = (float) acc;
                        }
                }
        });
        return dw;
    }

    /**
     * V[ξ] = (Bᵀ d B)[ξ] for the 4x4 input block d at rows 2ty.., columns 2tx.. of the padded, transposed images xp,
     * for the tiles [t0, t1), with Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]; in the B panels
     * ({@link #packed}) when panels, else in rows: V[ξ][ch][(tile − t0)·L + l].
     */
    static void transformInputs(float[] xp, int c, Tiles t, int t0, int t1, float[] v, boolean panels, boolean vector) {
        int cols = columns(t0, t1), step = plane(c, cols);
        float[] sc = new float[36 * L]; // scratch of the F(4x4) transform
        if (panels) {
            // a panel (two tiles) at a time, all channels: each ξ-matrix is written 64 bytes at a time, in order
            for (int p0 = t0; p0 < t1; p0 += 2)
                for (int ch = 0; ch < c; ch++)
                    for (int tile = p0; tile < p0 + 2; tile++)
                        transformTile(xp, c, t, tile, v, packed(ch, c, tile - t0), ch, step, tile == t1, vector, sc);
        } else {
            for (int ch = 0; ch < c; ch++) // row by row
            for (int tile = t0; tile < t0 + cols / L; tile++)
                    transformTile(xp, c, t, tile, v, ch * cols + (tile - t0) * L, ch, step, tile == t1, vector, sc);
        }
    }

    /** The transform of one tile of channel ch into v[dst + ξ·step] (zeros when past the last tile). */
    private static void transformTile(
            float[] xp,
            int c,
            Tiles t,
            int tile,
            float[] v,
            int dst,
            int ch,
            int step,
            boolean past,
            boolean vector,
            float[] sc) {
        if (past) { // the unused half of the last panel
            for (int xi = 0; xi < t.xis(); xi++) java.util.Arrays.fill(v, xi * step + dst, xi * step + dst + L, 0f);
            return;
        }
        int m = t.m(), ty = tile / t.tw(), tx = tile % t.tw(), row = t.wp() * L;
        int src = ((ch * t.hp() + m * ty) * t.wp() + m * tx) * L;
        if (m == 4) {
            if (vector) inputTile4(xp, src, row, v, dst, step, sc);
            else for (int l = 0; l < L; l++) inputTile4Scalar(xp, src + l, row, v, dst + l, step);
        } else if (vector) inputTile(xp, src, row, v, dst, step);
        else for (int l = 0; l < L; l++) inputTileScalar(xp, src + l, row, v, dst + l, step);
    }

    /*
     * The vector kernels below pass no vector to a helper method: C2 inlines a transform into the loop that calls it,
     * and when that compilation unit reaches C2's node budget, the next helper call is not inlined and its vector
     * arguments are boxed on the heap (measured: the input transform then took twice the time of the products).
     * The Vector API's own methods are force-inlined, whatever the budget.
     */

    private static void inputTile(float[] a, int s, int row, float[] v, int d, int step) {
        // rows of Bᵀ d: r0 = d0 − d2, r1 = d1 + d2, r2 = d2 − d1, r3 = d1 − d3 (4 columns each), each input row
        // loaded once; then each row r times B: (r0 − r2, r1 + r2, r2 − r1, r1 − r3)
        FloatVector d10 = FloatVector.fromArray(S, a, s + row), d11 = FloatVector.fromArray(S, a, s + row + L);
        FloatVector d12 = FloatVector.fromArray(S, a, s + row + 2 * L);
        FloatVector d13 = FloatVector.fromArray(S, a, s + row + 3 * L);
        FloatVector d20 = FloatVector.fromArray(S, a, s + 2 * row), d21 = FloatVector.fromArray(S, a, s + 2 * row + L);
        FloatVector d22 = FloatVector.fromArray(S, a, s + 2 * row + 2 * L);
        FloatVector d23 = FloatVector.fromArray(S, a, s + 2 * row + 3 * L);
        FloatVector r0 = FloatVector.fromArray(S, a, s).sub(d20),
                r1 = FloatVector.fromArray(S, a, s + L).sub(d21);
        FloatVector r2 = FloatVector.fromArray(S, a, s + 2 * L).sub(d22);
        FloatVector r3 = FloatVector.fromArray(S, a, s + 3 * L).sub(d23);
        r0.sub(r2).intoArray(v, d);
        r1.add(r2).intoArray(v, d + step);
        r2.sub(r1).intoArray(v, d + 2 * step);
        r1.sub(r3).intoArray(v, d + 3 * step);
        r0 = d10.add(d20);
        r1 = d11.add(d21);
        r2 = d12.add(d22);
        r3 = d13.add(d23);
        r0.sub(r2).intoArray(v, d + 4 * step);
        r1.add(r2).intoArray(v, d + 5 * step);
        r2.sub(r1).intoArray(v, d + 6 * step);
        r1.sub(r3).intoArray(v, d + 7 * step);
        r0 = d20.sub(d10);
        r1 = d21.sub(d11);
        r2 = d22.sub(d12);
        r3 = d23.sub(d13);
        r0.sub(r2).intoArray(v, d + 8 * step);
        r1.add(r2).intoArray(v, d + 9 * step);
        r2.sub(r1).intoArray(v, d + 10 * step);
        r1.sub(r3).intoArray(v, d + 11 * step);
        r0 = d10.sub(FloatVector.fromArray(S, a, s + 3 * row));
        r1 = d11.sub(FloatVector.fromArray(S, a, s + 3 * row + L));
        r2 = d12.sub(FloatVector.fromArray(S, a, s + 3 * row + 2 * L));
        r3 = d13.sub(FloatVector.fromArray(S, a, s + 3 * row + 3 * L));
        r0.sub(r2).intoArray(v, d + 12 * step);
        r1.add(r2).intoArray(v, d + 13 * step);
        r2.sub(r1).intoArray(v, d + 14 * step);
        r1.sub(r3).intoArray(v, d + 15 * step);
    }

    private static void inputTileScalar(float[] a, int s, int row, float[] v, int d, int step) {
        for (int i = 0; i < 4; i++) {
            int p = i == 0 ? s : i == 3 ? s + row : i == 1 ? s + row : s + 2 * row;
            int q = i == 0 ? s + 2 * row : i == 3 ? s + 3 * row : i == 1 ? s + 2 * row : s + row;
            float r0 = rowOp(i, a[p], a[q]), r1 = rowOp(i, a[p + L], a[q + L]);
            float r2 = rowOp(i, a[p + 2 * L], a[q + 2 * L]), r3 = rowOp(i, a[p + 3 * L], a[q + 3 * L]);
            int r = d + 4 * i * step;
            v[r] = r0 - r2;
            v[r + step] = r1 + r2;
            v[r + 2 * step] = r2 - r1;
            v[r + 3 * step] = r1 - r3;
        }
    }

    /** Row i of Bᵀ d from its two input rows' elements: p − q, except p + q for row 1. */
    private static float rowOp(int i, float p, float q) {
        return i == 1 ? p + q : p - q;
    }

    /**
     * The output transform Y = Aᵀ M A, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]], of every tile from M[ξ][k][tile·L + l]
     * (the products, row-major), handed to sink.
     */
    static void transformOutputs(
            float[] m, int o, Tiles t, int t0, int t1, int i0, int gn, boolean vector, TileSink sink) {
        int tw = t.tw(), mt = t.m(), cols = columns(t0, t1), step = plane(o, cols);
        float[] y = new float[(mt * mt + 1) * L], scratch = new float[24 * L];
        int[] ints = new int[L];
        for (int k = 0; k < o; k++)
            for (int tile = t0; tile < t1; tile++) {
                int ty = tile / tw, tx = tile % tw, src = k * cols + (tile - t0) * L;
                if (mt == 4) {
                    if (vector) outputTile4(m, src, step, y, scratch);
                    else for (int l = 0; l < L; l++) outputTile4Scalar(m, src + l, step, y, l);
                } else if (vector) outputTile(m, src, step, y);
                else for (int l = 0; l < L; l++) outputTileScalar(m, src + l, step, y, l);
                sink.tile(i0, gn, k, ty, tx, mt, y, ints);
            }
    }

    // ---------------------------------------------------------------- F(4x4, 3x3): 6x6 input blocks, 4x4 outputs

    /*
     * Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0], [0, 4, −4, −1, 1, 0], [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0],
     * [0, 4, 0, −5, 0, 1]] and Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0], [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]],
     * each applied to the columns of the block, then to its rows (through a scratch array), with the common
     * subexpressions of Lavin and Gray (and NNPACK). The helpers load and store their vectors themselves.
     */

    /** v[d + ξ·step], ξ = 6i + j, = (Bᵀ d B)(i, j) of the 6x6 block at a[s + r·row + c·L]; sc: 36·L floats of scratch. */
    private static void inputTile4(float[] a, int s, int row, float[] v, int d, int step, float[] sc) {
        for (int j = 0; j < 6; j++) b6(a, s + j * L, row, sc, j * L, 6 * L);
        for (int i = 0; i < 6; i++) b6(sc, 6 * i * L, L, v, d + 6 * i * step, step);
    }

    /** out[off + k·stride] = (Bᵀ x)_k for k = 0..5, x_i = in[p + i·inStride] (8 lanes each). */
    private static void b6(float[] in, int p, int inStride, float[] out, int off, int stride) {
        FloatVector x0 = FloatVector.fromArray(S, in, p), x1 = FloatVector.fromArray(S, in, p + inStride);
        FloatVector x2 = FloatVector.fromArray(S, in, p + 2 * inStride);
        FloatVector x3 = FloatVector.fromArray(S, in, p + 3 * inStride);
        FloatVector x4 = FloatVector.fromArray(S, in, p + 4 * inStride);
        FloatVector x5 = FloatVector.fromArray(S, in, p + 5 * inStride);
        FloatVector a = x4.sub(x2.mul(4f)),
                b = x3.sub(x1.mul(4f)),
                c = x4.sub(x2),
                e = x3.sub(x1).mul(2f);
        x0.mul(4f).sub(x2.mul(5f)).add(x4).intoArray(out, off);
        a.add(b).intoArray(out, off + stride);
        a.sub(b).intoArray(out, off + 2 * stride);
        c.add(e).intoArray(out, off + 3 * stride);
        c.sub(e).intoArray(out, off + 4 * stride);
        x1.mul(4f).sub(x3.mul(5f)).add(x5).intoArray(out, off + 5 * stride);
    }

    private static void inputTile4Scalar(float[] a, int s, int row, float[] v, int d, int step) {
        float[] sc = new float[36];
        for (int j = 0; j < 6; j++) {
            int p = s + j * L;
            b6(a[p], a[p + row], a[p + 2 * row], a[p + 3 * row], a[p + 4 * row], a[p + 5 * row], sc, j, 6);
        }
        for (int i = 0; i < 6; i++)
            b6(
                    sc[6 * i],
                    sc[6 * i + 1],
                    sc[6 * i + 2],
                    sc[6 * i + 3],
                    sc[6 * i + 4],
                    sc[6 * i + 5],
                    v,
                    d + 6 * i * step,
                    step);
    }

    private static void b6(
            float x0, float x1, float x2, float x3, float x4, float x5, float[] out, int off, int stride) {
        float a = x4 - x2 * 4f, b = x3 - x1 * 4f, c = x4 - x2, e = (x3 - x1) * 2f;
        out[off] = x0 * 4f - x2 * 5f + x4;
        out[off + stride] = a + b;
        out[off + 2 * stride] = a - b;
        out[off + 3 * stride] = c + e;
        out[off + 4 * stride] = c - e;
        out[off + 5 * stride] = x1 * 4f - x3 * 5f + x5;
    }

    /** y[(4i + j)·L + l] = (Aᵀ M A)(i, j) from M[s + ξ·step], ξ = 6r + c; sc: 24·L floats of scratch. */
    private static void outputTile4(float[] m, int s, int step, float[] y, float[] sc) {
        for (int j = 0; j < 6; j++) a6(m, s + j * step, 6 * step, sc, j * L, 6 * L);
        for (int i = 0; i < 4; i++) a6(sc, 6 * i * L, L, y, 4 * i * L, L);
    }

    /** out[off + k·stride] = (Aᵀ x)_k for k = 0..3, x_i = in[p + i·inStride] (8 lanes each). */
    private static void a6(float[] in, int p, int inStride, float[] out, int off, int stride) {
        FloatVector x0 = FloatVector.fromArray(S, in, p), x1 = FloatVector.fromArray(S, in, p + inStride);
        FloatVector x2 = FloatVector.fromArray(S, in, p + 2 * inStride);
        FloatVector x3 = FloatVector.fromArray(S, in, p + 3 * inStride);
        FloatVector x4 = FloatVector.fromArray(S, in, p + 4 * inStride);
        FloatVector x5 = FloatVector.fromArray(S, in, p + 5 * inStride);
        FloatVector a = x1.add(x2), b = x1.sub(x2), c = x3.add(x4), e = x3.sub(x4);
        x0.add(a).add(c).intoArray(out, off);
        b.add(e.mul(2f)).intoArray(out, off + stride);
        a.add(c.mul(4f)).intoArray(out, off + 2 * stride);
        b.add(e.mul(8f)).add(x5).intoArray(out, off + 3 * stride);
    }

    private static void outputTile4Scalar(float[] m, int s, int step, float[] y, int l) {
        float[] sc = new float[24];
        for (int j = 0; j < 6; j++) {
            int p = s + j * step;
            a6(m[p], m[p + 6 * step], m[p + 12 * step], m[p + 18 * step], m[p + 24 * step], m[p + 30 * step], sc, j, 6);
        }
        for (int i = 0; i < 4; i++)
            a6(
                    sc[6 * i],
                    sc[6 * i + 1],
                    sc[6 * i + 2],
                    sc[6 * i + 3],
                    sc[6 * i + 4],
                    sc[6 * i + 5],
                    y,
                    4 * i * L + l,
                    L);
    }

    private static void a6(
            float x0, float x1, float x2, float x3, float x4, float x5, float[] out, int off, int stride) {
        float a = x1 + x2, b = x1 - x2, c = x3 + x4, e = x3 - x4;
        out[off] = x0 + a + c;
        out[off + stride] = b + e * 2f;
        out[off + 2 * stride] = a + c * 4f;
        out[off + 3 * stride] = b + e * 8f + x5;
    }

    /** y[(2i + j)·L + l] = Y[i][j] of lane l. Written out: C2 boxes vectors passed to helpers it does not inline. */
    private static void outputTile(float[] m, int s, int step, float[] y) {
        FloatVector m00 = FloatVector.fromArray(S, m, s),
                m10 = FloatVector.fromArray(S, m, s + 4 * step),
                m20 = FloatVector.fromArray(S, m, s + 8 * step),
                m30 = FloatVector.fromArray(S, m, s + 12 * step);
        FloatVector a00 = m00.add(m10).add(m20), a10 = m10.sub(m20).sub(m30);
        FloatVector m01 = FloatVector.fromArray(S, m, s + step),
                m11 = FloatVector.fromArray(S, m, s + 5 * step),
                m21 = FloatVector.fromArray(S, m, s + 9 * step),
                m31 = FloatVector.fromArray(S, m, s + 13 * step);
        FloatVector a01 = m01.add(m11).add(m21), a11 = m11.sub(m21).sub(m31);
        FloatVector m02 = FloatVector.fromArray(S, m, s + 2 * step),
                m12 = FloatVector.fromArray(S, m, s + 6 * step),
                m22 = FloatVector.fromArray(S, m, s + 10 * step),
                m32 = FloatVector.fromArray(S, m, s + 14 * step);
        FloatVector a02 = m02.add(m12).add(m22), a12 = m12.sub(m22).sub(m32);
        FloatVector m03 = FloatVector.fromArray(S, m, s + 3 * step),
                m13 = FloatVector.fromArray(S, m, s + 7 * step),
                m23 = FloatVector.fromArray(S, m, s + 11 * step),
                m33 = FloatVector.fromArray(S, m, s + 15 * step);
        FloatVector a03 = m03.add(m13).add(m23), a13 = m13.sub(m23).sub(m33);
        a00.add(a01).add(a02).intoArray(y, 0);
        a01.sub(a02).sub(a03).intoArray(y, L);
        a10.add(a11).add(a12).intoArray(y, 2 * L);
        a11.sub(a12).sub(a13).intoArray(y, 3 * L);
    }

    private static void outputTileScalar(float[] m, int s, int step, float[] y, int l) {
        float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
        for (int j = 0; j < 4; j++) {
            float m0 = m[s + j * step], m1 = m[s + (4 + j) * step], m2 = m[s + (8 + j) * step];
            float m3 = m[s + (12 + j) * step], a0 = m0 + m1 + m2, a1 = m1 - m2 - m3;
            if (j == 0) {
                a00 = a0;
                a10 = a1;
            } else if (j == 1) {
                a01 = a0;
                a11 = a1;
            } else if (j == 2) {
                a02 = a0;
                a12 = a1;
            } else {
                a03 = a0;
                a13 = a1;
            }
        }
        y[l] = a00 + a01 + a02;
        y[L + l] = a01 - a02 - a03;
        y[2 * L + l] = a10 + a11 + a12;
        y[3 * L + l] = a11 - a12 - a13;
    }

    /**
     * The output gradient's transform W = A dY Aᵀ (4x4 from 2x2), A = [[1, 0], [1, 1], [1, −1], [0, −1]], from the
     * transposed gradient gp [o][2th][2tw][L] into W[ξ][k][(tile)·L + l].
     */
    static void transformGradients(float[] gp, int o, Tiles t, int t0, int t1, float[] w, boolean vector) {
        int tw = t.tw(), cols = columns(t0, t1), step = plane(o, cols), row = 2 * tw * L;
        for (int k = 0; k < o; k++)
            for (int tile = t0; tile < t0 + cols / L; tile++) {
                int dst = k * cols + (tile - t0) * L;
                if (tile == t1) {
                    for (int xi = 0; xi < 16; xi++) java.util.Arrays.fill(w, xi * step + dst, xi * step + dst + L, 0f);
                    continue;
                }
                int ty = tile / tw, tx = tile % tw, src = ((k * 2 * t.th() + 2 * ty) * 2 * tw + 2 * tx) * L;
                if (vector) gradientTile(gp, src, row, w, dst, step);
                else for (int l = 0; l < L; l++) gradientTileScalar(gp, src + l, row, w, dst + l, step);
            }
    }

    private static void gradientTile(float[] g, int s, int row, float[] w, int d, int step) {
        FloatVector g00 = FloatVector.fromArray(S, g, s),
                g01 = FloatVector.fromArray(S, g, s + L),
                g10 = FloatVector.fromArray(S, g, s + row),
                g11 = FloatVector.fromArray(S, g, s + row + L);
        // rows of A dY: r0 = g0, r1 = g0 + g1, r2 = g0 - g1, r3 = -g1 (each two columns); each row r times Aᵀ:
        // (r0, r0 + r1, r0 − r1, −r1)
        g00.intoArray(w, d);
        g00.add(g01).intoArray(w, d + step);
        g00.sub(g01).intoArray(w, d + 2 * step);
        g01.neg().intoArray(w, d + 3 * step);
        FloatVector r0 = g00.add(g10), r1 = g01.add(g11);
        r0.intoArray(w, d + 4 * step);
        r0.add(r1).intoArray(w, d + 5 * step);
        r0.sub(r1).intoArray(w, d + 6 * step);
        r1.neg().intoArray(w, d + 7 * step);
        r0 = g00.sub(g10);
        r1 = g01.sub(g11);
        r0.intoArray(w, d + 8 * step);
        r0.add(r1).intoArray(w, d + 9 * step);
        r0.sub(r1).intoArray(w, d + 10 * step);
        r1.neg().intoArray(w, d + 11 * step);
        r0 = g10.neg();
        r1 = g11.neg();
        r0.intoArray(w, d + 12 * step);
        r0.add(r1).intoArray(w, d + 13 * step);
        r0.sub(r1).intoArray(w, d + 14 * step);
        r1.neg().intoArray(w, d + 15 * step);
    }

    private static void gradientTileScalar(float[] g, int s, int row, float[] w, int d, int step) {
        float g00 = g[s], g01 = g[s + L], g10 = g[s + row], g11 = g[s + row + L];
        gradientRowScalar(g00, g01, w, d, step);
        gradientRowScalar(g00 + g10, g01 + g11, w, d + 4 * step, step);
        gradientRowScalar(g00 - g10, g01 - g11, w, d + 8 * step, step);
        gradientRowScalar(-g10, -g11, w, d + 12 * step, step);
    }

    private static void gradientRowScalar(float r0, float r1, float[] w, int d, int step) {
        w[d] = r0;
        w[d + step] = r0 + r1;
        w[d + 2 * step] = r0 - r1;
        w[d + 3 * step] = -r1;
    }
}
