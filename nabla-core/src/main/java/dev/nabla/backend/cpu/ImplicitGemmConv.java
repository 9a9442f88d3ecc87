package dev.nabla.backend.cpu;

import static dev.nabla.backend.cpu.ConvKernels.GROUP;
import static dev.nabla.backend.cpu.ConvKernels.overGroups;
import static dev.nabla.backend.cpu.ConvKernels.sumPartials;
import static dev.nabla.backend.cpu.ConvKernels.work;

import dev.nabla.backend.Backend.ConvGeometry;
import dev.nabla.backend.cpu.ConvKernels.GroupResult;

/**
 * The stride-1 float32 path of {@link ConvKernels}: implicit GEMM on the Vector API. Each group of images is copied
 * zero-padded, and the kernels of {@link VectorConv} read the column matrix straight from it through a table of row
 * offsets, on an "extended" output grid whose rows are as wide as the padded rows (the extra columns are computed and
 * dropped), so that 16 neighbouring output positions are 16 neighbouring floats. The input gradient is the
 * convolution of the padded output gradient with the flipped weights; the weight gradient reads the column matrix
 * from the padded images too. No column matrix is stored, nothing is scattered back. Called only where
 * {@link Kernels#vectorized()} holds.
 */
final class ImplicitGemmConv {
    private ImplicitGemmConv() {}

    /**
     * Up to this many rows of the column matrix (C·KH·KW), the stride-1 weight gradient is computed as dot products
     * along the columns ({@link VectorConv#weightGrad}: no packing, best for the first layer's 9 rows); above it, by a
     * GEMM that reads the column matrix from the padded images ({@link VectorConv#weightGradGemm}).
     */
    static final int DOT_MAX_DEPTH = 64;

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
     * Stride-1 convolution of the images x, shape xs = [N, C, H, W] (given plane by plane), with w [O, C·KH·KW]
     * (shape ws = [O, C, KH, KW]), the padding and dilation of g (its stride is taken as 1), no bias: per group of images, the images are copied zero-padded and the implicit-GEMM
     * kernel ({@link VectorConv#forward}) reads the column matrix from them; the result, on the extended grid, goes to sink.
     */
    static void stride1(PlaneSource x, int[] xs, float[] w, int[] ws, ConvGeometry g, GroupResult sink) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int ph = g.padH(), pw = g.padW(), dh = g.dilH(), dw = g.dilW();
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
    interface PlaneSource {
        /** Writes plane (img, ch) into a cleared dst: element (y, x) goes to dst[off + y·stride + x·step] (zeros may be skipped). */
        void plane(int img, int ch, float[] dst, int off, int stride, int step);
    }

    /** The planes of a [N, C, H, W] array, each element zeroed where mask ≤ 0 (mask null: copied as they are). */
    static PlaneSource dense(float[] a, float[] mask, int c, int h, int w) {
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
     * code of each window's argmax ({@link PoolKernels#windowCode}): zero but at each window's argmax, so only those
     * are written.
     */
    static PlaneSource pooled(float[] gp, byte[] argmax, int c, int oh, int ow) {
        int ph = oh / 2, pw = ow / 2;
        return (img, ch, dst, off, stride, step) -> {
            int src = (img * c + ch) * ph * pw;
            for (int py = 0; py < ph; py++)
                for (int px = 0; px < pw; px++, src++) { // no branch on v == 0: half are zero (ReLU), and unpredictable
                    int k = argmax[src];
                    dst[off + (2 * py + (k >> 1)) * stride + (2 * px + (k & 1)) * step] = gp[src];
                }
        };
    }

    /**
     * Stride 1: dL/dx is the convolution of the (masked) output gradient, padded by dil·(k−1) − pad, with the weights
     * flipped in space and with input and output channels swapped.
     */
    static float[] backwardInputStride1(PlaneSource gy, int[] ys, float[] w, int[] ws, int[] xs, ConvGeometry g) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3], hw = h * wd;
        float[] gx = new float[n * c * hw];
        float[] wf = flipped(w, o, c, kh, kw);
        int fph = g.dilH() * (kh - 1) - g.padH(), fpw = g.dilW() * (kw - 1) - g.padW();
        ConvGeometry flipped = new ConvGeometry(1, 1, fph, fpw, g.dilH(), g.dilW());
        stride1(gy, ys, wf, new int[] {c, o, kh, kw}, flipped, (i0, gn, out, cols, perImage, wp) -> {
            for (int img = 0; img < gn; img++)
                for (int ci = 0; ci < c; ci++) {
                    int dst = ((i0 + img) * c + ci) * hw, src = ci * cols + img * perImage;
                    for (int iy = 0; iy < h; iy++, dst += wd, src += wp) copy(out, src, gx, dst, wd);
                }
        });
        return gx;
    }

    /**
     * The filter of the input gradient's convolution: w [O, C, KH, KW] flipped in space, with input and output channels
     * swapped, [C, O, KH, KW].
     */
    static float[] flipped(float[] w, int o, int c, int kh, int kw) {
        float[] wf = new float[c * o * kh * kw];
        for (int oc = 0; oc < o; oc++)
            for (int ci = 0; ci < c; ci++)
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                        wf[((ci * o + oc) * kh + kh - 1 - ki) * kw + kw - 1 - kj] =
                                w[((oc * c + ci) * kh + ki) * kw + kj];
        return wf;
    }

    /** Stride 1: dL/dw with the column matrix read from the padded images (one partial sum per group, added in group order). */
    static float[] backwardWeightStride1(PlaneSource gy, int[] ys, float[] x, int[] xs, int[] ws, ConvGeometry g) {
        int n = xs[0],
                c = xs[1],
                h = xs[2],
                wd = xs[3],
                o = ws[0],
                oh = ys[2],
                kh = ws[2],
                kw = ws[3],
                ckk = c * kh * kw;
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
