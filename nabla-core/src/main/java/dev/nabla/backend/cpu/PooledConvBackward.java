package dev.nabla.backend.cpu;

import static dev.nabla.backend.cpu.ConvKernels.work;

import dev.nabla.backend.Backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input and weight gradients of a 3x3, stride-1 convolution followed by ReLU and a 2x2/2 max-pool, straight from
 * the pooled gradient and the argmax codes. The convolution's output gradient is zero everywhere but at each window's
 * argmax (and there too where the ReLU cut the value off), so at most one position in four contributes: for each
 * (image, output channel k, window) with a nonzero gradient g at output position (oy, ox),
 * <pre>
 *   dW[k][c][ky][kx]        += g · x[c][oy + ky − padH][ox + kx − padW]
 *   dx[c][oy + ky − padH][ox + kx − padW] += g · W[k][c][ky][kx]
 * </pre>
 * a quarter of the multiplies of a dense direct convolution (and of Winograd F(4x4, 3x3)), with no transforms, and
 * none at all for the windows the ReLU zeroed.
 * <p>
 * <b>Layout.</b> Each image's input (for dW) and input gradient (for dx) live channels-last and zero-padded, [Hp][Wp]
 * [Cp] with Hp = OH + 2, Wp = OW + 2 and Cp the channels rounded up to {@link #CHUNK}, so a tap's channels are
 * contiguous vectors. The channels go {@link #CHUNK} at a time (two vectors): per output channel the 9 taps x 2
 * vectors, 18 accumulators of dW (or 18 vectors of W) stay in registers while the nonzero windows go by. An image's
 * windows with a nonzero gradient are listed first (their patch offset and g), once for both gradients.
 * <p>
 * <b>Order.</b> dW sums, per group of {@link WinogradConv#L} images, image by image, channel k by k, window by window
 * in row-major order; the groups' partial sums are then added in group order, so the result does not depend on the
 * thread count. dx sums per image over k, then windows, in order. The scalar twin ({@code vector = false}) does the
 * same fused multiply-adds in the same order lane by lane: the tests demand the same bits.
 */
final class PooledConvBackward {
    /**
     * 16 lanes where the GEMM runs its 16-lane kernels ({@link VectorGemm#WIDE}), else 8: a process that mixes 8- and
     * 16-lane vectors without {@code -XX:TypeProfileLevel=222} can get boxed vectors from C2 (VectorGemm explains).
     */
    private static final VectorSpecies<Float> S = VectorGemm.WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;

    /** Channels per register block: two vectors, so 9 taps x 2 = 18 accumulators stay in registers. */
    static final int CHUNK = 2 * S.length();

    private static final int IMAGES = WinogradConv.L;

    private PooledConvBackward() {}

    /**
     * Whether this kernel applies: a 3x3 kernel, stride 1, dilation 1, and at least half a {@link #CHUNK} of input
     * channels (fewer would waste most of each vector on padding; conv1's single channel takes the dense path).
     */
    static boolean supported(ConvGeometry g, int kh, int kw, int c) {
        return PooledConvFewChannels.threeByThreeStride1(g, kh, kw) && 2 * c >= CHUNK;
    }

    /**
     * {gx, gw} (each null unless asked for) of the convolution x [N, C, H, W] * w [O, C, 3, 3] with padding (padH,
     * padW), output [N, O, OH, OW] = ys, from gp [N, O, OH/2, OW/2], the pooled output gradient already masked by the
     * ReLU, and argmax, the windows' codes ({@link PoolKernels#windowCode}).
     */
    static ConvKernels.GradArrays backward(
            float[] gp,
            byte[] argmax,
            int[] ys,
            float[] x,
            int[] xs,
            float[] w,
            int padH,
            int padW,
            boolean input,
            boolean weight,
            boolean vector) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ys[1], oh = ys[2], ow = ys[3];
        int hp = oh + 2, wp = ow + 2, cp = (c + CHUNK - 1) / CHUNK * CHUNK, plane = hp * wp * cp;
        int ph = oh / 2, pw = ow / 2, windows = ph * pw, taps = 9 * cp;
        float[] wt = input ? channelsLast(w, o, c, cp) : null;
        float[] gx = input ? new float[n * c * h * wd] : null;
        float[][] partial = new float[(n + IMAGES - 1) / IMAGES][];
        // a window's patch offset is base[window] + corner[code]; an image position's offset in the padded layout
        int[] base = new int[windows], corner = {0, cp, wp * cp, wp * cp + cp};
        for (int py = 0; py < ph; py++)
            for (int px = 0; px < pw; px++) base[py * pw + px] = (2 * py * wp + 2 * px) * cp;
        int hw = h * wd;
        int[] position = new int[hw];
        for (int i = 0; i < hw; i++) position[i] = ((i / wd + padH) * wp + i % wd + padW) * cp;
        ConvKernels.overGroups(n, IMAGES, (q, par) -> {
            int[] at = new int[o * windows], count = new int[o];
            float[] gv = new float[o * windows];
            float[] dw = weight ? partial[q] = new float[o * taps] : null;
            for (int img = q * IMAGES; img < Math.min(n, (q + 1) * IMAGES); img++) {
                // the windows with a nonzero gradient, per output channel: patch offset (tap (0, 0), channel 0) and g
                for (int k = 0; k < o; k++) {
                    int src = (img * o + k) * windows, dst = k * windows, m = 0;
                    for (int i = 0; i < windows; i++) {
                        float g = gp[src + i];
                        at[dst + m] = base[i] + corner[argmax[src + i]];
                        gv[dst + m] = g;
                        m += g != 0f ? 1 : 0; // no branch: half the windows are zero, unpredictably
                    }
                    count[k] = m;
                }
                if (weight) {
                    float[] xl = work(0, plane);
                    java.util.Arrays.fill(xl, 0, plane, 0f);
                    // (a gather of 16 channels per position, vectors stored, took twice as long)
                    for (int ci = 0; ci < c; ci++)
                        for (int i = 0, src = (img * c + ci) * hw; i < hw; i++) xl[position[i] + ci] = x[src + i];
                    for (int c0 = 0; c0 < cp; c0 += CHUNK)
                        for (int k = 0; k < o; k++)
                            if (vector) weightTaps(xl, wp, cp, c0, at, gv, k * windows, count[k], dw, k * taps);
                            else weightTapsScalar(xl, wp, cp, c0, at, gv, k * windows, count[k], dw, k * taps);
                }
                if (input) {
                    float[] dl = work(1, plane);
                    java.util.Arrays.fill(dl, 0, plane, 0f);
                    for (int c0 = 0; c0 < cp; c0 += CHUNK)
                        for (int k = 0; k < o; k++)
                            if (vector) inputTaps(dl, wp, cp, c0, wt, k * taps, at, gv, k * windows, count[k]);
                            else inputTapsScalar(dl, wp, cp, c0, wt, k * taps, at, gv, k * windows, count[k]);
                    for (int ci = 0; ci < c; ci++)
                        for (int i = 0, dst = (img * c + ci) * hw; i < hw; i++) gx[dst + i] = dl[position[i] + ci];
                }
            }
        });
        float[] gw = null;
        if (weight) {
            float[] sum = ConvKernels.sumPartials(partial, o * taps);
            gw = new float[o * c * 9];
            for (int k = 0; k < o; k++)
                for (int ci = 0; ci < c; ci++)
                    for (int t = 0; t < 9; t++) gw[(k * c + ci) * 9 + t] = sum[(k * 9 + t) * cp + ci];
        }
        return new ConvKernels.GradArrays(gx, gw);
    }

    /** w [O, C, 3, 3] as [O][9][cp] (taps row-major, channels last, zero from C to cp). */
    static float[] channelsLast(float[] w, int o, int c, int cp) {
        float[] r = new float[o * 9 * cp];
        for (int k = 0; k < o; k++)
            for (int ci = 0; ci < c; ci++)
                for (int t = 0; t < 9; t++) r[(k * 9 + t) * cp + ci] = w[(k * c + ci) * 9 + t];
        return r;
    }

    /*
     * dw[db + t·cp + c0 + j] += Σ_i gv[i] · xl[at[i] + tap(t) + c0 + j] over the count windows from `from`, for the 9
     * taps t (tap (ky, kx) at (ky·wp + kx)·cp) and the CHUNK channels from c0; 18 named accumulators (vectors passed to
     * a non-inlined helper would be boxed). Its twin is weightTapsScalar.
     */
    private static void weightTaps(
            float[] xl, int wp, int cp, int c0, int[] at, float[] gv, int from, int count, float[] dw, int db) {
        int v = S.length(), r = wp * cp, d = db + c0;
        FloatVector a0 = FloatVector.fromArray(S, dw, d), b0 = FloatVector.fromArray(S, dw, d + v);
        FloatVector a1 = FloatVector.fromArray(S, dw, d + cp), b1 = FloatVector.fromArray(S, dw, d + cp + v);
        FloatVector a2 = FloatVector.fromArray(S, dw, d + 2 * cp), b2 = FloatVector.fromArray(S, dw, d + 2 * cp + v);
        FloatVector a3 = FloatVector.fromArray(S, dw, d + 3 * cp), b3 = FloatVector.fromArray(S, dw, d + 3 * cp + v);
        FloatVector a4 = FloatVector.fromArray(S, dw, d + 4 * cp), b4 = FloatVector.fromArray(S, dw, d + 4 * cp + v);
        FloatVector a5 = FloatVector.fromArray(S, dw, d + 5 * cp), b5 = FloatVector.fromArray(S, dw, d + 5 * cp + v);
        FloatVector a6 = FloatVector.fromArray(S, dw, d + 6 * cp), b6 = FloatVector.fromArray(S, dw, d + 6 * cp + v);
        FloatVector a7 = FloatVector.fromArray(S, dw, d + 7 * cp), b7 = FloatVector.fromArray(S, dw, d + 7 * cp + v);
        FloatVector a8 = FloatVector.fromArray(S, dw, d + 8 * cp), b8 = FloatVector.fromArray(S, dw, d + 8 * cp + v);
        for (int i = from; i < from + count; i++) {
            FloatVector g = FloatVector.broadcast(S, gv[i]);
            int p = at[i] + c0, p1 = p + r, p2 = p + 2 * r;
            a0 = FloatVector.fromArray(S, xl, p).fma(g, a0);
            b0 = FloatVector.fromArray(S, xl, p + v).fma(g, b0);
            a1 = FloatVector.fromArray(S, xl, p + cp).fma(g, a1);
            b1 = FloatVector.fromArray(S, xl, p + cp + v).fma(g, b1);
            a2 = FloatVector.fromArray(S, xl, p + 2 * cp).fma(g, a2);
            b2 = FloatVector.fromArray(S, xl, p + 2 * cp + v).fma(g, b2);
            a3 = FloatVector.fromArray(S, xl, p1).fma(g, a3);
            b3 = FloatVector.fromArray(S, xl, p1 + v).fma(g, b3);
            a4 = FloatVector.fromArray(S, xl, p1 + cp).fma(g, a4);
            b4 = FloatVector.fromArray(S, xl, p1 + cp + v).fma(g, b4);
            a5 = FloatVector.fromArray(S, xl, p1 + 2 * cp).fma(g, a5);
            b5 = FloatVector.fromArray(S, xl, p1 + 2 * cp + v).fma(g, b5);
            a6 = FloatVector.fromArray(S, xl, p2).fma(g, a6);
            b6 = FloatVector.fromArray(S, xl, p2 + v).fma(g, b6);
            a7 = FloatVector.fromArray(S, xl, p2 + cp).fma(g, a7);
            b7 = FloatVector.fromArray(S, xl, p2 + cp + v).fma(g, b7);
            a8 = FloatVector.fromArray(S, xl, p2 + 2 * cp).fma(g, a8);
            b8 = FloatVector.fromArray(S, xl, p2 + 2 * cp + v).fma(g, b8);
        }
        a0.intoArray(dw, d);
        b0.intoArray(dw, d + v);
        a1.intoArray(dw, d + cp);
        b1.intoArray(dw, d + cp + v);
        a2.intoArray(dw, d + 2 * cp);
        b2.intoArray(dw, d + 2 * cp + v);
        a3.intoArray(dw, d + 3 * cp);
        b3.intoArray(dw, d + 3 * cp + v);
        a4.intoArray(dw, d + 4 * cp);
        b4.intoArray(dw, d + 4 * cp + v);
        a5.intoArray(dw, d + 5 * cp);
        b5.intoArray(dw, d + 5 * cp + v);
        a6.intoArray(dw, d + 6 * cp);
        b6.intoArray(dw, d + 6 * cp + v);
        a7.intoArray(dw, d + 7 * cp);
        b7.intoArray(dw, d + 7 * cp + v);
        a8.intoArray(dw, d + 8 * cp);
        b8.intoArray(dw, d + 8 * cp + v);
    }

    /** weightTaps lane by lane: the same fused multiply-adds in the same order. */
    static void weightTapsScalar(
            float[] xl, int wp, int cp, int c0, int[] at, float[] gv, int from, int count, float[] dw, int db) {
        for (int t = 0; t < 9; t++) {
            int off = ((t / 3) * wp + t % 3) * cp + c0, d = db + t * cp + c0;
            for (int j = 0; j < CHUNK; j++) {
                float a = dw[d + j];
                for (int i = from; i < from + count; i++) a = Math.fma(xl[at[i] + off + j], gv[i], a);
                dw[d + j] = a;
            }
        }
    }

    /*
     * dl[at[i] + tap(t) + c0 + j] += gv[i] · wt[wb + t·cp + c0 + j] for the count windows from `from`, in order, the 9
     * taps and the CHUNK channels from c0: the 18 weight vectors stay in registers. Its twin is inputTapsScalar.
     */
    private static void inputTaps(
            float[] dl, int wp, int cp, int c0, float[] wt, int wb, int[] at, float[] gv, int from, int count) {
        int v = S.length(), r = wp * cp, d = wb + c0;
        FloatVector a0 = FloatVector.fromArray(S, wt, d), b0 = FloatVector.fromArray(S, wt, d + v);
        FloatVector a1 = FloatVector.fromArray(S, wt, d + cp), b1 = FloatVector.fromArray(S, wt, d + cp + v);
        FloatVector a2 = FloatVector.fromArray(S, wt, d + 2 * cp), b2 = FloatVector.fromArray(S, wt, d + 2 * cp + v);
        FloatVector a3 = FloatVector.fromArray(S, wt, d + 3 * cp), b3 = FloatVector.fromArray(S, wt, d + 3 * cp + v);
        FloatVector a4 = FloatVector.fromArray(S, wt, d + 4 * cp), b4 = FloatVector.fromArray(S, wt, d + 4 * cp + v);
        FloatVector a5 = FloatVector.fromArray(S, wt, d + 5 * cp), b5 = FloatVector.fromArray(S, wt, d + 5 * cp + v);
        FloatVector a6 = FloatVector.fromArray(S, wt, d + 6 * cp), b6 = FloatVector.fromArray(S, wt, d + 6 * cp + v);
        FloatVector a7 = FloatVector.fromArray(S, wt, d + 7 * cp), b7 = FloatVector.fromArray(S, wt, d + 7 * cp + v);
        FloatVector a8 = FloatVector.fromArray(S, wt, d + 8 * cp), b8 = FloatVector.fromArray(S, wt, d + 8 * cp + v);
        for (int i = from; i < from + count; i++) {
            FloatVector g = FloatVector.broadcast(S, gv[i]);
            int p = at[i] + c0, p1 = p + r, p2 = p + 2 * r;
            a0.fma(g, FloatVector.fromArray(S, dl, p)).intoArray(dl, p);
            b0.fma(g, FloatVector.fromArray(S, dl, p + v)).intoArray(dl, p + v);
            a1.fma(g, FloatVector.fromArray(S, dl, p + cp)).intoArray(dl, p + cp);
            b1.fma(g, FloatVector.fromArray(S, dl, p + cp + v)).intoArray(dl, p + cp + v);
            a2.fma(g, FloatVector.fromArray(S, dl, p + 2 * cp)).intoArray(dl, p + 2 * cp);
            b2.fma(g, FloatVector.fromArray(S, dl, p + 2 * cp + v)).intoArray(dl, p + 2 * cp + v);
            a3.fma(g, FloatVector.fromArray(S, dl, p1)).intoArray(dl, p1);
            b3.fma(g, FloatVector.fromArray(S, dl, p1 + v)).intoArray(dl, p1 + v);
            a4.fma(g, FloatVector.fromArray(S, dl, p1 + cp)).intoArray(dl, p1 + cp);
            b4.fma(g, FloatVector.fromArray(S, dl, p1 + cp + v)).intoArray(dl, p1 + cp + v);
            a5.fma(g, FloatVector.fromArray(S, dl, p1 + 2 * cp)).intoArray(dl, p1 + 2 * cp);
            b5.fma(g, FloatVector.fromArray(S, dl, p1 + 2 * cp + v)).intoArray(dl, p1 + 2 * cp + v);
            a6.fma(g, FloatVector.fromArray(S, dl, p2)).intoArray(dl, p2);
            b6.fma(g, FloatVector.fromArray(S, dl, p2 + v)).intoArray(dl, p2 + v);
            a7.fma(g, FloatVector.fromArray(S, dl, p2 + cp)).intoArray(dl, p2 + cp);
            b7.fma(g, FloatVector.fromArray(S, dl, p2 + cp + v)).intoArray(dl, p2 + cp + v);
            a8.fma(g, FloatVector.fromArray(S, dl, p2 + 2 * cp)).intoArray(dl, p2 + 2 * cp);
            b8.fma(g, FloatVector.fromArray(S, dl, p2 + 2 * cp + v)).intoArray(dl, p2 + 2 * cp + v);
        }
    }

    /** inputTaps lane by lane: the same fused multiply-adds in the same order. */
    static void inputTapsScalar(
            float[] dl, int wp, int cp, int c0, float[] wt, int wb, int[] at, float[] gv, int from, int count) {
        for (int i = from; i < from + count; i++)
            for (int t = 0; t < 9; t++) {
                int off = at[i] + ((t / 3) * wp + t % 3) * cp + c0, s = wb + t * cp + c0;
                for (int j = 0; j < CHUNK; j++) dl[off + j] = Math.fma(wt[s + j], gv[i], dl[off + j]);
            }
    }
}
