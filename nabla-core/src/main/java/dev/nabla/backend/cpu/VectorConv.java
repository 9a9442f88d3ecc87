package dev.nabla.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Implicit-GEMM kernels for stride-1 convolutions on the Vector API: the column matrix is never built or packed, the
 * kernels read it from zero-padded images through a table of row offsets. Column j of the column matrix (an output
 * position on the "extended" grid, see {@link ConvKernels}) starts at base(j) = j / perImage · imageStride +
 * j % perImage in the padded images xp, and row p (input channel, kernel row, kernel column) adds rowOff[p]; 16
 * consecutive columns of one image are 16 consecutive floats. Called only where {@link Kernels#vectorized()} holds
 * (the class is loaded on its first call, so a JVM without the Vector API never loads it).
 */
final class VectorConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256, Z = FloatVector.SPECIES_512;
    static final int MR = 4, NR = 16;

    /**
     * Rows of the forward kernels' tile where {@link VectorGemm#WIDE}: 8 output channels by one 16-column panel, eight
     * 16-lane accumulators (else {@link #MR} = 4 rows of two 8-lane vectors). The same FMA chains, so the same bits.
     */
    static final int WIDE_MR = 8;

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[WIDE_MR * NR]);

    private VectorConv() {}

    /** {@link #packWeights(float[], int, int, boolean)} for the forward kernels in use. */
    static float[] packWeights(float[] w, int o, int k) {
        return packWeights(w, o, k, VectorGemm.WIDE);
    }

    /**
     * The weights [o, k] (row-major) in h-row panels over the whole depth, h = 8 when wide, else 4: wpk[(panel·k + p)·h
     * + r], zero past row o.
     */
    static float[] packWeights(float[] w, int o, int k, boolean wide) {
        int h = wide ? WIDE_MR : MR, panels = (o + h - 1) / h;
        float[] wpk = new float[panels * k * h];
        for (int oc = 0; oc < o; oc++) {
            int base = oc / h * k * h + oc % h;
            for (int p = 0; p < k; p++) wpk[base + p * h] = w[oc * k + p];
        }
        return wpk;
    }

    /**
     * out[oc·ldo + j] = Σ_p w(oc, p)·X(j, p) for oc in [0, o) and j in [j0, j1) (multiples of 16), with the weights
     * packed by {@link #packWeights} and X read from xp as described above; columns from {@code cols} on are zero
     * in X. A 16-column panel that lies inside one image is read in place; one that straddles two images (or the
     * end) is first gathered into a small buffer. For 3x3 filters, taps (the nine offsets of channel 0) and
     * channelStride describe rowOff (rowOff[ci·9 + t] = ci·channelStride + taps[t]) for {@link #kernel3x3}; else null.
     */
    static void forward(
            int o,
            int k,
            float[] wpk,
            float[] xp,
            int[] rowOff,
            int[] taps,
            int channelStride,
            int j0,
            int j1,
            int cols,
            int perImage,
            int imageStride,
            float[] out,
            int ldo) {
        forward(
                o,
                k,
                wpk,
                xp,
                rowOff,
                taps,
                channelStride,
                j0,
                j1,
                cols,
                perImage,
                imageStride,
                out,
                ldo,
                VectorGemm.WIDE);
    }

    /** {@link #forward} with the wide (8 x 16, 16-lane) or the narrow (4 x 16, 8-lane) tile; wpk packed to match. */
    static void forward(
            int o,
            int k,
            float[] wpk,
            float[] xp,
            int[] rowOff,
            int[] taps,
            int channelStride,
            int j0,
            int j1,
            int cols,
            int perImage,
            int imageStride,
            float[] out,
            int ldo,
            boolean wide) {
        float[] tile = TILE.get();
        int h = wide ? WIDE_MR : MR;
        if (k <= SHALLOW) {
            // few rows (the first layer): the image block stays in L1 anyway, so sweep each output row block along
            // the columns, which writes the output sequentially
            for (int ir = 0; ir < o; ir += h)
                for (int j = j0; j < j1; j += NR)
                    panel(
                            o,
                            ir,
                            ir + h,
                            j,
                            k,
                            wpk,
                            xp,
                            rowOff,
                            taps,
                            channelStride,
                            cols,
                            perImage,
                            imageStride,
                            out,
                            ldo,
                            tile,
                            wide);
            return;
        }
        for (int j = j0; j < j1; j += NR) // each 16-column panel of the images is reused from L1 by all output rows
        panel(o, 0, o, j, k, wpk, xp, rowOff, taps, channelStride, cols, perImage, imageStride, out, ldo, tile, wide);
    }

    /**
     * Output rows [ir0, ir1) (in blocks of 8 when wide, else 4) of the 16-column panel j: read in place, through
     * {@link #kernel3x3} (or its wide form) when taps are given, or gathered into a buffer first when the panel
     * straddles two images (or the end).
     */
    private static void panel(
            int o,
            int ir0,
            int ir1,
            int j,
            int k,
            float[] wpk,
            float[] xp,
            int[] rowOff,
            int[] taps,
            int channelStride,
            int cols,
            int perImage,
            int imageStride,
            float[] out,
            int ldo,
            float[] tile,
            boolean wide) {
        boolean straddles = j % perImage + NR > perImage;
        float[] b = straddles ? straddling(k, xp, rowOff, j, cols, perImage, imageStride) : xp;
        int[] off = straddles ? identity(k) : rowOff;
        int base = straddles ? 0 : j / perImage * imageStride + j % perImage;
        int h = wide ? WIDE_MR : MR;
        for (int ir = ir0; ir < Math.min(ir1, o); ir += h) {
            int mr = Math.min(h, o - ir);
            if (wide) {
                if (taps != null && !straddles)
                    wide3x3(k / 9, channelStride, taps, wpk, ir * k, xp, base, out, ir * ldo + j, ldo, mr, tile);
                else wide(k, wpk, ir * k, b, base, off, out, ir * ldo + j, ldo, mr, tile);
            } else if (taps != null && !straddles)
                kernel3x3(
                        k / 9,
                        channelStride,
                        taps[0],
                        taps[1],
                        taps[2],
                        taps[3],
                        taps[4],
                        taps[5],
                        taps[6],
                        taps[7],
                        taps[8],
                        wpk,
                        ir * k,
                        xp,
                        base,
                        out,
                        ir * ldo + j,
                        ldo,
                        mr,
                        tile);
            else kernel(k, wpk, ir * k, b, base, off, out, ir * ldo + j, ldo, mr, tile);
        }
    }

    private static final ThreadLocal<float[][]> PANEL = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<int[][]> IDENTITY = ThreadLocal.withInitial(() -> new int[1][0]);

    /** The panel of columns j ..< j + 16 gathered as panel[p·16 + jj] = X(j + jj, p) (0 from cols on), in a thread's buffer. */
    private static float[] straddling(int k, float[] xp, int[] rowOff, int j, int cols, int perImage, int imageStride) {
        float[][] holder = PANEL.get();
        if (holder[0].length < k * NR) holder[0] = new float[k * NR];
        float[] panel = holder[0];
        for (int jj = 0; jj < NR; jj++) {
            int col = j + jj;
            if (col >= cols) {
                for (int p = 0; p < k; p++) panel[p * NR + jj] = 0f;
                continue;
            }
            int cb = col / perImage * imageStride + col % perImage;
            for (int p = 0; p < k; p++) panel[p * NR + jj] = xp[cb + rowOff[p]];
        }
        return panel;
    }

    /** Row offsets p·16: a gathered panel read as if it were an image. */
    private static int[] identity(int k) {
        int[][] holder = IDENTITY.get();
        if (holder[0].length < k) {
            holder[0] = new int[k];
            for (int p = 0; p < k; p++) holder[0][p] = p * NR;
        }
        return holder[0];
    }

    /** The wide tile for 3x3 filters (see {@link #kernel3x3}); a partial tile is computed whole into tile, then copied. */
    private static void wide3x3(
            int c,
            int cs,
            int[] taps,
            float[] ap,
            int aOff,
            float[] xp,
            int base,
            float[] cc,
            int cOff,
            int ldc,
            int mr,
            float[] tile) {
        int s0 = taps[0], s1 = taps[1], s2 = taps[2], s3 = taps[3], s4 = taps[4], s5 = taps[5], s6 = taps[6];
        int s7 = taps[7], s8 = taps[8];
        if (mr == WIDE_MR) {
            full3x3(c, cs, s0, s1, s2, s3, s4, s5, s6, s7, s8, ap, aOff, xp, base, cc, cOff, ldc);
            return;
        }
        full3x3(c, cs, s0, s1, s2, s3, s4, s5, s6, s7, s8, ap, aOff, xp, base, tile, 0, NR);
        copyRows(tile, mr, cc, cOff, ldc);
    }

    /*
     * 8 output channels x 16 columns for 3x3 filters on 16-lane vectors, the nine taps written out as in kernel3x3, with
     * one store path only (more paths took C2 past its inlining budget in VectorGemm's wide kernels).
     */
    private static void full3x3(
            int c,
            int cs,
            int s0,
            int s1,
            int s2,
            int s3,
            int s4,
            int s5,
            int s6,
            int s7,
            int s8,
            float[] ap,
            int aOff,
            float[] xp,
            int base,
            float[] cc,
            int cOff,
            int ldc) {
        FloatVector z = FloatVector.zero(Z);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
        for (int ci = 0; ci < c; ci++) {
            int cb = base + ci * cs, ai = aOff + ci * 9 * 8;
            FloatVector b;
            b = FloatVector.fromArray(Z, xp, cb + s0);
            c0 = FloatVector.broadcast(Z, ap[ai + 0]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 5]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 6]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 7]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s1);
            c0 = FloatVector.broadcast(Z, ap[ai + 8]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 9]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 10]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 11]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 12]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 13]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 14]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 15]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s2);
            c0 = FloatVector.broadcast(Z, ap[ai + 16]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 17]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 18]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 19]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 20]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 21]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 22]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 23]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s3);
            c0 = FloatVector.broadcast(Z, ap[ai + 24]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 25]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 26]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 27]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 28]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 29]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 30]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 31]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s4);
            c0 = FloatVector.broadcast(Z, ap[ai + 32]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 33]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 34]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 35]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 36]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 37]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 38]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 39]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s5);
            c0 = FloatVector.broadcast(Z, ap[ai + 40]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 41]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 42]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 43]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 44]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 45]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 46]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 47]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s6);
            c0 = FloatVector.broadcast(Z, ap[ai + 48]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 49]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 50]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 51]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 52]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 53]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 54]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 55]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s7);
            c0 = FloatVector.broadcast(Z, ap[ai + 56]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 57]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 58]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 59]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 60]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 61]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 62]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 63]).fma(b, c7);
            b = FloatVector.fromArray(Z, xp, cb + s8);
            c0 = FloatVector.broadcast(Z, ap[ai + 64]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 65]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 66]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 67]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 68]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 69]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 70]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 71]).fma(b, c7);
        }
        c0.intoArray(cc, cOff + 0 * ldc);
        c1.intoArray(cc, cOff + 1 * ldc);
        c2.intoArray(cc, cOff + 2 * ldc);
        c3.intoArray(cc, cOff + 3 * ldc);
        c4.intoArray(cc, cOff + 4 * ldc);
        c5.intoArray(cc, cOff + 5 * ldc);
        c6.intoArray(cc, cOff + 6 * ldc);
        c7.intoArray(cc, cOff + 7 * ldc);
    }

    /** The wide tile for any filter (see {@link #kernel}); a partial tile is computed whole into tile, then copied. */
    private static void wide(
            int k,
            float[] ap,
            int aOff,
            float[] xp,
            int base,
            int[] rowOff,
            float[] cc,
            int cOff,
            int ldc,
            int mr,
            float[] tile) {
        if (mr == WIDE_MR) {
            fullWide(k, ap, aOff, xp, base, rowOff, cc, cOff, ldc);
            return;
        }
        fullWide(k, ap, aOff, xp, base, rowOff, tile, 0, NR);
        copyRows(tile, mr, cc, cOff, ldc);
    }

    /** 8 output channels x 16 columns on 16-lane vectors, rows of the column matrix through rowOff. */
    private static void fullWide(
            int k, float[] ap, int aOff, float[] xp, int base, int[] rowOff, float[] cc, int cOff, int ldc) {
        FloatVector z = FloatVector.zero(Z);
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
        for (int p = 0; p < k; p++) {
            int ai = aOff + p * 8;
            FloatVector b = FloatVector.fromArray(Z, xp, base + rowOff[p]);
            c0 = FloatVector.broadcast(Z, ap[ai + 0]).fma(b, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 5]).fma(b, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 6]).fma(b, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 7]).fma(b, c7);
        }
        c0.intoArray(cc, cOff + 0 * ldc);
        c1.intoArray(cc, cOff + 1 * ldc);
        c2.intoArray(cc, cOff + 2 * ldc);
        c3.intoArray(cc, cOff + 3 * ldc);
        c4.intoArray(cc, cOff + 4 * ldc);
        c5.intoArray(cc, cOff + 5 * ldc);
        c6.intoArray(cc, cOff + 6 * ldc);
        c7.intoArray(cc, cOff + 7 * ldc);
    }

    /** The first mr rows of a partial tile (NR floats each, computed whole into tile) into C. */
    private static void copyRows(float[] tile, int mr, float[] c, int cOff, int ldc) {
        for (int r = 0; r < mr; r++) System.arraycopy(tile, r * NR, c, cOff + r * ldc, NR);
    }

    /** Depth up to which {@link #forward} runs the output rows in the outer loop. */
    private static final int SHALLOW = 32;

    /**
     * {@link #kernel} for 3x3 filters: rowOff[ci·9 + t] = ci·cs + tap[t], with the nine taps written out, so that every
     * index is the channel times a constant plus a constant and C2 can hoist the bounds checks out of the loop (12 to
     * 25 % faster than the table-driven kernel on the reference CNN's second layer; same results, same order of FMAs).
     */
    private static void kernel3x3(
            int c,
            int cs,
            int s0,
            int s1,
            int s2,
            int s3,
            int s4,
            int s5,
            int s6,
            int s7,
            int s8,
            float[] ap,
            int aOff,
            float[] xp,
            int base,
            float[] cc,
            int cOff,
            int ldc,
            int mr,
            float[] tile) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = FloatVector.zero(S),
                c10 = FloatVector.zero(S),
                c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S),
                c21 = FloatVector.zero(S),
                c30 = FloatVector.zero(S),
                c31 = FloatVector.zero(S);
        for (int ci = 0; ci < c; ci++) {
            int cb = base + ci * cs;
            { // tap 0
                int bi = cb + s0, ai = aOff + (ci * 9 + 0) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 1
                int bi = cb + s1, ai = aOff + (ci * 9 + 1) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 2
                int bi = cb + s2, ai = aOff + (ci * 9 + 2) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 3
                int bi = cb + s3, ai = aOff + (ci * 9 + 3) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 4
                int bi = cb + s4, ai = aOff + (ci * 9 + 4) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 5
                int bi = cb + s5, ai = aOff + (ci * 9 + 5) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 6
                int bi = cb + s6, ai = aOff + (ci * 9 + 6) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 7
                int bi = cb + s7, ai = aOff + (ci * 9 + 7) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            { // tap 8
                int bi = cb + s8, ai = aOff + (ci * 9 + 8) * MR;
                FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
        }
        if (mr == MR) {
            int o0 = cOff, o1 = cOff + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
            c00.intoArray(cc, o0);
            c01.intoArray(cc, o0 + 8);
            c10.intoArray(cc, o1);
            c11.intoArray(cc, o1 + 8);
            c20.intoArray(cc, o2);
            c21.intoArray(cc, o2 + 8);
            c30.intoArray(cc, o3);
            c31.intoArray(cc, o3 + 8);
            return;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 8);
        c10.intoArray(tile, 16);
        c11.intoArray(tile, 24);
        c20.intoArray(tile, 32);
        c21.intoArray(tile, 40);
        c30.intoArray(tile, 48);
        c31.intoArray(tile, 56);
        copyRows(tile, mr, cc, cOff, ldc);
    }

    /*
     * Micro-kernel, unrolled by hand (named accumulators, no arrays of vectors or non-inlined helpers): otherwise C2
     * boxes the vectors on the heap and the kernel runs slower than scalar code. Its readable reference is
     * ConvReference (direct float64 loops), which FastKernelsTest compares every path with.
     */
    private static void kernel(
            int k,
            float[] ap,
            int aOff,
            float[] xp,
            int base,
            int[] rowOff,
            float[] c,
            int cOff,
            int ldc,
            int mr,
            float[] tile) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = FloatVector.zero(S),
                c10 = FloatVector.zero(S),
                c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S),
                c21 = FloatVector.zero(S),
                c30 = FloatVector.zero(S),
                c31 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int bi = base + rowOff[p], ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, xp, bi), b1 = FloatVector.fromArray(S, xp, bi + 8);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        if (mr == MR) { // written out: vectors passed to a helper C2 does not inline would be boxed
            int o0 = cOff, o1 = cOff + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
            c00.intoArray(c, o0);
            c01.intoArray(c, o0 + 8);
            c10.intoArray(c, o1);
            c11.intoArray(c, o1 + 8);
            c20.intoArray(c, o2);
            c21.intoArray(c, o2 + 8);
            c30.intoArray(c, o3);
            c31.intoArray(c, o3 + 8);
            return;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 8);
        c10.intoArray(tile, 16);
        c11.intoArray(tile, 24);
        c20.intoArray(tile, 32);
        c21.intoArray(tile, 40);
        c30.intoArray(tile, 48);
        c31.intoArray(tile, 56);
        copyRows(tile, mr, c, cOff, ldc);
    }

    /**
     * dw[oc·np + p] = Σ_j g[oc·ldg + j]·X(j, p) over the gn·perImage columns j, for oc in [oc0, oc1), p in [0, np): the
     * weight gradient as dot products along the columns, 4 output channels by 2 rows at a time (eight accumulators).
     * g must be zero in the columns that are not output positions. Rows and channels past the end repeat the last
     * one and are not stored.
     */
    static void weightGrad(
            int o,
            int oc0,
            int oc1,
            int np,
            float[] g,
            int ldg,
            float[] xp,
            int[] rowOff,
            int gn,
            int perImage,
            int imageStride,
            float[] dw) {
        float[] tile = TILE.get();
        for (int oc = oc0; oc < oc1; oc += MR) {
            int g0 = oc * ldg,
                    g1 = Math.min(oc + 1, o - 1) * ldg,
                    g2 = Math.min(oc + 2, o - 1) * ldg,
                    g3 = Math.min(oc + 3, o - 1) * ldg;
            for (int p = 0; p < np; p += 2) {
                int x0 = rowOff[p], x1 = rowOff[Math.min(p + 1, np - 1)];
                FloatVector s00 = FloatVector.zero(S),
                        s01 = FloatVector.zero(S),
                        s10 = FloatVector.zero(S),
                        s11 = FloatVector.zero(S);
                FloatVector s20 = FloatVector.zero(S),
                        s21 = FloatVector.zero(S),
                        s30 = FloatVector.zero(S),
                        s31 = FloatVector.zero(S);
                for (int img = 0; img < gn; img++) {
                    int gb = img * perImage, xb = img * imageStride;
                    for (int j = 0; j < perImage; j += 8) {
                        FloatVector a = FloatVector.fromArray(S, xp, xb + x0 + j),
                                b = FloatVector.fromArray(S, xp, xb + x1 + j);
                        FloatVector v0 = FloatVector.fromArray(S, g, g0 + gb + j);
                        s00 = v0.fma(a, s00);
                        s01 = v0.fma(b, s01);
                        FloatVector v1 = FloatVector.fromArray(S, g, g1 + gb + j);
                        s10 = v1.fma(a, s10);
                        s11 = v1.fma(b, s11);
                        FloatVector v2 = FloatVector.fromArray(S, g, g2 + gb + j);
                        s20 = v2.fma(a, s20);
                        s21 = v2.fma(b, s21);
                        FloatVector v3 = FloatVector.fromArray(S, g, g3 + gb + j);
                        s30 = v3.fma(a, s30);
                        s31 = v3.fma(b, s31);
                    }
                }
                // lanes summed in a fixed order (reduceLanes leaves the order to the implementation, and interpreted
                // and compiled code could then differ in the last bit)
                s00.intoArray(tile, 0);
                s01.intoArray(tile, 8);
                s10.intoArray(tile, 16);
                s11.intoArray(tile, 24);
                s20.intoArray(tile, 32);
                s21.intoArray(tile, 40);
                s30.intoArray(tile, 48);
                s31.intoArray(tile, 56);
                int rows = Math.min(MR, oc1 - oc), cols = Math.min(2, np - p);
                for (int r = 0; r < rows; r++)
                    for (int q = 0; q < cols; q++) {
                        int t = (2 * r + q) * 8;
                        dw[(oc + r) * np + p + q] = ((tile[t] + tile[t + 1]) + (tile[t + 2] + tile[t + 3]))
                                + ((tile[t + 4] + tile[t + 5]) + (tile[t + 6] + tile[t + 7]));
                    }
            }
        }
    }

    /**
     * The weight gradient as a GEMM whose A operand is read from the padded images: dwT[p·ldd + oc] = Σ_j X(j, p)·g[oc·ldg
     * + j] over the gn·perImage columns j, for p in [p0, p1) (a multiple of 4 apart, or up to np), all oc, ldd = o
     * rounded up to 16. gT holds g transposed in 16-channel panels, gT[(oc/16·cols + j)·16 + oc%16]; the rows of X stream from
     * xp along the columns of one image, four at a time, with no packing.
     */
    static void weightGradGemm(
            int np,
            int p0,
            int p1,
            int o,
            float[] gT,
            int cols,
            float[] xp,
            int[] rowOff,
            int gn,
            int perImage,
            int imageStride,
            float[] dwT) {
        float[] tile = TILE.get();
        int ldd = (o + NR - 1) / NR * NR;
        for (int img = 0; img < gn; img++) {
            int xb = img * imageStride;
            for (int jp = 0; jp < ldd; jp += NR) {
                int bOff = (jp * cols + img * perImage * NR);
                for (int ir = p0; ir < p1; ir += MR) {
                    int mr = Math.min(MR, p1 - ir);
                    int a0 = xb + rowOff[ir],
                            a1 = xb + rowOff[Math.min(ir + 1, np - 1)],
                            a2 = xb + rowOff[Math.min(ir + 2, np - 1)],
                            a3 = xb + rowOff[Math.min(ir + 3, np - 1)];
                    rowsKernel(perImage, xp, a0, a1, a2, a3, gT, bOff, dwT, ir * ldd + jp, ldd, mr, img > 0, tile);
                }
            }
        }
    }

    /** A 4×16 tile of C (+)= Σ_p xp[a_r + p]·bp[bOff + p·16 ..]: the micro-kernel with A read along four rows of xp. */
    /* Unrolled by hand for the same reason as kernel(); reference: ConvReference.conv2dBackwardWeight. */
    private static void rowsKernel(
            int k,
            float[] xp,
            int a0,
            int a1,
            int a2,
            int a3,
            float[] bp,
            int bOff,
            float[] c,
            int cOff,
            int ldc,
            int mr,
            boolean add,
            float[] tile) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = FloatVector.zero(S),
                c10 = FloatVector.zero(S),
                c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S),
                c21 = FloatVector.zero(S),
                c30 = FloatVector.zero(S),
                c31 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int bi = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + 8);
            FloatVector v0 = FloatVector.broadcast(S, xp[a0 + p]);
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            FloatVector v1 = FloatVector.broadcast(S, xp[a1 + p]);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            FloatVector v2 = FloatVector.broadcast(S, xp[a2 + p]);
            c20 = v2.fma(b0, c20);
            c21 = v2.fma(b1, c21);
            FloatVector v3 = FloatVector.broadcast(S, xp[a3 + p]);
            c30 = v3.fma(b0, c30);
            c31 = v3.fma(b1, c31);
        }
        if (mr == MR) { // written out: vectors passed to a helper C2 does not inline would be boxed
            int o0 = cOff, o1 = cOff + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
            if (add) {
                c00 = c00.add(FloatVector.fromArray(S, c, o0));
                c01 = c01.add(FloatVector.fromArray(S, c, o0 + 8));
                c10 = c10.add(FloatVector.fromArray(S, c, o1));
                c11 = c11.add(FloatVector.fromArray(S, c, o1 + 8));
                c20 = c20.add(FloatVector.fromArray(S, c, o2));
                c21 = c21.add(FloatVector.fromArray(S, c, o2 + 8));
                c30 = c30.add(FloatVector.fromArray(S, c, o3));
                c31 = c31.add(FloatVector.fromArray(S, c, o3 + 8));
            }
            c00.intoArray(c, o0);
            c01.intoArray(c, o0 + 8);
            c10.intoArray(c, o1);
            c11.intoArray(c, o1 + 8);
            c20.intoArray(c, o2);
            c21.intoArray(c, o2 + 8);
            c30.intoArray(c, o3);
            c31.intoArray(c, o3 + 8);
            return;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 8);
        c10.intoArray(tile, 16);
        c11.intoArray(tile, 24);
        c20.intoArray(tile, 32);
        c21.intoArray(tile, 40);
        c30.intoArray(tile, 48);
        c31.intoArray(tile, 56);
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < NR; j++)
                c[cOff + r * ldc + j] = add ? c[cOff + r * ldc + j] + tile[r * NR + j] : tile[r * NR + j];
    }
}
