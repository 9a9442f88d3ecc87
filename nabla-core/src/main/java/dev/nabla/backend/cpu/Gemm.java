package dev.nabla.backend.cpu;

/**
 * Matrix products C (+)= A·B with A and B given by arbitrary row and column strides (so transposed operands need
 * no copy). {@link #sgemm} is the fast float32 product: Vector API kernels when available, split over the cores;
 * {@link #scalarSgemm} is its plain twin; {@link #dgemm} is the float64 reference.
 */
public final class Gemm {
    private static final int KC = 256;
    private static final int NC = 512;

    private Gemm() {}

    /**
     * C[i, j] = (accumulate ? C[i, j] : 0) + Σ_p A(i, p)·B(p, j), with A(i, p) = a[aOff + i·ars + p·acs],
     * B(p, j) = b[bOff + p·brs + j·bcs] and C row-major with row stride ldc. Splits the work over the cores
     * when {@code parallel} and the product is large enough.
     */
    public static void sgemm(
            int m,
            int n,
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
            boolean accumulate,
            boolean parallel) {
        if (m == 0 || n == 0) return;
        boolean vector = Kernels.vectorized();
        if (!accumulate && (!vector || k == 0))
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        if (k == 0) return;
        long work = (long) m * n * k;
        int threads = Parallel.threads();
        // the threads' shares are whole register tiles of the kernel in use (VectorGemm loads only when vector)
        int nr = vector ? VectorGemm.NR : 16, mr = vector ? VectorGemm.MR : 4;
        if (!parallel || work < 262_144 || threads == 1) {
            chunk(vector, m, 0, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        } else if (n >= 64 * threads) {
            int panels =
                    (n + nr - 1) / nr; // split columns on whole panels, one range per thread (each packs its own A)
            Parallel.forRange(
                    panels,
                    grain(panels, threads),
                    (s, e) -> chunk(
                            vector,
                            m,
                            s * nr,
                            Math.min(e * nr, n),
                            k,
                            a,
                            aOff,
                            ars,
                            acs,
                            b,
                            bOff,
                            brs,
                            bcs,
                            c,
                            cOff,
                            ldc,
                            accumulate));
        } else {
            int panels = (m + mr - 1) / mr; // one range of whole row panels per thread (each packs its own B)
            Parallel.forRange(panels, grain(panels, threads), (s, e) -> {
                int r0 = s * mr, r1 = Math.min(e * mr, m);
                chunk(
                        vector,
                        r1 - r0,
                        0,
                        n,
                        k,
                        a,
                        aOff + r0 * ars,
                        ars,
                        acs,
                        b,
                        bOff,
                        brs,
                        bcs,
                        c,
                        cOff + r0 * ldc,
                        ldc,
                        accumulate);
            });
        }
    }

    /**
     * The fewest panels in one thread's range: panels / threads rounded down, so that {@link Parallel#forRange} makes
     * at least one range per thread. Rounded up, as it was, an odd number of panels made a single range (64x288x25088:
     * 9 panels of 32 columns, all on one thread).
     */
    static int grain(int panels, int threads) {
        return Math.max(1, panels / threads);
    }

    /** Row-major convenience form: lda, ldb, ldc are the row strides. */
    public static void sgemm(
            int m,
            int n,
            int k,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        sgemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate, true);
    }

