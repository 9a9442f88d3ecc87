package dev.nabla.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 GEMM on the Vector API: operands packed into panels (A in MR-row panels, B in NR-column panels, both from
 * arbitrary row and column strides, so transposes cost nothing extra), cache blocking (KC×NC block of B, MC×KC block
 * of A), and a register tile of accumulators updated with FMA. Two tiles, chosen once ({@link #WIDE}): with 512-bit
 * vectors (AVX-512) an 8×32 tile of sixteen 16-lane accumulators, else a 4×16 tile of eight 8-lane ones.
 * Every element of C is the same chain of FMAs over p in both, so they give the same bits (FastKernelsTest checks
 * it); the wide one runs about twice as fast where the cores have 512-bit FMA units.
 * Called only where {@link Kernels#vectorized()} holds (the Vector API and C2 are there); the class is loaded on its
 * first call.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256, Z = FloatVector.SPECIES_512;

    /**
     * True when the 16-lane kernels run: where the JVM prefers 512-bit vectors (AVX-512: C2 compiles 16-lane
     * FloatVectors to single instructions; where they are not native they would run as slow Java fallbacks, so they are
     * never chosen there), and then as {@link #wideVectors} decides from the system property {@code nabla.wideVectors}
     * and the JVM's {@code TypeProfileLevel}. Both widths give the same bits.
     */
    static final boolean WIDE = wideVectors(
            FloatVector.SPECIES_PREFERRED.length(),
            System.getProperty("nabla.wideVectors"),
            Kernels.vmOption("TypeProfileLevel"));

    /**
     * Whether to run the 16-lane kernels: never below 16 preferred lanes; else {@code nabla.wideVectors=true} or
     * {@code false} decides, and unset (or any other value) means on exactly when the JVM profiles the return values
     * and arguments of all calls ({@code -XX:TypeProfileLevel=222}, the last two digits 2; the {@code nabla} launcher
     * sets it).
     *
     * <p>Why the flag: the Vector API's operations are virtual calls on {@code FloatVector} (e.g. {@code fma} calls the
     * abstract {@code lanewise}), and C2 parses them before it inlines the intrinsics that give a vector its exact
     * class, so it devirtualises them from the JVM-wide receiver profile of {@code FloatVector.fma}. A process that
     * runs 8-lane and 16-lane kernels fills that profile with both classes; C2 then inlines both behind a type check
     * and the merged result is a boxed vector, so a kernel compiled in that state allocates on every FMA for good (JFR:
     * 750 GB allocated in {@code lanewiseTemplate} under {@code kernel4x16}; training step 80-150 ms instead of 20-30,
     * one process in three or four, and every process with {@code -XX:+PrintInlining}). With return values profiled per
     * call site, C2 takes the receiver's class from the caller's own profile (a speculative exact type), which one
     * kernel never mixes.
     */
    static boolean wideVectors(int preferredLanes, String property, String typeProfileLevel) {
        if (preferredLanes < 16) return false;
        if ("true".equalsIgnoreCase(property)) return true;
        if ("false".equalsIgnoreCase(property)) return false;
        return typeProfileLevel != null && typeProfileLevel.matches("[0-9]*22");
    }

    /** The register tile of {@link #gemm}: MR rows of A by NR columns of B. */
    static final int MR = WIDE ? 8 : 4, NR = WIDE ? 32 : 16;

    /**
     * The tile of {@link #panelKernel} for B packed in 16-column panels (Winograd's transformed inputs): PANEL_MR rows
     * of A (packed in panels of that height) by {@link #PANEL_NR} columns.
     */
    static final int PANEL_MR = WIDE ? 16 : 4, PANEL_NR = 16;

    static final int KC = 320, MC = 96, NC = 2048;
    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[MC * KC], new float[KC * NC], new float[8 * 32]});

    private VectorGemm() {}

    /**
     * C[i, j] = (accumulate ? C[i, j] : 0) + Σ_p A(i, p)·B(p, j) for i in [0, m), j in [n0, n1); A(i,p) = a[aOff + i·ars +
     * p·acs], likewise B; C row-major with ldc. Without accumulate the first depth block writes C, so C need not be
     * cleared first.
     */
    static void gemm(
            int m,
            int n0,
            int n1,
            int k,
            float[] a,
            int aOff,
            int ars,
            int acs,
            float[] b,
            int bOff,
            int brs,
            int bcs,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        gemm(WIDE, m, n0, n1, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
    }

    /** {@link #gemm} with the wide (8×32, 16-lane) or the narrow (4×16, 8-lane) tile: for the tests of both. */
    static void gemm(
            boolean wide,
            int m,
            int n0,
            int n1,
            int k,
            float[] a,
            int aOff,
            int ars,
            int acs,
            float[] b,
            int bOff,
            int brs,
            int bcs,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        int mrT = wide ? 8 : 4, nrT = wide ? 32 : 16;
        float[][] buf = BUFFERS.get();
        float[] ap = buf[0], bp = buf[1], tile = buf[2];
        int kBlocks = (k + KC - 1) / KC, kStep = (k + kBlocks - 1) / kBlocks; // even K blocks: no thin last block
        int nBlocks = (n1 - n0 + NC - 1) / NC, nStep = ((n1 - n0 + nBlocks - 1) / nBlocks + nrT - 1) / nrT * nrT;
        for (int jc = n0; jc < n1; jc += nStep) {
            int nc = Math.min(nStep, n1 - jc);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean add = accumulate || pc > 0;
                packB(b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, bp, nrT);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(a, aOff + ic * ars + pc * acs, ars, acs, mc, kc, ap, mrT);
                    for (int jr = 0; jr < nc; jr += nrT) {
                        int nr = Math.min(nrT, nc - jr);
                        for (int ir = 0; ir < mc; ir += mrT) {
                            int mr = Math.min(mrT, mc - ir);
                            if (wide)
                                kernel8x32(
                                        kc,
                                        ap,
                                        ir * kc,
                                        bp,
                                        jr * kc,
                                        c,
                                        cOff + (ic + ir) * ldc + jc + jr,
                                        ldc,
                                        mr,
                                        nr,
                                        tile,
                                        add);
                            else
                                kernel4x16(
                                        kc,
                                        ap,
                                        ir * kc,
                                        bp,
                                        jr * kc,
                                        c,
                                        cOff + (ic + ir) * ldc + jc + jr,
                                        ldc,
                                        mr,
                                        nr,
                                        tile,
                                        add);
                        }
                    }
                }
            }
        }
    }

    /** ap[(panel·kc + p)·height + r] = A(panel·height + r, p), zero past the last row. */
    private static void packA(float[] a, int off, int rs, int cs, int mc, int kc, float[] ap, int height) {
        for (int i0 = 0; i0 < mc; i0 += height) {
            int base = i0 * kc, rows = Math.min(height, mc - i0);
            int r = 0;
            // A row-major (rows contiguous): four rows at a time, so each column's 4 stores are adjacent
            if (cs == 1)
                for (; r + 4 <= rows; r += 4) {
                    int s0 = off + (i0 + r) * rs;
                    for (int p = 0, d = base + r; p < kc; p++, d += height) {
                        ap[d] = a[s0 + p];
                        ap[d + 1] = a[s0 + rs + p];
                        ap[d + 2] = a[s0 + 2 * rs + p];
                        ap[d + 3] = a[s0 + 3 * rs + p];
                    }
                }
            for (; r < height; r++) {
                if (r >= rows) {
                    for (int p = 0; p < kc; p++) ap[base + p * height + r] = 0f;
                    continue;
                }
                int src = off + (i0 + r) * rs;
                for (int p = 0; p < kc; p++) ap[base + p * height + r] = a[src + p * cs];
            }
        }
    }

    /** bp[(panel·kc + p)·width + j] = B(p, panel·width + j), zero past the last column. */
    private static void packB(float[] b, int off, int rs, int cs, int kc, int nc, float[] bp, int width) {
        for (int j0 = 0; j0 < nc; j0 += width) {
            int base = j0 * kc, cols = Math.min(width, nc - j0);
            if (cs == 1 && cols == width) {
                for (int p = 0; p < kc; p++) System.arraycopy(b, off + p * rs + j0, bp, base + p * width, width);
                continue;
            }
            int j = 0;
            // B transposed (columns contiguous): eight columns at a time, so each row's 8 stores are adjacent
            if (rs == 1)
                for (; j + 8 <= cols; j += 8) {
                    int s0 = off + (j0 + j) * cs;
                    for (int p = 0, d = base + j; p < kc; p++, d += width) {
                        bp[d] = b[s0 + p];
                        bp[d + 1] = b[s0 + cs + p];
                        bp[d + 2] = b[s0 + 2 * cs + p];
                        bp[d + 3] = b[s0 + 3 * cs + p];
                        bp[d + 4] = b[s0 + 4 * cs + p];
                        bp[d + 5] = b[s0 + 5 * cs + p];
                        bp[d + 6] = b[s0 + 6 * cs + p];
                        bp[d + 7] = b[s0 + 7 * cs + p];
                    }
                }
            for (; j < width; j++) {
                if (j >= cols) {
                    for (int p = 0; p < kc; p++) bp[base + p * width + j] = 0f;
                    continue;
                }
                int src = off + (j0 + j) * cs;
                for (int p = 0; p < kc; p++) bp[base + p * width + j] = b[src + p * rs];
            }
        }
    }

    /*
     * Micro-kernels, unrolled by hand: each tile is named FloatVector accumulators. Arrays of vectors, loops
     * over them, or a helper per row that C2 does not inline make C2 box the vectors on the heap, which runs several
     * times slower than the scalar code. Its readable reference is Gemm.referenceSgemm (plain loops); FastKernelsTest
     * checks this kernel against it.
     */
    static void kernel4x16(
            int kc,
            float[] ap,
            int aOff,
            float[] bp,
            int bOff,
            float[] c,
            int cOff,
            int ldc,
            int mr,
            int nr,
            float[] tile,
            boolean add) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = FloatVector.zero(S),
                c10 = FloatVector.zero(S),
                c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S),
                c21 = FloatVector.zero(S),
                c30 = FloatVector.zero(S),
                c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * 16, ai = aOff + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + 8);
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
        if (mr == 4 && nr == 16) {
            // written out: passing vectors to a helper that C2 does not inline would box them (the slow path)
            int o0 = cOff, o1 = cOff + ldc, o2 = cOff + 2 * ldc, o3 = cOff + 3 * ldc;
            if (!add) {
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
            c00.add(FloatVector.fromArray(S, c, o0)).intoArray(c, o0);
            c01.add(FloatVector.fromArray(S, c, o0 + 8)).intoArray(c, o0 + 8);
            c10.add(FloatVector.fromArray(S, c, o1)).intoArray(c, o1);
            c11.add(FloatVector.fromArray(S, c, o1 + 8)).intoArray(c, o1 + 8);
            c20.add(FloatVector.fromArray(S, c, o2)).intoArray(c, o2);
            c21.add(FloatVector.fromArray(S, c, o2 + 8)).intoArray(c, o2 + 8);
            c30.add(FloatVector.fromArray(S, c, o3)).intoArray(c, o3);
            c31.add(FloatVector.fromArray(S, c, o3 + 8)).intoArray(c, o3 + 8);
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
            for (int j = 0; j < nr; j++)
                c[cOff + r * ldc + j] = add ? c[cOff + r * ldc + j] + tile[r * 16 + j] : tile[r * 16 + j];
    }

    /**
     * The wide tile: 8 rows × 32 columns, sixteen 16-lane accumulators (two per row), one row of A broadcast at a time.
     * A partial tile (mr < 8 or nr < 32) is computed whole into tile and merged into C.
     */
    static void kernel8x32(
            int kc,
            float[] ap,
            int aOff,
            float[] bp,
            int bOff,
            float[] c,
            int cOff,
            int ldc,
            int mr,
            int nr,
            float[] tile,
            boolean add) {
        if (mr == 8 && nr == 32) {
            full8x32(kc, ap, aOff, bp, bOff, c, cOff, ldc, add);
            return;
        }
        full8x32(kc, ap, aOff, bp, bOff, tile, 0, 32, false);
        merge(tile, 32, c, cOff, ldc, mr, nr, add);
    }

    /**
     * The whole 8×32 tile, with no other path: C2 compiles a kernel with more store paths past its inlining
     * budget, and then the FMAs of Float512Vector are not intrinsified (every one allocates; measured 4x slower).
     */
    private static void full8x32(
            int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(Z);
        FloatVector c00 = z,
                c01 = z,
                c10 = z,
                c11 = z,
                c20 = z,
                c21 = z,
                c30 = z,
                c31 = z,
                c40 = z,
                c41 = z,
                c50 = z,
                c51 = z,
                c60 = z,
                c61 = z,
                c70 = z,
                c71 = z;
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * 32, ai = aOff + p * 8;
            FloatVector b0 = FloatVector.fromArray(Z, bp, bi), b1 = FloatVector.fromArray(Z, bp, bi + 16);
            FloatVector x;
            x = FloatVector.broadcast(Z, ap[ai + 0]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(Z, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(Z, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(Z, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(Z, ap[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(Z, ap[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(Z, ap[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(Z, ap[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(Z, c, cOff + 0 * ldc));
            c01 = c01.add(FloatVector.fromArray(Z, c, cOff + 0 * ldc + 16));
            c10 = c10.add(FloatVector.fromArray(Z, c, cOff + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(Z, c, cOff + 1 * ldc + 16));
            c20 = c20.add(FloatVector.fromArray(Z, c, cOff + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(Z, c, cOff + 2 * ldc + 16));
            c30 = c30.add(FloatVector.fromArray(Z, c, cOff + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(Z, c, cOff + 3 * ldc + 16));
            c40 = c40.add(FloatVector.fromArray(Z, c, cOff + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(Z, c, cOff + 4 * ldc + 16));
            c50 = c50.add(FloatVector.fromArray(Z, c, cOff + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(Z, c, cOff + 5 * ldc + 16));
            c60 = c60.add(FloatVector.fromArray(Z, c, cOff + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(Z, c, cOff + 6 * ldc + 16));
            c70 = c70.add(FloatVector.fromArray(Z, c, cOff + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(Z, c, cOff + 7 * ldc + 16));
        }
        c00.intoArray(c, cOff + 0 * ldc);
        c01.intoArray(c, cOff + 0 * ldc + 16);
        c10.intoArray(c, cOff + 1 * ldc);
        c11.intoArray(c, cOff + 1 * ldc + 16);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + 16);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + 16);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + 16);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + 16);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + 16);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + 16);
    }

    /**
     * The wide tile: 16 rows × 16 columns over 16-column panels, sixteen 16-lane accumulators (one per row). A partial
     * tile (mr < 16 or nr < 16) is computed whole into tile and merged into C.
     */
    static void kernel16x16(
            int kc,
            float[] ap,
            int aOff,
            float[] bp,
            int bOff,
            float[] c,
            int cOff,
            int ldc,
            int mr,
            int nr,
            float[] tile,
            boolean add) {
        if (mr == 16 && nr == 16) {
            full16x16(kc, ap, aOff, bp, bOff, c, cOff, ldc, add);
            return;
        }
        full16x16(kc, ap, aOff, bp, bOff, tile, 0, 16, false);
        merge(tile, 16, c, cOff, ldc, mr, nr, add);
    }

    /**
     * The whole 16×16 tile, with no other path: C2 compiles a kernel with more store paths past its inlining
     * budget, and then the FMAs of Float512Vector are not intrinsified (every one allocates; measured 4x slower).
     */
    private static void full16x16(
            int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(Z);
        FloatVector c0 = z,
                c1 = z,
                c2 = z,
                c3 = z,
                c4 = z,
                c5 = z,
                c6 = z,
                c7 = z,
                c8 = z,
                c9 = z,
                c10 = z,
                c11 = z,
                c12 = z,
                c13 = z,
                c14 = z,
                c15 = z;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 16;
            FloatVector b0 = FloatVector.fromArray(Z, bp, bOff + p * 16);
            c0 = FloatVector.broadcast(Z, ap[ai + 0]).fma(b0, c0);
            c1 = FloatVector.broadcast(Z, ap[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(Z, ap[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(Z, ap[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(Z, ap[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(Z, ap[ai + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(Z, ap[ai + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(Z, ap[ai + 7]).fma(b0, c7);
            c8 = FloatVector.broadcast(Z, ap[ai + 8]).fma(b0, c8);
            c9 = FloatVector.broadcast(Z, ap[ai + 9]).fma(b0, c9);
            c10 = FloatVector.broadcast(Z, ap[ai + 10]).fma(b0, c10);
            c11 = FloatVector.broadcast(Z, ap[ai + 11]).fma(b0, c11);
            c12 = FloatVector.broadcast(Z, ap[ai + 12]).fma(b0, c12);
            c13 = FloatVector.broadcast(Z, ap[ai + 13]).fma(b0, c13);
            c14 = FloatVector.broadcast(Z, ap[ai + 14]).fma(b0, c14);
            c15 = FloatVector.broadcast(Z, ap[ai + 15]).fma(b0, c15);
        }
        if (add) {
            c0 = c0.add(FloatVector.fromArray(Z, c, cOff + 0 * ldc));
            c1 = c1.add(FloatVector.fromArray(Z, c, cOff + 1 * ldc));
            c2 = c2.add(FloatVector.fromArray(Z, c, cOff + 2 * ldc));
            c3 = c3.add(FloatVector.fromArray(Z, c, cOff + 3 * ldc));
            c4 = c4.add(FloatVector.fromArray(Z, c, cOff + 4 * ldc));
            c5 = c5.add(FloatVector.fromArray(Z, c, cOff + 5 * ldc));
            c6 = c6.add(FloatVector.fromArray(Z, c, cOff + 6 * ldc));
            c7 = c7.add(FloatVector.fromArray(Z, c, cOff + 7 * ldc));
            c8 = c8.add(FloatVector.fromArray(Z, c, cOff + 8 * ldc));
            c9 = c9.add(FloatVector.fromArray(Z, c, cOff + 9 * ldc));
            c10 = c10.add(FloatVector.fromArray(Z, c, cOff + 10 * ldc));
            c11 = c11.add(FloatVector.fromArray(Z, c, cOff + 11 * ldc));
            c12 = c12.add(FloatVector.fromArray(Z, c, cOff + 12 * ldc));
            c13 = c13.add(FloatVector.fromArray(Z, c, cOff + 13 * ldc));
            c14 = c14.add(FloatVector.fromArray(Z, c, cOff + 14 * ldc));
            c15 = c15.add(FloatVector.fromArray(Z, c, cOff + 15 * ldc));
        }
        c0.intoArray(c, cOff + 0 * ldc);
        c1.intoArray(c, cOff + 1 * ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
        c6.intoArray(c, cOff + 6 * ldc);
        c7.intoArray(c, cOff + 7 * ldc);
        c8.intoArray(c, cOff + 8 * ldc);
        c9.intoArray(c, cOff + 9 * ldc);
        c10.intoArray(c, cOff + 10 * ldc);
        c11.intoArray(c, cOff + 11 * ldc);
        c12.intoArray(c, cOff + 12 * ldc);
        c13.intoArray(c, cOff + 13 * ldc);
        c14.intoArray(c, cOff + 14 * ldc);
        c15.intoArray(c, cOff + 15 * ldc);
    }

    /** C[r, j] (+)= tile[r·width + j] for r < mr, j < nr: a partial tile into C. */
    private static void merge(float[] tile, int width, float[] c, int cOff, int ldc, int mr, int nr, boolean add) {
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++)
                c[cOff + r * ldc + j] = add ? c[cOff + r * ldc + j] + tile[r * width + j] : tile[r * width + j];
    }

    /**
     * C (+)= A·B for one tile of B packed in 16-column panels (bp[bOff + p·16 + j]) and A in {@link #PANEL_MR}-row
     * panels (ap[aOff + p·PANEL_MR + r]): the 16×16 tile on 16-lane vectors where {@link #WIDE}, else the 4×16 one.
     * tile is scratch of at least 256 floats.
     */
    static void panelKernel(
            int kc,
            float[] ap,
            int aOff,
            float[] bp,
            int bOff,
            float[] c,
            int cOff,
            int ldc,
            int mr,
            int nr,
            float[] tile,
            boolean add) {
        if (WIDE) kernel16x16(kc, ap, aOff, bp, bOff, c, cOff, ldc, mr, nr, tile, add);
        else kernel4x16(kc, ap, aOff, bp, bOff, c, cOff, ldc, mr, nr, tile, add);
    }
}
