package dev.nabla.backend.cpu;

import static dev.nabla.backend.cpu.ConvKernels.work;

import dev.nabla.backend.cpu.ImplicitGemmConv.PlaneSource;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2x2, 3x3) for 3x3, stride-1, dilation-1 float32 convolutions (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016): each 2x2 block of outputs is computed from a 4x4 block of inputs with 16
 * multiplications per (input, output) channel pair instead of 36, 2.25x fewer, so a layer's work becomes 16 matrix
 * products, one per position ξ of the 4x4 transformed tile, on the GEMM micro-kernel:
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
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    /** Images per group: one per vector lane. */
    static final int L = 8;

    private WinogradConv() {}

    /** Tile geometry of one convolution: output OH x OW in th x tw tiles of 2x2, input padded to hp x wp. */
    record Tiles(int oh, int ow, int th, int tw, int hp, int wp, int padH, int padW) {
        static Tiles of(int h, int wd, int padH, int padW) {
            int oh = h + 2 * padH - 2, ow = wd + 2 * padW - 2, th = (oh + 1) / 2, tw = (ow + 1) / 2;
            return new Tiles(oh, ow, th, tw, 2 * th + 2, 2 * tw + 2, padH, padW);
        }

        int tiles() {
            return th * tw;
        }
    }

    /**
     * Tiles per block: the transforms and products of a group run one block of tiles at a time, so that the transformed
     * inputs (16·C·BLOCK·8 floats), the products (16·O·BLOCK·8) and the padded images stay in the L2 cache; measured
     * on the reference CNN's second layer (BENCHMARKS.md). Even: two tiles' 8 lanes are one 16-column panel.
     */
    static final int BLOCK = 32;

    /** Columns of the ξ-matrices of the block of tiles [t0, t1): (tile, lane) pairs, rounded up to whole panels. */
    private static int columns(int t0, int t1) {
        return (t1 - t0 + 1) / 2 * 2 * L;
    }

    /**
     * Receives one 2x2 output tile of 8 images: y[(2i + j)·L + l] is output (2ty + i, 2tx + j) of channel k of image
     * i0 + l, for l < gn (lanes from gn on are padding). Rows and columns past OH x OW are included (when OH or OW is
     * odd) and must be dropped.
     */
    @FunctionalInterface
    interface TileSink {
        void tile(int i0, int gn, int k, int ty, int tx, float[] y);
    }

    // ---------------------------------------------------------------- the three passes

    /**
     * Stride-1 3x3 convolution of x [N, C, H, W] (plane by plane) with w [O, C, 3, 3], padding (padH, padW), no bias:
     * every 2x2 output tile goes to sink. Per group of 8 images: the padded, transposed images; their transforms
     * V, written straight into the micro-kernel's B panels; the 16 products M[ξ] = U[ξ]·V[ξ] on {@link VectorGemm}'s
     * micro-kernel (U packed once into its A panels); the output transform of each tile.
     */
    static void forward(
            PlaneSource x,
            int n,
            int c,
            int h,
            int wd,
            float[] w,
            int o,
            int padH,
            int padW,
            boolean vector,
            TileSink sink) {
        Tiles t = Tiles.of(h, wd, padH, padW);
        float[] u = transformFilters(w, o, c);
        int uStep = (o + 3) / 4 * 4 * c;
        overGroups(n, (q, par) -> {
            int i0 = q * L, gn = Math.min(L, n - i0);
            float[] xp = padTransposed(x, i0, gn, c, h, wd, t, 0);
            for (int t0 = 0; t0 < t.tiles(); t0 += BLOCK) {
                int t1 = Math.min(t0 + BLOCK, t.tiles()), cols = columns(t0, t1);
                float[] v = work(1, 16 * c * cols), m = work(2, 16 * o * cols);
                transformInputs(xp, c, t, t0, t1, v, true, vector);
                if (par) Parallel.forRange(16, 1, (s, e) -> products(u, uStep, v, m, o, c, cols, s, e));
                else products(u, uStep, v, m, o, c, cols, 0, 16);
                transformOutputs(m, o, t, t0, t1, i0, gn, vector, sink);
            }
        });
    }

    /** M[ξ] (o x cols, row-major) = U[ξ]·V[ξ] for ξ in [xi0, xi1), on the GEMM micro-kernel over the packed panels. */
    private static void products(float[] u, int uStep, float[] v, float[] m, int o, int c, int cols, int xi0, int xi1) {
        float[] tile = new float[VectorGemm.MR * VectorGemm.NR];
        for (int xi = xi0; xi < xi1; xi++) {
            int ua = xi * uStep, vb = xi * c * cols, mc = xi * o * cols;
            for (int jr = 0; jr < cols; jr += VectorGemm.NR)
                for (int ir = 0; ir < o; ir += VectorGemm.MR)
                    VectorGemm.kernel(
                            c,
                            u,
                            ua + ir * c,
                            v,
                            vb + jr * c,
                            m,
                            mc + ir * cols + jr,
                            cols,
                            Math.min(VectorGemm.MR, o - ir),
                            VectorGemm.NR,
                            tile,
                            false);
        }
    }

    /**
     * dL/dx [N, C, H, W] of the convolution above from dL/dy [N, O, OH, OW] (plane by plane) and w [O, C, 3, 3]: the
     * forward pass on dL/dy, padded by 2 − pad, with the filter flipped in space and its channels swapped.
     */
    static float[] backwardInput(
            PlaneSource gy,
            int n,
            int o,
            int oh,
            int ow,
            float[] w,
            int c,
            int h,
            int wd,
            int padH,
            int padW,
            boolean vector) {
        float[] wf = new float[c * o * 9];
        for (int oc = 0; oc < o; oc++)
            for (int ci = 0; ci < c; ci++)
                for (int k = 0; k < 9; k++) wf[(ci * o + oc) * 9 + 8 - k] = w[(oc * c + ci) * 9 + k];
        float[] gx = new float[n * c * h * wd];
        forward(gy, n, o, oh, ow, wf, c, 2 - padH, 2 - padW, vector, planes(gx, c, h, wd, null, false));
        return gx;
    }

    /**
     * A sink that writes the tiles into y [N, k, oh, ow] (dropping what lies past its edges), adding bias[k] (null:
     * none) and clamping at 0 when relu.
     */
    static TileSink planes(float[] y, int channels, int oh, int ow, float[] bias, boolean relu) {
        return (i0, gn, k, ty, tx, v) -> {
            float b = bias == null ? 0f : bias[k];
            int r = 2 * ty, col = 2 * tx;
            boolean down = r + 1 < oh, right = col + 1 < ow;
            for (int l = 0; l < gn; l++) {
                int dst = ((i0 + l) * channels + k) * oh * ow + r * ow + col;
                y[dst] = act(v[l] + b, relu);
                if (right) y[dst + 1] = act(v[L + l] + b, relu);
                if (down) {
                    y[dst + ow] = act(v[2 * L + l] + b, relu);
                    if (right) y[dst + ow + 1] = act(v[3 * L + l] + b, relu);
                }
            }
        };
    }

    private static float act(float v, boolean relu) {
        return relu ? Math.max(v, 0f) : v;
    }

    /**
     * A sink for conv + bias + ReLU + 2x2/2 max-pool (OH and OW even): a 2x2 output tile is exactly one pooling window,
     * so each tile gives one pooled value relu(max + b) and its argmax (index into the OH·OW plane; null: not kept),
     * by {@link PoolKernels}' branch-free rule (first maximum, as PyTorch).
     */
    static TileSink pooled(float[] y, long[] arg, int channels, int oh, int ow, float[] bias) {
        int ph = oh / 2, pw = ow / 2;
        return (i0, gn, k, ty, tx, v) -> {
            float add = bias == null ? 0f : bias[k];
            int argBase = 2 * ty * ow + 2 * tx;
            for (int l = 0; l < gn; l++) {
                int dst = (((i0 + l) * channels + k) * ph + ty) * pw + tx;
                float a = v[l], b = v[L + l], d = v[2 * L + l], e = v[3 * L + l];
                float tv = Math.max(a, b), bv = Math.max(d, e);
                y[dst] = Math.max(Math.max(tv, bv) + add, 0f);
                if (arg != null) {
                    int tt = Float.floatToRawIntBits(a - b) >>> 31, uu = Float.floatToRawIntBits(d - e) >>> 31;
                    int lower = Float.floatToRawIntBits(tv - bv) >>> 31;
                    arg[dst] = argBase + tt + lower * (ow + uu - tt);
                }
            }
        };
    }

    /**
     * dL/dw [O, C, 3, 3] from dL/dy [N, O, OH, OW] and x [N, C, H, W] (both plane by plane): per group, the inputs'
     * and the output gradient's transforms, then dU[ξ][k][c] = Σ over (tile, image) of (A dY[k] Aᵀ)[ξ]·V[c][ξ], dot
     * products along the columns ({@link #dots}); one partial sum per group, added in group order (the result does
     * not depend on the schedule), then transformed back in double.
     */
    static float[] backwardWeight(
            PlaneSource gy, int n, int o, PlaneSource x, int c, int h, int wd, int padH, int padW, boolean vector) {
        Tiles t = Tiles.of(h, wd, padH, padW);
        float[][] partial = new float[(n + L - 1) / L][];
        overGroups(n, (q, par) -> {
            int i0 = q * L, gn = Math.min(L, n - i0);
            float[] xp = padTransposed(x, i0, gn, c, h, wd, t, 0);
            // the output gradient, transposed to [o][2th][2tw][lane], zero past OH x OW
            int gh = 2 * t.th(), gw = 2 * t.tw(), size = o * gh * gw * L;
            float[] gp = work(2, size);
            java.util.Arrays.fill(gp, 0, size, 0f);
            for (int img = 0; img < gn; img++)
                for (int oc = 0; oc < o; oc++) gy.plane(i0 + img, oc, gp, oc * gh * gw * L + img, gw * L, L);
            float[] du = work(4, 16 * o * c * L);
            java.util.Arrays.fill(du, 0, 16 * o * c * L, 0f);
            for (int t0 = 0; t0 < t.tiles(); t0 += BLOCK) {
                int t1 = Math.min(t0 + BLOCK, t.tiles()), cols = columns(t0, t1);
                float[] v = work(1, 16 * c * cols), gt = work(3, 16 * o * cols);
                transformInputs(xp, c, t, t0, t1, v, false, vector);
                transformGradients(gp, o, t, t0, t1, gt, vector);
                if (par) Parallel.forRange(16, 1, (s, e) -> dots(gt, v, du, o, c, cols, s, e, vector));
                else dots(gt, v, du, o, c, cols, 0, 16, vector);
            }
            sumLanes(du, partial[q] = new float[16 * o * c], 16 * o * c);
        });
        float[] du = ConvKernels.sumPartials(partial, 16 * o * c);
        return transformFilterGradients(du, o, c);
    }

    /**
     * Groups of L images over the cores when there are enough of them (each writes its own results), else in turn
     * with the products split over the cores.
     */
    private static void overGroups(int n, ConvKernels.GroupBody body) {
        int groups = (n + L - 1) / L;
        if (groups >= Parallel.threads()) Parallel.forEachDynamic(groups, q -> body.run(q, false));
        else for (int q = 0; q < groups; q++) body.run(q, true);
    }

    /**
     * Images i0 .. i0+gn of x copied into this thread's workspace as [C][hp][wp][L]: zero padding, element (y, x) of
     * image i0 + l at ((ch·hp + padH + y)·wp + padW + x)·L + l; lanes gn .. L−1 stay zero.
     */
    private static float[] padTransposed(PlaneSource x, int i0, int gn, int c, int h, int wd, Tiles t, int slot) {
        int hp = t.hp(), wp = t.wp(), size = c * hp * wp * L;
        float[] xp = work(slot, size);
        java.util.Arrays.fill(xp, 0, size, 0f);
        for (int img = 0; img < gn; img++)
            for (int ch = 0; ch < c; ch++)
                x.plane(i0 + img, ch, xp, ((ch * hp + t.padH()) * wp + t.padW()) * L + img, wp * L, L);
        return xp;
    }

    /**
     * Where (row, tile, lane 0) of a ξ-matrix with `rows` rows lies in the packed layout shared by the transforms:
     * 16-column panels of two tiles' 8 lanes, [panel][row][16], so a row of V is a B panel row of the micro-kernel.
     */
    private static int packed(int row, int rows, int tile) {
        return ((tile >> 1) * rows + row) * 16 + (tile & 1) * L;
    }

    /**
     * acc[((ξ·o + k)·c + ci)·L + l] += Σ_j W[ξ](k, 8j + l)·V[ξ](ci, 8j + l) for ξ in [xi0, xi1), over the columns
     * of the row-major ξ-matrices W (o rows) and V (c rows), cols columns each: fused multiply-adds lane by lane into
     * lane accumulators kept across the blocks of a group (added up once per group, by {@link #sumLanes}), 2 x 4 dot
     * products at a time; the scalar twin does the same, lane by lane.
     */
    static void dots(float[] w, float[] v, float[] acc, int o, int c, int cols, int xi0, int xi1, boolean vector) {
        for (int xi = xi0; xi < xi1; xi++) {
            int wb = xi * o * cols, vb = xi * c * cols;
            for (int k = 0; k < o; k += 2)
                for (int ci = 0; ci < c; ci += 4) {
                    int kr = Math.min(2, o - k), cr = Math.min(4, c - ci), ab = ((xi * o + k) * c + ci) * L;
                    if (vector && kr == 2 && cr == 4)
                        dotBlock(w, wb + k * cols, v, vb + ci * cols, cols, acc, ab, c * L);
                    else dotBlockScalar(w, wb + k * cols, kr, v, vb + ci * cols, cr, cols, acc, ab, c * L);
                }
        }
    }

    /** du[i] = the sum of the L lane accumulators acc[i·L ..], in a fixed order, for i < size. */
    static void sumLanes(float[] acc, float[] du, int size) {
        for (int i = 0, a = 0; i < size; i++, a += L)
            du[i] = ((acc[a] + acc[a + 1]) + (acc[a + 2] + acc[a + 3]))
                    + ((acc[a + 4] + acc[a + 5]) + (acc[a + 6] + acc[a + 7]));
    }

    // Written out: C2 boxes vectors kept in arrays or passed to helpers it does not inline.
    private static void dotBlock(float[] w, int wo, float[] v, int vo, int cols, float[] acc, int ab, int accRow) {
        int r1 = ab + accRow;
        FloatVector a00 = FloatVector.fromArray(S, acc, ab), a01 = FloatVector.fromArray(S, acc, ab + L);
        FloatVector a02 = FloatVector.fromArray(S, acc, ab + 2 * L), a03 = FloatVector.fromArray(S, acc, ab + 3 * L);
        FloatVector a10 = FloatVector.fromArray(S, acc, r1), a11 = FloatVector.fromArray(S, acc, r1 + L);
        FloatVector a12 = FloatVector.fromArray(S, acc, r1 + 2 * L), a13 = FloatVector.fromArray(S, acc, r1 + 3 * L);
        for (int j = 0; j < cols; j += L) {
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
        a00.intoArray(acc, ab);
        a01.intoArray(acc, ab + L);
        a02.intoArray(acc, ab + 2 * L);
        a03.intoArray(acc, ab + 3 * L);
        a10.intoArray(acc, r1);
        a11.intoArray(acc, r1 + L);
        a12.intoArray(acc, r1 + 2 * L);
        a13.intoArray(acc, r1 + 3 * L);
    }

    /** The twin of {@link #dotBlock} (and its form for the last, partial blocks: kr ≤ 2 rows of W, cr ≤ 4 of V). */
    private static void dotBlockScalar(
            float[] w, int wo, int kr, float[] v, int vo, int cr, int cols, float[] acc, int ab, int accRow) {
        for (int j = 0; j < cols; j += L)
            for (int r = 0; r < kr; r++)
                for (int s = 0; s < cr; s++) {
                    int wi = wo + r * cols + j, vi = vo + s * cols + j, a = ab + r * accRow + s * L;
                    for (int l = 0; l < L; l++) acc[a + l] = Math.fma(w[wi + l], v[vi + l], acc[a + l]);
                }
    }

    // ---------------------------------------------------------------- the transforms (vector kernels and twins)

    /**
     * U[ξ] = (G g Gᵀ)[ξ] for the filters w [o][c][3][3], in double (rounded once), with G = [[1, 0, 0], [½, ½, ½],
     * [½, −½, ½], [0, 0, 1]]; each U[ξ] (o x c) packed into the micro-kernel's 4-row A panels,
     * u[ξ·step + ((k / 4)·c + ci)·4 + k % 4], step = ⌈o/4⌉·4·c, zero past row o.
     */
    static float[] transformFilters(float[] w, int o, int c) {
        int step = (o + 3) / 4 * 4 * c;
        float[] u = new float[16 * step];
        double[] tg = new double[12];
        for (int k = 0; k < o; k++)
            for (int ci = 0; ci < c; ci++) {
                int g = (k * c + ci) * 9;
                for (int j = 0; j < 3; j++) { // G g: 4x3
                    double g0 = w[g + j], g1 = w[g + 3 + j], g2 = w[g + 6 + j];
                    tg[j] = g0;
                    tg[3 + j] = 0.5 * (g0 + g1 + g2);
                    tg[6 + j] = 0.5 * (g0 - g1 + g2);
                    tg[9 + j] = g2;
                }
                int at = ((k / 4) * c + ci) * 4 + k % 4;
                for (int i = 0; i < 4; i++) { // (G g) Gᵀ: 4x4
                    double t0 = tg[3 * i], t1 = tg[3 * i + 1], t2 = tg[3 * i + 2];
                    int dst = 4 * i * step + at;
                    u[dst] = (float) t0;
                    u[dst + step] = (float) (0.5 * (t0 + t1 + t2));
                    u[dst + 2 * step] = (float) (0.5 * (t0 - t1 + t2));
                    u[dst + 3 * step] = (float) t2;
                }
            }
        return u;
    }

    /**
     * dg[k][ci] = Gᵀ dU[k][ci] G (3x3 from 4x4), in double, from dU[ξ][k][ci]: the weight gradient's back-transform,
     * with Gᵀ = [[1, ½, ½, 0], [0, ½, −½, 0], [0, ½, ½, 1]].
     */
    static float[] transformFilterGradients(float[] du, int o, int c) {
        float[] dw = new float[o * c * 9];
        int step = o * c;
        double[] t = new double[12];
        for (int k = 0; k < o; k++)
            for (int ci = 0; ci < c; ci++) {
                int src = k * c + ci;
                for (int j = 0; j < 4; j++) { // Gᵀ dU: 3x4
                    double u0 = du[src + j * step],
                            u1 = du[src + (4 + j) * step],
                            u2 = du[src + (8 + j) * step],
                            u3 = du[src + (12 + j) * step];
                    t[j] = u0 + 0.5 * (u1 + u2);
                    t[4 + j] = 0.5 * (u1 - u2);
                    t[8 + j] = 0.5 * (u1 + u2) + u3;
                }
                int g = (k * c + ci) * 9;
                for (int i = 0; i < 3; i++) { // (Gᵀ dU) G: 3x3
                    double t0 = t[4 * i], t1 = t[4 * i + 1], t2 = t[4 * i + 2], t3 = t[4 * i + 3];
                    dw[g + 3 * i] = (float) (t0 + 0.5 * (t1 + t2));
                    dw[g + 3 * i + 1] = (float) (0.5 * (t1 - t2));
                    dw[g + 3 * i + 2] = (float) (0.5 * (t1 + t2) + t3);
                }
            }
        return dw;
    }

    /**
     * V[ξ] = (Bᵀ d B)[ξ] for the 4x4 input block d at rows 2ty.., columns 2tx.. of the padded, transposed images xp,
     * for the tiles [t0, t1), with Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]; in the B panels
     * ({@link #packed}) when panels, else in rows: V[ξ][ch][(tile − t0)·L + l].
     */
    static void transformInputs(float[] xp, int c, Tiles t, int t0, int t1, float[] v, boolean panels, boolean vector) {
        int cols = columns(t0, t1), step = c * cols;
        if (panels) {
            // a panel (two tiles) at a time, all channels: each ξ-matrix is written 64 bytes at a time, in order
            for (int p0 = t0; p0 < t1; p0 += 2)
                for (int ch = 0; ch < c; ch++)
                    for (int tile = p0; tile < p0 + 2; tile++)
                        inputTile(xp, c, t, tile, v, packed(ch, c, tile - t0), ch, step, tile == t1, vector);
        } else {
            for (int ch = 0; ch < c; ch++) // row by row
            for (int tile = t0; tile < t0 + cols / L; tile++)
                    inputTile(xp, c, t, tile, v, ch * cols + (tile - t0) * L, ch, step, tile == t1, vector);
        }
    }

    /** The transform of one tile of channel ch into v[dst + ξ·step] (zeros when past the last tile). */
    private static void inputTile(
            float[] xp, int c, Tiles t, int tile, float[] v, int dst, int ch, int step, boolean past, boolean vector) {
        if (past) { // the unused half of the last panel
            for (int xi = 0; xi < 16; xi++) java.util.Arrays.fill(v, xi * step + dst, xi * step + dst + L, 0f);
            return;
        }
        int ty = tile / t.tw(), tx = tile % t.tw(), row = t.wp() * L;
        int src = ((ch * t.hp() + 2 * ty) * t.wp() + 2 * tx) * L;
        if (vector) inputTile(xp, src, row, L, v, dst, step);
        else for (int l = 0; l < L; l++) inputTileScalar(xp, src + l, row, L, v, dst + l, step);
    }

    private static void inputTile(float[] a, int s, int row, int cl, float[] v, int d, int step) {
        // row i of Bᵀ d needs two rows of d: (0, 2), (1, 2), (2, 1), (1, 3); each output row is computed from its two
        // input rows, loaded again for each (the loads hit L1; no partial results go through memory)
        inputRow(a, s, s + 2 * row, cl, false, v, d, step);
        inputRow(a, s + row, s + 2 * row, cl, true, v, d + 4 * step, step);
        inputRow(a, s + 2 * row, s + row, cl, false, v, d + 8 * step, step);
        inputRow(a, s + row, s + 3 * row, cl, false, v, d + 12 * step, step);
    }

    /** One row r = p ± q of Bᵀ d (p + q when add, else p − q), then r B: v[d + j·step] for j = 0..3. */
    private static void inputRow(float[] a, int p, int q, int cl, boolean add, float[] v, int d, int step) {
        FloatVector p0 = FloatVector.fromArray(S, a, p), q0 = FloatVector.fromArray(S, a, q);
        FloatVector p1 = FloatVector.fromArray(S, a, p + cl), q1 = FloatVector.fromArray(S, a, q + cl);
        FloatVector p2 = FloatVector.fromArray(S, a, p + 2 * cl), q2 = FloatVector.fromArray(S, a, q + 2 * cl);
        FloatVector p3 = FloatVector.fromArray(S, a, p + 3 * cl), q3 = FloatVector.fromArray(S, a, q + 3 * cl);
        FloatVector r0 = add ? p0.add(q0) : p0.sub(q0), r1 = add ? p1.add(q1) : p1.sub(q1);
        FloatVector r2 = add ? p2.add(q2) : p2.sub(q2), r3 = add ? p3.add(q3) : p3.sub(q3);
        r0.sub(r2).intoArray(v, d);
        r1.add(r2).intoArray(v, d + step);
        r2.sub(r1).intoArray(v, d + 2 * step);
        r1.sub(r3).intoArray(v, d + 3 * step);
    }

    private static void inputTileScalar(float[] a, int s, int row, int cl, float[] v, int d, int step) {
        inputRowScalar(a, s, s + 2 * row, cl, false, v, d, step);
        inputRowScalar(a, s + row, s + 2 * row, cl, true, v, d + 4 * step, step);
        inputRowScalar(a, s + 2 * row, s + row, cl, false, v, d + 8 * step, step);
        inputRowScalar(a, s + row, s + 3 * row, cl, false, v, d + 12 * step, step);
    }

    private static void inputRowScalar(float[] a, int p, int q, int cl, boolean add, float[] v, int d, int step) {
        float r0 = add ? a[p] + a[q] : a[p] - a[q], r1 = add ? a[p + cl] + a[q + cl] : a[p + cl] - a[q + cl];
        float r2 = add ? a[p + 2 * cl] + a[q + 2 * cl] : a[p + 2 * cl] - a[q + 2 * cl];
        float r3 = add ? a[p + 3 * cl] + a[q + 3 * cl] : a[p + 3 * cl] - a[q + 3 * cl];
        v[d] = r0 - r2;
        v[d + step] = r1 + r2;
        v[d + 2 * step] = r2 - r1;
        v[d + 3 * step] = r1 - r3;
    }

    /**
     * The output transform Y = Aᵀ M A, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]], of every tile from M[ξ][k][tile·L + l]
     * (the products, row-major), handed to sink.
     */
    static void transformOutputs(
            float[] m, int o, Tiles t, int t0, int t1, int i0, int gn, boolean vector, TileSink sink) {
        int tw = t.tw(), cols = columns(t0, t1), step = o * cols;
        float[] y = new float[4 * L];
        for (int k = 0; k < o; k++)
            for (int tile = t0; tile < t1; tile++) {
                int ty = tile / tw, tx = tile % tw, src = k * cols + (tile - t0) * L;
                if (vector) outputTile(m, src, step, y);
                else for (int l = 0; l < L; l++) outputTileScalar(m, src + l, step, y, l);
                sink.tile(i0, gn, k, ty, tx, y);
            }
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
        int tw = t.tw(), cols = columns(t0, t1), step = o * cols, row = 2 * tw * L;
        for (int k = 0; k < o; k++)
            for (int tile = t0; tile < t0 + cols / L; tile++) {
                int dst = k * cols + (tile - t0) * L;
                if (tile == t1) {
                    for (int xi = 0; xi < 16; xi++) java.util.Arrays.fill(w, xi * step + dst, xi * step + dst + L, 0f);
                    continue;
                }
                int ty = tile / tw, tx = tile % tw, src = ((k * 2 * t.th() + 2 * ty) * 2 * tw + 2 * tx) * L;
                if (vector) gradientTile(gp, src, row, L, w, dst, step);
                else for (int l = 0; l < L; l++) gradientTileScalar(gp, src + l, row, L, w, dst + l, step);
            }
    }

    private static void gradientTile(float[] g, int s, int row, int cl, float[] w, int d, int step) {
        FloatVector g00 = FloatVector.fromArray(S, g, s),
                g01 = FloatVector.fromArray(S, g, s + cl),
                g10 = FloatVector.fromArray(S, g, s + row),
                g11 = FloatVector.fromArray(S, g, s + row + cl);
        // rows of A dY: r0 = g0, r1 = g0 + g1, r2 = g0 - g1, r3 = -g1 (each two columns)
        gradientRow(g00, g01, w, d, step);
        gradientRow(g00.add(g10), g01.add(g11), w, d + 4 * step, step);
        gradientRow(g00.sub(g10), g01.sub(g11), w, d + 8 * step, step);
        gradientRow(g10.neg(), g11.neg(), w, d + 12 * step, step);
    }

    private static void gradientRow(FloatVector r0, FloatVector r1, float[] w, int d, int step) {
        r0.intoArray(w, d);
        r0.add(r1).intoArray(w, d + step);
        r0.sub(r1).intoArray(w, d + 2 * step);
        r1.neg().intoArray(w, d + 3 * step);
    }

    private static void gradientTileScalar(float[] g, int s, int row, int cl, float[] w, int d, int step) {
        float g00 = g[s], g01 = g[s + cl], g10 = g[s + row], g11 = g[s + row + cl];
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
