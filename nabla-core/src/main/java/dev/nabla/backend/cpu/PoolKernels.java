package dev.nabla.backend.cpu;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backend.ConvGeometry;
import dev.nabla.backend.Storage;

/**
 * Pooling kernels over [N, C, H, W]. Max pooling saves the argmax (index into the H*W plane, first maximum on
 * ties, as PyTorch) so that backward routes each gradient to exactly one input. The generic versions work on any
 * dtype through {@link Storage#get}; the float32 max-pool versions are the fast twins.
 */
public final class PoolKernels {
    private PoolKernels() {}

    /**
     * A pooling window over one H x W plane: a kh x kw kernel with the stride, padding and dilation of g, giving an
     * oh x ow output. Input row of output row oy's kernel row ki: {@link #inY}; likewise {@link #inX}.
     */
    public record PoolGeometry(int h, int w, int kh, int kw, ConvGeometry g) {
        public int oh() {
            return g.outH(h, kh);
        }

        public int ow() {
            return g.outW(w, kw);
        }

        int inY(int oy, int ki) {
            return oy * g.strideH() - g.padH() + ki * g.dilH();
        }

        int inX(int ox, int kj) {
            return ox * g.strideW() - g.padW() + kj * g.dilW();
        }

        /** 2x2 windows with stride 2, no padding or dilation (the reference CNN's pool). */
        boolean twoByTwo() {
            return kh == 2
                    && kw == 2
                    && g.strideH() == 2
                    && g.strideW() == 2
                    && g.padH() == 0
                    && g.padW() == 0
                    && g.dilH() == 1
                    && g.dilW() == 1;
        }
    }

    /** Max pooling of x [N, C, H, W]: values and argmax, as {@link dev.nabla.backend.Backend#maxPool2d}. */
    public static Backend.Pooled maxPool2d(Storage x, int[] xs, int kh, int kw, ConvGeometry g) {
        PoolGeometry pg = new PoolGeometry(xs[2], xs[3], kh, kw, g);
        int planes = xs[0] * xs[1], h = pg.h(), w = pg.w(), oh = pg.oh(), ow = pg.ow();
        Storage y = Storage.allocate(x.dtype(), planes * oh * ow);
        long[] arg = new long[planes * oh * ow];
        if (x.dtype() == dev.nabla.DType.FLOAT32) {
            float[] xf = x.floats(), yf = y.floats();
            if (pg.twoByTwo())
                Parallel.forRange(planes, 4, (s, e) -> {
                    byte[] code = new byte[ow];
                    maxPool2x2(xf, yf, arg, code, s, e, h, w, oh, ow);
                });
            else Parallel.forRange(planes, 4, (s, e) -> maxPoolFloat(xf, yf, arg, s, e, pg));
        } else {
            maxPoolGeneric(x, y, arg, 0, planes, pg);
        }
        return new Backend.Pooled(y, Storage.of(arg));
    }

