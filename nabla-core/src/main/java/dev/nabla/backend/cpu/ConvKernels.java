package dev.nabla.backend.cpu;

import dev.nabla.backend.Backend.ConvGeometry;

/**
 * 2-D convolution kernels. The float32 kernels lower each image to a column matrix (im2col) and call
 * {@link Gemm#sgemm}, one image per core; the float64 kernels are direct loops that serve as the scalar
 * reference the fast kernels are tested against.
 */
public final class ConvKernels {
    private ConvKernels() {}

    // ---------------------------------------------------------------- float32, im2col + GEMM

    /** x [N,C,H,W] * w [O,C,KH,KW] + bias -> y [N,O,OH,OW]. */
    public static float[] conv2d(float[] x, int[] xs, float[] w, int[] ws, float[] bias, ConvGeometry g) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = g.outH(h, kh), ow = g.outW(wd, kw), ohw = oh * ow, ckk = c * kh * kw;
        float[] y = new float[n * o * ohw];
        boolean perImage = n >= Parallel.threads();
        Parallel.RangeBody body = (s, e) -> {
            float[] col = new float[ckk * ohw];
            for (int i = s; i < e; i++) {
                im2col(x, i * c * h * wd, c, h, wd, kh, kw, g, oh, ow, col);
                int yOff = i * o * ohw;
                if (perImage) serialGemm(o, ohw, ckk, w, 0, ckk, col, 0, ohw, y, yOff, ohw);
                else Gemm.sgemm(o, ohw, ckk, w, 0, ckk, col, 0, ohw, y, yOff, ohw, false);
                if (bias != null) {
                    for (int oc = 0; oc < o; oc++) {
                        float bv = bias[oc];
                        int base = yOff + oc * ohw;
                        for (int p = 0; p < ohw; p++) y[base + p] += bv;
                    }
                }
            }
        };
        if (perImage) Parallel.forRange(n, 1, body);
        else body.run(0, n);
        return y;
    }

    /** dL/dx from dL/dy [N,O,OH,OW] and w [O,C,KH,KW]. */
    public static float[] conv2dBackwardInput(float[] gy, int[] gys, float[] w, int[] ws, int[] xs, ConvGeometry g) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = gys[2], ow = gys[3], ohw = oh * ow, ckk = c * kh * kw;
        float[] wt = new float[ckk * o]; // w^T [CKK, O]
        for (int oc = 0; oc < o; oc++)
            for (int r = 0; r < ckk; r++) wt[r * o + oc] = w[oc * ckk + r];
        float[] gx = new float[n * c * h * wd];
        boolean perImage = n >= Parallel.threads();
        Parallel.RangeBody body = (s, e) -> {
            float[] col = new float[ckk * ohw];
            for (int i = s; i < e; i++) {
                if (perImage) serialGemm(ckk, ohw, o, wt, 0, o, gy, i * o * ohw, ohw, col, 0, ohw);
                else Gemm.sgemm(ckk, ohw, o, wt, 0, o, gy, i * o * ohw, ohw, col, 0, ohw, false);
                col2im(col, c, h, wd, kh, kw, g, oh, ow, gx, i * c * h * wd);
            }
        };
        if (perImage) Parallel.forRange(n, 1, body);
        else body.run(0, n);
        return gx;
    }

    /** dL/dw [O,C,KH,KW] from dL/dy and x; per-core partial sums are added in a fixed order. */
    public static float[] conv2dBackwardWeight(float[] gy, int[] gys, float[] x, int[] xs, int[] ws, ConvGeometry g) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = gys[2], ow = gys[3], ohw = oh * ow, ckk = c * kh * kw;
        int chunks = Parallel.chunks(n, 1);
        float[][] partial = new float[Math.max(chunks, 1)][];
        Parallel.forChunks(n, 1, (chunk, s, e) -> {
            float[] colT = new float[ohw * ckk];
            float[] dw = new float[o * ckk];
            for (int i = s; i < e; i++) {
                im2colTransposed(x, i * c * h * wd, c, h, wd, kh, kw, g, oh, ow, colT);
                serialGemmAccumulate(o, ckk, ohw, gy, i * o * ohw, ohw, colT, 0, ckk, dw, 0, ckk);
            }
            partial[chunk] = dw;
        });
        float[] dw = partial[0] == null ? new float[o * ckk] : partial[0];
        for (int p = 1; p < partial.length; p++) {
            float[] q = partial[p];
            for (int j = 0; j < dw.length; j++) dw[j] += q[j];
        }
        return dw;
    }

    private static void serialGemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc) {
        java.util.Arrays.fill(c, cOff, cOff + (m - 1) * ldc + n, 0f);
        serialGemmAccumulate(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    static void serialGemmAccumulate(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                     float[] c, int cOff, int ldc) {
        Gemm.serialBlock(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    /** col[(ci*KH+ki)*KW+kj][oy*OW+ox] = x[ci][oy*sh-ph+ki*dh][ox*sw-pw+kj*dw] (0 outside). */
    static void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, ConvGeometry g, int oh, int ow, float[] col) {
        int ohw = oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((ci * kh + ki) * kw + kj) * ohw;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, dst, dst + ow, 0f);
                            continue;
                        }
                        int src = xOff + (ci * h + iy) * w;
                        int ix = -g.padW() + kj * g.dilW();
                        int sw = g.strideW();
                        for (int ox = 0; ox < ow; ox++, ix += sw) col[dst + ox] = (ix >= 0 && ix < w) ? x[src + ix] : 0f;
                    }
                }
            }
        }
    }

    /** The transpose of {@link #im2col}: colT[oy*OW+ox][(ci*KH+ki)*KW+kj]. */
    static void im2colTransposed(float[] x, int xOff, int c, int h, int w, int kh, int kw, ConvGeometry g, int oh, int ow,
                                 float[] colT) {
        int ckk = c * kh * kw;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int dst = (oy * ow + ox) * ckk;
                for (int ci = 0; ci < c; ci++) {
                    for (int ki = 0; ki < kh; ki++) {
                        int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                        for (int kj = 0; kj < kw; kj++) {
                            int ix = ox * g.strideW() - g.padW() + kj * g.dilW();
                            colT[dst++] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[xOff + (ci * h + iy) * w + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds the columns back into the image: the adjoint of {@link #im2col}. gx is accumulated into. */
    static void col2im(float[] col, int c, int h, int w, int kh, int kw, ConvGeometry g, int oh, int ow, float[] gx, int gxOff) {
        int ohw = oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((ci * kh + ki) * kw + kj) * ohw;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                        if (iy < 0 || iy >= h) continue;
                        int dst = gxOff + (ci * h + iy) * w;
                        int src = row + oy * ow;
                        int ix = -g.padW() + kj * g.dilW();
                        int sw = g.strideW();
                        for (int ox = 0; ox < ow; ox++, ix += sw) if (ix >= 0 && ix < w) gx[dst + ix] += col[src + ox];
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- float64 direct loops: the reference

    public static double[] conv2dReference(double[] x, int[] xs, double[] w, int[] ws, double[] bias, ConvGeometry g) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = g.outH(h, kh), ow = g.outW(wd, kw);
        double[] y = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias == null ? 0.0 : bias[oc];
                        for (int ci = 0; ci < c; ci++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                                    int ix = ox * g.strideW() - g.padW() + kj * g.dilW();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    s += x[((b * c + ci) * h + iy) * wd + ix] * w[((oc * c + ci) * kh + ki) * kw + kj];
                                }
                        y[((b * o + oc) * oh + oy) * ow + ox] = s;
                    }
        return y;
    }

    public static double[] conv2dBackwardInputReference(double[] gy, int[] gys, double[] w, int[] ws, int[] xs, ConvGeometry g) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = gys[2], ow = gys[3];
        double[] gx = new double[n * c * h * wd];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double gv = gy[((b * o + oc) * oh + oy) * ow + ox];
                        for (int ci = 0; ci < c; ci++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                                    int ix = ox * g.strideW() - g.padW() + kj * g.dilW();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    gx[((b * c + ci) * h + iy) * wd + ix] += gv * w[((oc * c + ci) * kh + ki) * kw + kj];
                                }
                    }
        return gx;
    }

    public static double[] conv2dBackwardWeightReference(double[] gy, int[] gys, double[] x, int[] xs, int[] ws, ConvGeometry g) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
        int oh = gys[2], ow = gys[3];
        double[] gw = new double[o * c * kh * kw];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double gv = gy[((b * o + oc) * oh + oy) * ow + ox];
                        for (int ci = 0; ci < c; ci++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                                    int ix = ox * g.strideW() - g.padW() + kj * g.dilW();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    gw[((oc * c + ci) * kh + ki) * kw + kj] += gv * x[((b * c + ci) * h + iy) * wd + ix];
                                }
                    }
        return gw;
    }
}
