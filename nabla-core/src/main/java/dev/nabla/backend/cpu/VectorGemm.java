package dev.nabla.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 GEMM on the Vector API: operands packed into panels (A in MR=4-row panels, B in NR=16-column panels, both
 * from arbitrary row and column strides, so transposes cost nothing extra), cache blocking (KC×NC block of
 * B, MC×KC block of A), and a 4×16 register tile of eight 8-lane accumulators updated with FMA. Called only where
 * {@link Kernels#vectorized()} holds (the Vector API and C2 are there); the class is loaded on its first call.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int MR = 4, NR = 16, KC = 320, MC = 96, NC = 2048;
    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[MC * KC], new float[KC * NC], new float[MR * NR]});

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
        float[][] buf = BUFFERS.get();
        float[] ap = buf[0], bp = buf[1], tile = buf[2];
        int kBlocks = (k + KC - 1) / KC, kStep = (k + kBlocks - 1) / kBlocks; // even K blocks: no thin last block
        int nBlocks = (n1 - n0 + NC - 1) / NC, nStep = ((n1 - n0 + nBlocks - 1) / nBlocks + NR - 1) / NR * NR;
        for (int jc = n0; jc < n1; jc += nStep) {
            int nc = Math.min(nStep, n1 - jc);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean add = accumulate || pc > 0;
                packB(b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(a, aOff + ic * ars + pc * acs, ars, acs, mc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            kernel(
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

    /** ap[(panel·kc + p)·MR + r] = A(panel·MR + r, p), zero past the last row. */
    private static void packA(float[] a, int off, int rs, int cs, int mc, int kc, float[] ap) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int base = i0 * kc, rows = Math.min(MR, mc - i0);
            for (int r = 0; r < MR; r++) {
                if (r >= rows) {
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = 0f;
                    continue;
                }
                int src = off + (i0 + r) * rs;
                for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[src + p * cs];
            }
        }
    }

    /** bp[(panel·kc + p)·NR + j] = B(p, panel·NR + j), zero past the last column. */
    private static void packB(float[] b, int off, int rs, int cs, int kc, int nc, float[] bp) {
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int base = j0 * kc, cols = Math.min(NR, nc - j0);
            if (cs == 1 && cols == NR) {
                for (int p = 0; p < kc; p++) System.arraycopy(b, off + p * rs + j0, bp, base + p * NR, NR);
                continue;
            }
            for (int j = 0; j < NR; j++) {
                if (j >= cols) {
                    for (int p = 0; p < kc; p++) bp[base + p * NR + j] = 0f;
                    continue;
                }
                int src = off + (j0 + j) * cs;
                for (int p = 0; p < kc; p++) bp[base + p * NR + j] = b[src + p * rs];
            }
        }
    }

    /*
     * Micro-kernel, unrolled by hand: the 4x16 tile is eight named FloatVector accumulators. Arrays of vectors, loops
     * over them, or a helper per row that C2 does not inline make C2 box the vectors on the heap, which runs several
     * times slower than the scalar code. Its readable reference is Gemm.referenceSgemm (plain loops); FastKernelsTest
     * checks this kernel against it.
     */
    static void kernel(
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
            int bi = bOff + p * NR, ai = aOff + p * MR;
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
        if (mr == MR && nr == NR) {
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
                c[cOff + r * ldc + j] = add ? c[cOff + r * ldc + j] + tile[r * NR + j] : tile[r * NR + j];
    }
}
