package dev.nabla.backend.cpu;

import dev.nabla.backend.Backend.ConvGeometry;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Conv + bias + ReLU + 2x2/2 max-pool for a 3x3, stride-1 layer with few input channels (the first layer of a CNN
 * on grey or colour images), pooled in registers: the full-resolution output is never written. A GEMM with a depth of
 * 9 (or 27) is bound by writing its result, four times the pooled values; here each vector holds one pooled row's
 * windows side by side, and the four convolution values of every window are summed in four accumulators, then
 * max-pooled, biased and clamped before a single store.
 * <p>
 * <b>Layout.</b> For each image the zero-padded input's rows are split into even and odd columns, so that the input of
 * window column px at offset s = dx + kx (0 to 3) of the window's padded columns 2·px + s is lane px of one of four
 * contiguous loads: even columns from px, odd from px, even from px + 1, odd from px + 1. A pooled row of up to
 * {@code lanes} windows is then 24 vector loads per input channel (3 pairs of rows x 4 offsets) and 36 fused
 * multiply-adds per output channel, two output channels at a time.
 * <p>
 * <b>Order.</b> Each convolution value sums channel by channel, then row and column of the kernel, from zero, by fused
 * multiply-adds; the argmax is {@link PoolKernels#windowCode}'s (first maximum). The scalar twin ({@code vector =
 * false}) does the same operations lane by lane: the tests demand the same bits.
 */
final class PooledConvFewChannels {
    /**
     * 16 lanes where the GEMM runs its 16-lane kernels ({@link VectorGemm#WIDE}), else 8: a process that mixes 8- and
     * 16-lane vectors without {@code -XX:TypeProfileLevel=222} can get boxed vectors from C2 (VectorGemm explains).
     */
    private static final VectorSpecies<Float> S = VectorGemm.WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;

    private static final int L = S.length();

    /** Bytes, one per float lane: the argmax codes' store. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));

    /** Input channels up to which this kernel runs (beyond, the convolution's GEMM is not bound by its writes). */
    static final int MAX_CHANNELS = 4;

    private PooledConvFewChannels() {}

    /** Whether this kernel applies: 3x3, stride 1, dilation 1, at most {@link #MAX_CHANNELS} input channels. */
    static boolean supported(ConvGeometry g, int kh, int kw, int c) {
        return threeByThreeStride1(g, kh, kw) && c <= MAX_CHANNELS;
    }

    /** A 3x3 kernel at stride 1 and dilation 1 (any padding): the geometry of both pooled-convolution kernels. */
    static boolean threeByThreeStride1(ConvGeometry g, int kh, int kw) {
        return kh == 3 && kw == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1 && g.dilW() == 1;
    }

