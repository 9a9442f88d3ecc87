package dev.nabla.backend.cpu;

import dev.nabla.backend.Backend.ConvGeometry;

/**
 * The float64 convolution kernels: plain direct loops, the reference that both float32 paths of {@link ConvKernels}
 * (implicit GEMM and im2col + GEMM) are tested against, and what float64 tensors (gradient checks) run on.
 */
final class ConvReference {
    private ConvReference() {}

    /** The float64 reference convolution (direct loops). */
    static double[] conv2d(double[] x, int[] xs, double[] w, int[] ws, double[] bias, ConvGeometry g) {
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

    /** The float64 reference input gradient (direct loops). */
    static double[] conv2dBackwardInput(double[] gy, int[] gys, double[] w, int[] ws, int[] xs, ConvGeometry g) {
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
                                    gx[((b * c + ci) * h + iy) * wd + ix] +=
                                            gv * w[((oc * c + ci) * kh + ki) * kw + kj];
                                }
                    }
        return gx;
    }

    /** The float64 reference weight gradient (direct loops). */
    static double[] conv2dBackwardWeight(double[] gy, int[] gys, double[] x, int[] xs, int[] ws, ConvGeometry g) {
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
                                    gw[((oc * c + ci) * kh + ki) * kw + kj] +=
                                            gv * x[((b * c + ci) * h + iy) * wd + ix];
                                }
                    }
        return gw;
    }
}