    /**
     * The reference CNN's case, 2x2 windows with stride 2: four loads and three compares per output; each row's window
     * codes (scratch of ow bytes) become int64 indices into the input plane.
     */
    static void maxPool2x2(
            float[] x, float[] y, long[] arg, byte[] code, int p0, int p1, int h, int w, int oh, int ow) {
        for (int p = p0; p < p1; p++) {
            int xOff = p * h * w, yOff = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                pool2x2Row(x, xOff + 2 * oy * w, w, ow, 0f, false, y, yOff + oy * ow, code, 0);
                for (int ox = 0; ox < ow; ox++) arg[yOff + oy * ow + ox] = index(code[ox], oy, ox, w);
            }
        }
    }

    /**
     * The index into an input plane of row stride w of the element that window code k (below) picks in window (py, px).
     */
    static int index(int k, int py, int px, int w) {
        return (2 * py + (k >> 1)) * w + 2 * px + (k & 1);
    }

    /**
     * Int64 indices into each OH·OW plane from the window codes of planes x PH x PW windows ({@link #pool2x2Row}), for
     * the backward passes that take indices.
     */
    static long[] indices(byte[] code, int planes, int ph, int pw, int ow) {
        long[] arg = new long[code.length];
        for (int p = 0, i = 0; p < planes; p++)
            for (int py = 0; py < ph; py++) for (int px = 0; px < pw; px++, i++) arg[i] = index(code[i], py, px, ow);
        return arg;
    }

    /**
     * One output row of 2x2/2 max-pooling over input rows r0 and r0 + w (the row stride of x): y[out + ox] = max + add
     * (then max(·, 0) when relu), code[codeOut + ox] = the {@link #windowCode} of the first maximum. Branch-free: with
     * random activations a branch per compare mispredicts half the time (5x slower). code null: values only. Also used
     * by the fused conv+ReLU+pool kernel, which keeps the codes (one byte a window, not an int64 index) for its
     * backward pass.
     */
    static void pool2x2Row(
            float[] x, int r0, int w, int pw, float add, boolean relu, float[] y, int out, byte[] code, int codeOut) {
        if (Kernels.vectorized()) VectorPool.pool2x2Row(x, r0, w, pw, add, relu, y, out, code, codeOut);
        else pool2x2RowScalar(x, r0, w, pw, add, relu, y, out, code, codeOut);
    }

    /**
     * Where the first maximum of the 2x2 window (a, b over d, e) lies: 2·row + column, 0 to 3. Branch-free, from the
     * sign bits of the differences (the sign bit of a − b is 1 exactly when b > a, so ties keep the first element, as
     * PyTorch does). The vector kernels ({@link VectorPool}, Winograd's pooled sink) compute the same bits lane by lane.
     */
    static int windowCode(float a, float b, float d, float e) {
        int t = Float.floatToRawIntBits(a - b) >>> 31, u = Float.floatToRawIntBits(d - e) >>> 31;
        int lower = Float.floatToRawIntBits(Math.max(a, b) - Math.max(d, e)) >>> 31;
        return t + lower * (2 + u - t);
    }

    /** The scalar twin of {@link VectorPool#pool2x2Row} (and what runs without the Vector API). */
    static void pool2x2RowScalar(
            float[] x, int r0, int w, int pw, float add, boolean relu, float[] y, int out, byte[] code, int codeOut) {
        int r1 = r0 + w;
        if (code == null) { // no backward pass to come: values only
            for (int ox = 0; ox < pw; ox++) {
                int c = 2 * ox;
                float v = Math.max(Math.max(x[r0 + c], x[r0 + c + 1]), Math.max(x[r1 + c], x[r1 + c + 1])) + add;
                y[out + ox] = relu ? Math.max(v, 0f) : v;
            }
            return;
        }
        for (int ox = 0; ox < pw; ox++) {
            int c = 2 * ox;
            float a = x[r0 + c], b = x[r0 + c + 1], d = x[r1 + c], e = x[r1 + c + 1];
            float v = Math.max(Math.max(a, b), Math.max(d, e)) + add;
            y[out + ox] = relu ? Math.max(v, 0f) : v;
            code[codeOut + ox] = (byte) windowCode(a, b, d, e);
        }
    }

    /** planes p0 .. p1 of x max-pooled into y, the argmax into arg (float32, any window). */
    static void maxPoolFloat(float[] x, float[] y, long[] arg, int p0, int p1, PoolGeometry pg) {
        int h = pg.h(), w = pg.w(), oh = pg.oh(), ow = pg.ow();
        for (int p = p0; p < p1; p++) {
            int xOff = p * h * w, yOff = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bestIdx = -1;
                    for (int ki = 0; ki < pg.kh(); ki++) {
                        int iy = pg.inY(oy, ki);
                        if (iy < 0 || iy >= h) continue;
                        for (int kj = 0; kj < pg.kw(); kj++) {
                            int ix = pg.inX(ox, kj);
                            if (ix < 0 || ix >= w) continue;
                            int idx = iy * w + ix;
                            float v = x[xOff + idx];
                            if (v > best || bestIdx < 0 || Float.isNaN(v)) {
                                best = v;
                                bestIdx = idx;
                                if (Float.isNaN(v)) break;
                            }
                        }
                    }
                    y[yOff + oy * ow + ox] = best;
                    arg[yOff + oy * ow + ox] = bestIdx;
                }
            }
        }
    }

    /** The scalar reference for any dtype. */
    public static void maxPoolGeneric(Storage x, Storage y, long[] arg, int p0, int p1, PoolGeometry pg) {
        int h = pg.h(), w = pg.w(), oh = pg.oh(), ow = pg.ow();
        for (int p = p0; p < p1; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int bestIdx = -1;
                    for (int ki = 0; ki < pg.kh(); ki++) {
                        for (int kj = 0; kj < pg.kw(); kj++) {
                            int iy = pg.inY(oy, ki), ix = pg.inX(ox, kj);
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            double v = x.get(p * h * w + iy * w + ix);
                            if (bestIdx < 0 || v > best) {
                                best = v;
                                bestIdx = iy * w + ix;
                            }
                        }
                    }
                    y.set(p * oh * ow + oy * ow + ox, best);
                    arg[p * oh * ow + oy * ow + ox] = bestIdx;
                }
            }
        }
    }

    public static Storage maxPool2dBackward(Storage gy, int[] gys, Storage argmax, int[] xs) {
        int planes = xs[0] * xs[1], hw = xs[2] * xs[3], ohw = gys[2] * gys[3];
        Storage gx = Storage.allocate(gy.dtype(), planes * hw);
        long[] arg = argmax.longs();
        if (gy.dtype() == dev.nabla.DType.FLOAT32) {
            float[] g = gy.floats(), out = gx.floats();
            Parallel.forRange(planes, 4, (s, e) -> {
                for (int p = s; p < e; p++) {
                    int go = p * ohw, xo = p * hw;
                    for (int i = 0; i < ohw; i++) out[xo + (int) arg[go + i]] += g[go + i];
                }
            });
        } else {
            for (int p = 0; p < planes; p++)
                for (int i = 0; i < ohw; i++) {
                    int at = p * hw + (int) arg[p * ohw + i];
                    gx.set(at, gx.get(at) + gy.get(p * ohw + i));
                }
        }
        return gx;
    }

    /** Average pooling of x [N, C, H, W] (padding counted in the divisor, as PyTorch's default count_include_pad). */
    public static Storage avgPool2d(Storage x, int[] xs, int kh, int kw, ConvGeometry g) {
        PoolGeometry pg = new PoolGeometry(xs[2], xs[3], kh, kw, g);
        int planes = xs[0] * xs[1], hw = pg.h() * pg.w(), ohw = pg.oh() * pg.ow();
        Storage y = Storage.allocate(x.dtype(), planes * ohw);
        if (x.dtype() == dev.nabla.DType.FLOAT32) {
            float[] xf = x.floats(), yf = y.floats();
            Parallel.forRange(planes, 4, (s, e) -> {
                for (int p = s; p < e; p++) avgPoolPlane(xf, p * hw, yf, p * ohw, pg);
            });
        } else {
            double div = kh * kw;
            for (int p = 0; p < planes; p++)
                for (int oy = 0; oy < pg.oh(); oy++)
                    for (int ox = 0; ox < pg.ow(); ox++) {
                        double s = 0;
                        for (int ki = 0; ki < kh; ki++)
                            for (int kj = 0; kj < kw; kj++) {
                                int iy = pg.inY(oy, ki), ix = pg.inX(ox, kj);
                                if (iy < 0 || iy >= pg.h() || ix < 0 || ix >= pg.w()) continue;
                                s += x.get(p * hw + iy * pg.w() + ix);
                            }
                        y.set(p * ohw + oy * pg.ow() + ox, s / div);
                    }
        }
        return y;
    }

    /** One plane of float32 average pooling, each window summed in double in the generic kernel's order. */
    private static void avgPoolPlane(float[] x, int xo, float[] y, int yo, PoolGeometry pg) {
        double div = pg.kh() * pg.kw();
        for (int oy = 0; oy < pg.oh(); oy++)
            for (int ox = 0; ox < pg.ow(); ox++) {
                double s = 0;
                for (int ki = 0; ki < pg.kh(); ki++) {
                    int iy = pg.inY(oy, ki);
                    if (iy < 0 || iy >= pg.h()) continue;
                    for (int kj = 0; kj < pg.kw(); kj++) {
                        int ix = pg.inX(ox, kj);
                        if (ix >= 0 && ix < pg.w()) s += x[xo + iy * pg.w() + ix];
                    }
                }
                y[yo + oy * pg.ow() + ox] = (float) (s / div);
            }
    }

    /** The gradient of {@link #avgPool2d}: each output gradient spread evenly over its window. */
    public static Storage avgPool2dBackward(Storage gy, int[] gys, int[] xs, int kh, int kw, ConvGeometry g) {
        PoolGeometry pg = new PoolGeometry(xs[2], xs[3], kh, kw, g);
        int planes = xs[0] * xs[1], hw = pg.h() * pg.w(), oh = gys[2], ow = gys[3];
        Storage gx = Storage.allocate(gy.dtype(), planes * hw);
        double div = kh * kw;
        if (gy.dtype() == dev.nabla.DType.FLOAT32) {
            float[] gf = gy.floats(), out = gx.floats();
            // planes are independent: each core accumulates into its own planes, in the generic kernel's order
            Parallel.forRange(planes, 4, (s, e) -> {
                for (int p = s; p < e; p++)
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < ow; ox++) {
                            double gv = gf[p * oh * ow + oy * ow + ox] / div;
                            for (int ki = 0; ki < kh; ki++) {
                                int iy = pg.inY(oy, ki);
                                if (iy < 0 || iy >= pg.h()) continue;
                                for (int kj = 0; kj < kw; kj++) {
                                    int ix = pg.inX(ox, kj);
                                    int at = p * hw + iy * pg.w() + ix;
                                    if (ix >= 0 && ix < pg.w()) out[at] = (float) (out[at] + gv);
                                }
                            }
                        }
            });
            return gx;
        }
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double gv = gy.get(p * oh * ow + oy * ow + ox) / div;
                    for (int ki = 0; ki < kh; ki++)
                        for (int kj = 0; kj < kw; kj++) {
                            int iy = pg.inY(oy, ki), ix = pg.inX(ox, kj);
                            if (iy < 0 || iy >= pg.h() || ix < 0 || ix >= pg.w()) continue;
                            int at = p * hw + iy * pg.w() + ix;
                            gx.set(at, gx.get(at) + gv);
                        }
                }
        return gx;
    }
}
