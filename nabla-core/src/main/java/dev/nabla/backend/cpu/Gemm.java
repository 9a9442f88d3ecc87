package dev.nabla.backend.cpu;

/**
 * Matrix products C (+)= A·B over row-major arrays. {@link #sgemm} is the fast float32 kernel (cache blocked,
 * split over both cores); {@link #dgemm} is the plain scalar reference, also used for float64.
 */
public final class Gemm {
    private static final int KC = 256;
    private static final int NC = 512;

    private Gemm() {}

    /** C[M,N] = (accumulate ? C : 0) + A[M,K] · B[K,N]; lda/ldb/ldc are row strides. */
    public static void sgemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (!accumulate) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
        if (k == 0) return;
        long work = (long) m * n * k;
        if (work < 32_768 || Parallel.threads() == 1) {
            block(0, m, 0, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else if (m >= 4 * Parallel.threads() && m >= n / 8) {
            Parallel.forRange(m, 4, (s, e) -> block(s, e, 0, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc));
        } else {
            Parallel.forRange(n, 64, (s, e) -> block(0, m, s, e, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc));
        }
    }

    /** C[M,N] += A·B on the calling thread only (for kernels that already split work across cores). */
    public static void serialBlock(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc) {
        block(0, m, 0, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    private static void block(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                              int ldb, float[] c, int cOff, int ldc) {
        for (int jb = j0; jb < j1; jb += NC) {
            int je = Math.min(jb + NC, j1);
            for (int kb = 0; kb < k; kb += KC) {
                int ke = Math.min(kb + KC, k);
                for (int i = i0; i < i1; i++) {
                    int ci = cOff + i * ldc;
                    int ai = aOff + i * lda;
                    for (int p = kb; p < ke; p++) {
                        float av = a[ai + p];
                        if (av == 0f) continue;
                        int bi = bOff + p * ldb;
                        for (int j = jb; j < je; j++) c[ci + j] += av * b[bi + j];
                    }
                }
            }
        }
    }

    /** Reference product in double, with general strides: C[M,N] (+)= A·B where A(i,p) = a[aOff + i*ars + p*acs]. */
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
