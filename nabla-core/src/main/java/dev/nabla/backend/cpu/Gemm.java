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
    public static void sgemm(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                             float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        if (m == 0 || n == 0) return;
        boolean vector = Kernels.vectorized();
        if (!accumulate && (!vector || k == 0)) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        if (k == 0) return;
        long work = (long) m * n * k;
        if (!parallel || work < 262_144 || Parallel.threads() == 1) {
            chunk(vector, m, 0, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        } else if (n >= 64 * Parallel.threads()) {
            int panels = (n + 15) / 16; // split columns on 16-wide panels, one range per thread (each packs its own A)
            Parallel.forRange(panels, Math.max(2, (panels + Parallel.threads() - 1) / Parallel.threads()), (s, e) -> chunk(vector, m, s * 16, Math.min(e * 16, n), k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate));
        } else {
            int panels = (m + 3) / 4; // one range of 4-row panels per thread (each packs its own B)
            Parallel.forRange(panels, Math.max(2, (panels + Parallel.threads() - 1) / Parallel.threads()), (s, e) -> {
                int r0 = s * 4, r1 = Math.min(e * 4, m);
                chunk(vector, r1 - r0, 0, n, k, a, aOff + r0 * ars, ars, acs, b, bOff, brs, bcs, c, cOff + r0 * ldc, ldc, accumulate);
            });
        }
    }

    /** Row-major convenience form: lda, ldb, ldc are the row strides. */
    public static void sgemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate, true);
    }

    private static void chunk(boolean vector, int m, int n0, int n1, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff,
                              int brs, int bcs, float[] c, int cOff, int ldc, boolean accumulate) {
        if (vector) Kernels.vectorGemm(m, n0, n1, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        else scalarChunk(m, n0, n1, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc);
    }

    /** The scalar twin of the vector kernel (same contract as {@link #sgemm}, on the calling thread), for tests and fallback. */
    public static void scalarSgemm(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                                   float[] c, int cOff, int ldc, boolean accumulate) {
        if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        if (m > 0 && n > 0 && k > 0) scalarChunk(m, 0, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc);
    }

    /** Cache-blocked i-k-j loops; B is first copied row-major when its columns are strided, so the inner loop vectorises. */
    private static void scalarChunk(int m, int n0, int n1, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs,
                                    int bcs, float[] c, int cOff, int ldc) {
        int n = n1 - n0;
        float[] bp = b;
        int bo = bOff + n0 * bcs, ldb = brs;
        if (bcs != 1) {
            bp = new float[k * n];
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) bp[p * n + j] = b[bOff + p * brs + (n0 + j) * bcs];
            bo = 0;
            ldb = n;
        }
        for (int jb = 0; jb < n; jb += NC) {
            int je = Math.min(jb + NC, n);
            for (int kb = 0; kb < k; kb += KC) {
                int ke = Math.min(kb + KC, k);
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * ldc + n0;
                    int ai = aOff + i * ars;
                    for (int p = kb; p < ke; p++) {
                        float av = a[ai + p * acs];
                        int bi = bo + p * ldb;
                        for (int j = jb; j < je; j++) c[ci + j] += av * bp[bi + j];
                    }
                }
            }
        }
    }

    /** Reference product in double: C[M,N] (+)= A·B where A(i,p) = a[aOff + i*ars + p*acs]. */
    public static void dgemm(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs,
                             int bcs, double[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c[cOff + i * ldc + j] : 0.0;
                for (int p = 0; p < k; p++) s += a[aOff + i * ars + p * acs] * b[bOff + p * brs + j * bcs];
                c[cOff + i * ldc + j] = s;
            }
        }
    }
}