    /**
     * y [N, O, OH/2, OW/2] = maxpool2x2(relu(x [N, C, H, W] * w [O, C, 3, 3] + bias)) with padding (padH, padW), and
     * arg (null: not kept) the windows' codes; y and arg are filled in.
     */
    static void forward(
            float[] x,
            int[] xs,
            float[] w,
            int o,
            float[] bias,
            int padH,
            int padW,
            float[] y,
            byte[] arg,
            boolean vector) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
        int oh = h + 2 * padH - 2, ow = wd + 2 * padW - 2, ph = oh / 2, pw = ow / 2, hp = h + 2 * padH;
        int rs = splitRow(pw);
        ConvKernels.overGroups(n, 1, (img, par) -> {
            float[] split = split(x, img, c, h, wd, padH, padW, rs);
            for (int k = 0; k < o; k += 2) {
                int k2 = Math.min(k + 1, o - 1);
                float b = bias == null ? 0f : bias[k], b2 = bias == null ? 0f : bias[k2];
                for (int py = 0; py < ph; py++)
                    for (int px0 = 0; px0 < pw; px0 += L) {
                        int lanes = Math.min(L, pw - px0), dst = ((img * o + k) * ph + py) * pw + px0;
                        int dst2 = dst + (k2 - k) * ph * pw;
                        if (vector) row(split, hp, rs, c, w, k, k2, b, b2, py, px0, lanes, y, arg, dst, dst2);
                        else {
                            rowScalar(split, hp, rs, c, w, k, b, py, px0, lanes, y, arg, dst);
                            rowScalar(split, hp, rs, c, w, k2, b2, py, px0, lanes, y, arg, dst2);
                        }
                    }
            }
        });
    }

    /** The length of a split row for pw windows a row: whole vectors from any window column and from the next one. */
    private static int splitRow(int pw) {
        return (pw + L - 1) / L * L + L;
    }

    /**
     * Image img of x [N, C, H, W], zero-padded, in this thread's workspace slot 0 as [C][H + 2·padH][even | odd
     * columns][rs]: padded column col of a row at (col & 1)·rs + col / 2.
     */
    private static float[] split(float[] x, int img, int c, int h, int wd, int padH, int padW, int rs) {
        int hp = h + 2 * padH;
        float[] split = ConvKernels.work(0, c * hp * 2 * rs);
        java.util.Arrays.fill(split, 0, c * hp * 2 * rs, 0f);
        for (int ci = 0; ci < c; ci++)
            for (int yy = 0; yy < h; yy++)
                for (int xx = 0, src = ((img * c + ci) * h + yy) * wd; xx < wd; xx++) {
                    int col = xx + padW; // padded column
                    split[((ci * hp + yy + padH) * 2 + (col & 1)) * rs + (col >> 1)] = x[src + xx];
                }
        return split;
    }

    /** Images per partial sum of the weight gradient (the partial sums are added in order: any thread count). */
    private static final int IMAGES = 8;

    /**
     * dL/dw [O, C, 3, 3] of the layer above from gp [N, O, OH/2, OW/2], the pooled gradient already masked by the ReLU,
     * and argmax, the windows' codes: each window's gradient times the input patch at its argmax, without building the
     * full-resolution gradient (three quarters zeros). Lane px of the vectors is window column px again; lane l of the
     * accumulator of (k, ci, tap) sums its windows in the order image, column block, row; per group of
     * {@link #IMAGES} images the lanes are then added in order, and the groups' sums in group order.
     */
    static float[] weightGradient(
            float[] gp, byte[] argmax, int[] ys, float[] x, int[] xs, int padH, int padW, boolean vector) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ys[1], ph = ys[2] / 2, pw = ys[3] / 2;
        int hp = h + 2 * padH, rs = splitRow(pw), taps = 9 * c;
        float[][] partial = new float[(n + IMAGES - 1) / IMAGES][];
        ConvKernels.overGroups(n, IMAGES, (q, par) -> {
            float[] lanes = new float[o * taps * L];
            for (int img = q * IMAGES; img < Math.min(n, (q + 1) * IMAGES); img++) {
                float[] split = split(x, img, c, h, wd, padH, padW, rs);
                for (int k = 0; k < o; k++)
                    for (int px0 = 0; px0 < pw; px0 += L) {
                        int src = (img * o + k) * ph * pw + px0, live = Math.min(L, pw - px0);
                        for (int ci = 0; ci < c; ci++) {
                            int acc = (k * taps + ci * 9) * L, at = (ci * hp * 2) * rs + px0;
                            if (vector) weightColumns(split, at, rs, gp, argmax, src, ph, pw, live, lanes, acc);
                            else weightColumnsScalar(split, at, rs, gp, argmax, src, ph, pw, live, lanes, acc);
                        }
                    }
            }
            float[] dw = partial[q] = new float[o * taps];
            for (int i = 0; i < dw.length; i++) {
                float sum = 0f;
                for (int l = 0; l < L; l++) sum += lanes[i * L + l];
                dw[i] = sum;
            }
        });
        return ConvKernels.sumPartials(partial, o * taps);
    }

    /*
     * The windows of one column block (lanes: px0 + l, the first `live` of them) in every pooled row of one (image,
     * output channel) plane at gp[src + py·pw], for one input channel (its split rows from `at`): the 9 lane
     * accumulators lanes[acc + t·L ..] += g · the input at the argmax's patch, tap t. The patch of window (dy, dx) at
     * tap (ky, kx) is row 2·py + dy + ky and offset dx + kx of the split rows: the four candidates are two rows at two
     * offsets, chosen lane by lane by the code's bits (blends, no branch). Lanes past `live` get g = 0. Twin:
     * weightColumnsScalar.
     */
    private static void weightColumns(
            float[] s,
            int at,
            int rs,
            float[] gp,
            byte[] argmax,
            int src,
            int ph,
            int pw,
            int live,
            float[] lanes,
            int acc) {
        VectorMask<Float> m = S.indexInRange(0, live);
        VectorMask<Byte> bm = B.indexInRange(0, live);
        FloatVector a0 = FloatVector.fromArray(S, lanes, acc), a1 = FloatVector.fromArray(S, lanes, acc + L);
        FloatVector a2 = FloatVector.fromArray(S, lanes, acc + 2 * L),
                a3 = FloatVector.fromArray(S, lanes, acc + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, lanes, acc + 4 * L),
                a5 = FloatVector.fromArray(S, lanes, acc + 5 * L);
        FloatVector a6 = FloatVector.fromArray(S, lanes, acc + 6 * L),
                a7 = FloatVector.fromArray(S, lanes, acc + 7 * L);
        FloatVector a8 = FloatVector.fromArray(S, lanes, acc + 8 * L);
        for (int py = 0; py < ph; py++) {
            int gi = src + py * pw;
            FloatVector g = FloatVector.fromArray(S, gp, gi, m);
            // the codes as floats: the masks come out of float compares (an int code's masks cast to float lanes ran
            // 3x slower)
            FloatVector code =
                    (FloatVector) ByteVector.fromArray(B, argmax, gi, bm).convertShape(VectorOperators.B2F, S, 0);
            VectorMask<Float> lower = code.compare(VectorOperators.GE, 2f); // dy = 1
            VectorMask<Float> right = code.compare(VectorOperators.EQ, 1f).or(code.compare(VectorOperators.EQ, 3f));
            int r = at + 2 * py * 2 * rs; // split row 2·py: even columns at r, odd at r + rs; the next row 2·rs on
            // rows 2·py + ky (t) and the one below (u), at their four offsets; u becomes t for the next ky
            FloatVector t0, t1, t2, t3, v0, v1, v2;
            FloatVector u0 = FloatVector.fromArray(S, s, r), u1 = FloatVector.fromArray(S, s, r + rs);
            FloatVector u2 = FloatVector.fromArray(S, s, r + 1), u3 = FloatVector.fromArray(S, s, r + rs + 1);
            t0 = u0; // ky = 0
            t1 = u1;
            t2 = u2;
            t3 = u3;
            r += 2 * rs;
            u0 = FloatVector.fromArray(S, s, r);
            u1 = FloatVector.fromArray(S, s, r + rs);
            u2 = FloatVector.fromArray(S, s, r + 1);
            u3 = FloatVector.fromArray(S, s, r + rs + 1);
            v0 = t0.blend(t1, right).blend(u0.blend(u1, right), lower); // kx = 0: offset 0 or 1 of row ky or ky + 1
            v1 = t1.blend(t2, right).blend(u1.blend(u2, right), lower);
            v2 = t2.blend(t3, right).blend(u2.blend(u3, right), lower);
            a0 = v0.fma(g, a0);
            a1 = v1.fma(g, a1);
            a2 = v2.fma(g, a2);
            t0 = u0; // ky = 1
            t1 = u1;
            t2 = u2;
            t3 = u3;
            r += 2 * rs;
            u0 = FloatVector.fromArray(S, s, r);
            u1 = FloatVector.fromArray(S, s, r + rs);
            u2 = FloatVector.fromArray(S, s, r + 1);
            u3 = FloatVector.fromArray(S, s, r + rs + 1);
            v0 = t0.blend(t1, right).blend(u0.blend(u1, right), lower); // kx = 0: offset 0 or 1 of row ky or ky + 1
            v1 = t1.blend(t2, right).blend(u1.blend(u2, right), lower);
            v2 = t2.blend(t3, right).blend(u2.blend(u3, right), lower);
            a3 = v0.fma(g, a3);
            a4 = v1.fma(g, a4);
            a5 = v2.fma(g, a5);
            t0 = u0; // ky = 2
            t1 = u1;
            t2 = u2;
            t3 = u3;
            r += 2 * rs;
            u0 = FloatVector.fromArray(S, s, r);
            u1 = FloatVector.fromArray(S, s, r + rs);
            u2 = FloatVector.fromArray(S, s, r + 1);
            u3 = FloatVector.fromArray(S, s, r + rs + 1);
            v0 = t0.blend(t1, right).blend(u0.blend(u1, right), lower); // kx = 0: offset 0 or 1 of row ky or ky + 1
            v1 = t1.blend(t2, right).blend(u1.blend(u2, right), lower);
            v2 = t2.blend(t3, right).blend(u2.blend(u3, right), lower);
            a6 = v0.fma(g, a6);
            a7 = v1.fma(g, a7);
            a8 = v2.fma(g, a8);
        }
        a0.intoArray(lanes, acc);
        a1.intoArray(lanes, acc + L);
        a2.intoArray(lanes, acc + 2 * L);
        a3.intoArray(lanes, acc + 3 * L);
        a4.intoArray(lanes, acc + 4 * L);
        a5.intoArray(lanes, acc + 5 * L);
        a6.intoArray(lanes, acc + 6 * L);
        a7.intoArray(lanes, acc + 7 * L);
        a8.intoArray(lanes, acc + 8 * L);
    }

    /** weightColumns lane by lane: the same fused multiply-adds in the same order (g = 0 in the lanes past live). */
    static void weightColumnsScalar(
            float[] s,
            int at,
            int rs,
            float[] gp,
            byte[] argmax,
            int src,
            int ph,
            int pw,
            int live,
            float[] lanes,
            int acc) {
        for (int py = 0; py < ph; py++)
            for (int l = 0; l < L; l++) {
                float g = l < live ? gp[src + py * pw + l] : 0f;
                int code = l < live ? argmax[src + py * pw + l] : 0, dy = code >> 1, dx = code & 1;
                for (int t = 0; t < 9; t++) {
                    int row = 2 * py + dy + t / 3, off = dx + t % 3; // split row and offset (0 to 3)
                    float v = s[at + (row * 2 + (off & 1)) * rs + (off >> 1) + l];
                    lanes[acc + t * L + l] = Math.fma(v, g, lanes[acc + t * L + l]);
                }
            }
    }

    /*
     * One pooled row's windows px0 .. px0 + lanes − 1 of the output channels k and k2 (k2 = k when k is the last): four
     * accumulators each (window row dy, column dx) get w[k][ci][ky][kx] · input(2·py + dy + ky, 2·px + dx + kx) for
     * every channel and tap; then max, bias, clamp and code, and one masked store each. Two channels at a time: 8
     * independent chains of fused multiply-adds on the same loads (one channel's 4 chains waited on the FMA latency:
     * 1.3 ms for the reference CNN's first layer on one thread against 0.8). A loop over the kernel's rows, each
     * written out with named vectors (passed to a helper they would be boxed): with all 9 taps written out, C1 ran
     * out of registers compiling it and C2 never took it over (the step took 50 ms instead of 11). Twin: rowScalar.
     */
    private static void row(
            float[] s,
            int hp,
            int rs,
            int c,
            float[] w,
            int k,
            int k2,
            float b,
            float b2,
            int py,
            int px0,
            int lanes,
            float[] y,
            byte[] arg,
            int dst,
            int dst2) {
        FloatVector a = FloatVector.zero(S), q = a, d = a, e = a, a2 = a, q2 = a, d2 = a, e2 = a;
        for (int ci = 0; ci < c; ci++)
            for (int ky = 0; ky < 3; ky++) {
                // input rows 2·py + ky (t: the windows' top row) and the one below (u), each at its four offsets:
                // even columns from px (0), odd from px (1), even from px + 1 (2), odd from px + 1 (3)
                int rt = ((ci * hp + 2 * py + ky) * 2) * rs + px0, ru = rt + 2 * rs;
                int f = (k * c + ci) * 9 + 3 * ky, f2 = (k2 * c + ci) * 9 + 3 * ky;
                FloatVector t0 = FloatVector.fromArray(S, s, rt), t1 = FloatVector.fromArray(S, s, rt + rs);
                FloatVector t2 = FloatVector.fromArray(S, s, rt + 1), t3 = FloatVector.fromArray(S, s, rt + rs + 1);
                FloatVector u0 = FloatVector.fromArray(S, s, ru), u1 = FloatVector.fromArray(S, s, ru + rs);
                FloatVector u2 = FloatVector.fromArray(S, s, ru + 1), u3 = FloatVector.fromArray(S, s, ru + rs + 1);
                FloatVector g, h;
                g = FloatVector.broadcast(S, w[f + 0]); // tap (ky, 0)
                h = FloatVector.broadcast(S, w[f2 + 0]);
                a = t0.fma(g, a);
                a2 = t0.fma(h, a2);
                q = t1.fma(g, q);
                q2 = t1.fma(h, q2);
                d = u0.fma(g, d);
                d2 = u0.fma(h, d2);
                e = u1.fma(g, e);
                e2 = u1.fma(h, e2);
                g = FloatVector.broadcast(S, w[f + 1]); // tap (ky, 1)
                h = FloatVector.broadcast(S, w[f2 + 1]);
                a = t1.fma(g, a);
                a2 = t1.fma(h, a2);
                q = t2.fma(g, q);
                q2 = t2.fma(h, q2);
                d = u1.fma(g, d);
                d2 = u1.fma(h, d2);
                e = u2.fma(g, e);
                e2 = u2.fma(h, e2);
                g = FloatVector.broadcast(S, w[f + 2]); // tap (ky, 2)
                h = FloatVector.broadcast(S, w[f2 + 2]);
                a = t2.fma(g, a);
                a2 = t2.fma(h, a2);
                q = t3.fma(g, q);
                q2 = t3.fma(h, q2);
                d = u2.fma(g, d);
                d2 = u2.fma(h, d2);
                e = u3.fma(g, e);
                e2 = u3.fma(h, e2);
            }
        VectorMask<Float> m = S.indexInRange(0, lanes);
        VectorMask<Byte> bm = B.indexInRange(0, lanes);
        FloatVector top, bottom;
        top = a.max(q);
        bottom = d.max(e);
        top.max(bottom).add(b).max(0f).intoArray(y, dst, m);
        if (arg != null) { // PoolKernels.windowCode from the sign bits, lane by lane
            IntVector t = ((IntVector) a.sub(q).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            IntVector u = ((IntVector) d.sub(e).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            IntVector lower = ((IntVector) top.sub(bottom).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            ((ByteVector) t.add(lower.mul(u.sub(t).add(2))).convertShape(VectorOperators.I2B, B, 0))
                    .intoArray(arg, dst, bm);
        }
        top = a2.max(q2);
        bottom = d2.max(e2);
        top.max(bottom).add(b2).max(0f).intoArray(y, dst2, m);
        if (arg != null) { // PoolKernels.windowCode from the sign bits, lane by lane
            IntVector t = ((IntVector) a2.sub(q2).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            IntVector u = ((IntVector) d2.sub(e2).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            IntVector lower = ((IntVector) top.sub(bottom).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            ((ByteVector) t.add(lower.mul(u.sub(t).add(2))).convertShape(VectorOperators.I2B, B, 0))
                    .intoArray(arg, dst2, bm);
        }
    }

    /** row, lane by lane: the same fused multiply-adds in the same order, and the same max, bias, clamp and code. */
    static void rowScalar(
            float[] s,
            int hp,
            int rs,
            int c,
            float[] w,
            int k,
            float b,
            int py,
            int px0,
            int lanes,
            float[] y,
            byte[] arg,
            int dst) {
        for (int l = 0; l < lanes; l++) {
            float[] acc = new float[4]; // windows' (dy, dx) = (0, 0), (0, 1), (1, 0), (1, 1)
            for (int ci = 0; ci < c; ci++)
                for (int t = 0; t < 9; t++) {
                    float g = w[(k * c + ci) * 9 + t];
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++) {
                            int r = dy + t / 3, col = dx + t % 3; // the window block's row 0..3 and offset 0..3
                            int at = ((ci * hp + 2 * py + r) * 2 + (col & 1)) * rs + px0 + l + (col >> 1);
                            acc[2 * dy + dx] = Math.fma(s[at], g, acc[2 * dy + dx]);
                        }
                }
            float top = Math.max(acc[0], acc[1]), bottom = Math.max(acc[2], acc[3]);
            y[dst + l] = Math.max(Math.max(top, bottom) + b, 0f);
            if (arg != null) arg[dst + l] = (byte) PoolKernels.windowCode(acc[0], acc[1], acc[2], acc[3]);
        }
    }
}
