package dev.nabla.backend.cpu;

import dev.nabla.backend.Backend.ConvGeometry;

/**
 * The column matrix of a convolution (im2col) and its inverse (col2im, which sums overlapping windows), for the
 * im2col + GEMM path of {@link ConvKernels} (strides other than 1, or no Vector API).
 */
final class Im2col {
    private Im2col() {}

    /** The output columns ox whose input column ox·stride − pad + kj·dil lies inside [0, w): [lo, hi). */
    private static int firstInside(int pad, int kj, int dil, int stride) {
        int off = kj * dil - pad; // ix = ox·stride + off
        return off >= 0 ? 0 : (-off + stride - 1) / stride;
    }

    private static int endInside(int w, int ow, int pad, int kj, int dil, int stride) {
        int off = kj * dil - pad;
        if (w - off <= 0) return 0;
        return Math.min(ow, (w - off + stride - 1) / stride);
    }

    /** col[((ci·KH+ki)·KW+kj)·ld + colOff + oy·OW+ox] = x[ci][oy·sh−ph+ki·dh][ox·sw−pw+kj·dw] (0 outside). */
    static void im2col(
            float[] x,
            int xOff,
            int c,
            int h,
            int w,
            int kh,
            int kw,
            ConvGeometry g,
            int oh,
            int ow,
            float[] col,
            int ld,
            int colOff) {
        int sw = g.strideW();
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((ci * kh + ki) * kw + kj) * ld + colOff;
                    int lo = Math.min(firstInside(g.padW(), kj, g.dilW(), sw), ow),
                            hi = Math.max(endInside(w, ow, g.padW(), kj, g.dilW(), sw), lo);
                    int off = kj * g.dilW() - g.padW();
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, dst, dst + ow, 0f);
                            continue;
                        }
                        int src = xOff + (ci * h + iy) * w + off;
                        for (int ox = 0; ox < lo; ox++) col[dst + ox] = 0f;
                        if (sw == 1) System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                        else for (int ox = lo; ox < hi; ox++) col[dst + ox] = x[src + ox * sw];
                        for (int ox = hi; ox < ow; ox++) col[dst + ox] = 0f;
                    }
                }
            }
        }
    }

    /** Adds the columns back into the image: the adjoint of {@link #im2col}. gx is accumulated into. */
    static void col2im(
            float[] col,
            int ld,
            int colOff,
            int c,
            int h,
            int w,
            int kh,
            int kw,
            ConvGeometry g,
            int oh,
            int ow,
            float[] gx,
            int gxOff) {
        int sw = g.strideW();
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int row = ((ci * kh + ki) * kw + kj) * ld + colOff;
                    int lo = Math.min(firstInside(g.padW(), kj, g.dilW(), sw), ow),
                            hi = Math.max(endInside(w, ow, g.padW(), kj, g.dilW(), sw), lo);
                    int off = kj * g.dilW() - g.padW();
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                        if (iy < 0 || iy >= h) continue;
                        int dst = gxOff + (ci * h + iy) * w + off;
                        int src = row + oy * ow;
                        if (sw == 1) for (int ox = lo; ox < hi; ox++) gx[dst + ox] += col[src + ox];
                        else for (int ox = lo; ox < hi; ox++) gx[dst + ox * sw] += col[src + ox];
                    }
                }
            }
        }
    }
}
