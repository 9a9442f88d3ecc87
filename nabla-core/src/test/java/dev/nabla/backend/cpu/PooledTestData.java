package dev.nabla.backend.cpu;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import java.util.Random;

/** Test data of the pooled-convolution kernels: random values, argmax codes, and what max-pool's backward would scatter. */
final class PooledTestData {
    private PooledTestData() {}

    static float[] randomFloats(long seed, int n) {
        return Tensor.randn(new Generator(seed), n).toFloatArray();
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** Random window codes (0 to 3) for gp, and a third of gp's values set to 0 (windows the ReLU cut off). */
    static byte[] codesAndReluZeros(float[] gp, long seed) {
        byte[] codes = new byte[gp.length];
        Random r = new Random(seed);
        for (int i = 0; i < gp.length; i++) {
            codes[i] = (byte) r.nextInt(4);
            if (r.nextInt(3) == 0) gp[i] = 0f;
        }
        return codes;
    }

    /**
     * The full-resolution output gradient [planes, oh, ow] of the pooled gradient gp [planes, oh/2, ow/2]: each window's
     * value at its argmax, zero elsewhere.
     */
    static double[] scattered(float[] gp, byte[] codes, int planes, int oh, int ow) {
        int ph = oh / 2, pw = ow / 2;
        double[] gy = new double[planes * oh * ow];
        for (int plane = 0; plane < planes; plane++)
            for (int py = 0; py < ph; py++)
                for (int px = 0; px < pw; px++) {
                    int i = (plane * ph + py) * pw + px, k = codes[i];
                    gy[(plane * oh + 2 * py + (k >> 1)) * ow + 2 * px + (k & 1)] = gp[i];
                }
        return gy;
    }
}