    private static void chunk(
            boolean vector,
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
        if (vector) VectorGemm.gemm(m, n0, n1, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        else scalarChunk(m, n0, n1, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc);
    }

    /** The scalar twin of the vector kernel (same contract as {@link #sgemm}, on the calling thread), for tests and fallback. */
    public static void scalarSgemm(
            int m,
            int n,
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
        if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        if (m > 0 && n > 0 && k > 0) scalarChunk(m, 0, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc);
    }

    /**
     * The scalar kernel, written so that C2 auto-vectorises its inner loop (the Vector API's 8-16 lanes without the
     * incubator module; about 5x the plain i-k-j loop). JDK 25's SuperWord vectorises a loop that stores to one
     * float[] and loads from another only when it can prove that they do not overlap, which it cannot for two
     * parameters indexed at different offsets. So every row of a KC x NC block of B is packed into its own array,
     * two rows of C are copied into accumulator arrays, and the inner loop indexes all of them from 0 with the same
     * j: then even aliasing arrays would touch the same element, which is no loop-carried dependence. Two rows of
     * C and four of B per pass (two accumulator loads and stores per eight FMAs) measured fastest on 1024^3.
     */
    private static void scalarChunk(
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
            int ldc) {
        int n = n1 - n0;
        int nc = Math.min(n, NC), kc = Math.min(k, KC);
        float[][] bp = new float[kc][nc];
        float[] acc0 = new float[nc], acc1 = new float[nc];
        for (int jb = 0; jb < n; jb += NC) {
            int w = Math.min(jb + NC, n) - jb;
            for (int kb = 0; kb < k; kb += KC) {
                int kl = Math.min(kb + KC, k) - kb;
                packB(b, bOff + kb * brs + (n0 + jb) * bcs, brs, bcs, kl, w, bp);
                int i = 0;
                for (; i + 1 < m; i += 2) {
                    int c0 = cOff + i * ldc + n0 + jb, a0 = aOff + i * ars + kb * acs;
                    System.arraycopy(c, c0, acc0, 0, w);
                    System.arraycopy(c, c0 + ldc, acc1, 0, w);
                    twoRows(a, a0, a0 + ars, acs, bp, kl, w, acc0, acc1);
                    System.arraycopy(acc0, 0, c, c0, w);
                    System.arraycopy(acc1, 0, c, c0 + ldc, w);
                }
                if (i < m) {
                    int c0 = cOff + i * ldc + n0 + jb;
                    System.arraycopy(c, c0, acc0, 0, w);
                    oneRow(a, aOff + i * ars + kb * acs, acs, bp, kl, w, acc0);
                    System.arraycopy(acc0, 0, c, c0, w);
                }
            }
        }
    }

    /**
     * acc0 += A(row a0)·bp, acc1 += A(row a1)·bp over the kl packed rows of B. Its own small method (as are
     * {@link #oneRow} and {@link #packB}) so that its profile and compiled form do not depend on which branches of
     * the driver ran first: inside one large method, C2 vectorised these loops in some runs and not in others.
     */
    private static void twoRows(
            float[] a, int a0, int a1, int acs, float[][] bp, int kl, int w, float[] acc0, float[] acc1) {
        int p = 0;
        for (; p + 3 < kl; p += 4) {
            int q = p * acs;
            float x0 = a[a0 + q], x1 = a[a0 + q + acs], x2 = a[a0 + q + 2 * acs], x3 = a[a0 + q + 3 * acs];
            float y0 = a[a1 + q], y1 = a[a1 + q + acs], y2 = a[a1 + q + 2 * acs], y3 = a[a1 + q + 3 * acs];
            float[] b0 = bp[p], b1 = bp[p + 1], b2 = bp[p + 2], b3 = bp[p + 3];
            for (int j = 0; j < w; j++) {
                float v0 = b0[j], v1 = b1[j], v2 = b2[j], v3 = b3[j];
                acc0[j] = Math.fma(x3, v3, Math.fma(x2, v2, Math.fma(x1, v1, Math.fma(x0, v0, acc0[j]))));
                acc1[j] = Math.fma(y3, v3, Math.fma(y2, v2, Math.fma(y1, v1, Math.fma(y0, v0, acc1[j]))));
            }
        }
        for (; p < kl; p++) {
            float x0 = a[a0 + p * acs], y0 = a[a1 + p * acs];
            float[] b0 = bp[p];
            for (int j = 0; j < w; j++) {
                float v0 = b0[j];
                acc0[j] = Math.fma(x0, v0, acc0[j]);
                acc1[j] = Math.fma(y0, v0, acc1[j]);
            }
        }
    }

    /** acc += A(row a0)·bp: the last row when m is odd. */
    private static void oneRow(float[] a, int a0, int acs, float[][] bp, int kl, int w, float[] acc) {
        for (int p = 0; p < kl; p++) {
            float x0 = a[a0 + p * acs];
            float[] b0 = bp[p];
            for (int j = 0; j < w; j++) acc[j] = Math.fma(x0, b0[j], acc[j]);
        }
    }

    /**
     * Rows p of the kl x w block of B at b[off + p·brs + j·bcs] into bp[p][0..w). A separate method: compiled inside
     * scalarChunk, the strided gather made C2 give up vectorising the product loops too (4-5x slower on every shape).
     */
    private static void packB(float[] b, int off, int brs, int bcs, int kl, int w, float[][] bp) {
        if (bcs == 1) {
            for (int p = 0; p < kl; p++) System.arraycopy(b, off + p * brs, bp[p], 0, w);
        } else {
            for (int j0 = 0; j0 < w; j0 += 16) { // 16 columns at a time: the reads along p stay within 16 cache lines
                int j1 = Math.min(j0 + 16, w);
                for (int p = 0; p < kl; p++) {
                    float[] row = bp[p];
                    for (int j = j0; j < j1; j++) row[j] = b[off + p * brs + j * bcs];
                }
            }
        }
    }

    /** The plainest product (i-p-j loops, no blocking): the reference that the fast float32 kernels are tested against. */
    public static void referenceSgemm(
            int m,
            int n,
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
        for (int i = 0; i < m; i++) {
            if (!accumulate) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * ars + p * acs];
                for (int j = 0; j < n; j++) c[cOff + i * ldc + j] += av * b[bOff + p * brs + j * bcs];
            }
        }
    }

    /** Reference product in double: C[M,N] (+)= A·B where A(i,p) = a[aOff + i*ars + p*acs]. */
    public static void dgemm(
            int m,
            int n,
            int k,
            double[] a,
            int aOff,
            int ars,
            int acs,
            double[] b,
            int bOff,
            int brs,
            int bcs,
            double[] c,
            int cOff,
            int ldc,
            boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c[cOff + i * ldc + j] : 0.0;
                for (int p = 0; p < k; p++) s += a[aOff + i * ars + p * acs] * b[bOff + p * brs + j * bcs];
                c[cOff + i * ldc + j] = s;
            }
        }
    }
}
