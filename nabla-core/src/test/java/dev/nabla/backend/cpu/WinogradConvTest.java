package dev.nabla.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.backend.Backend.ConvGeometry;
import dev.nabla.backend.cpu.ImplicitGemmConv.PlaneSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Winograd F(2x2, 3x3): the Vector API transforms against their scalar twins (same bits), and the accuracy against
 * float64 direct convolution next to the direct float32 kernel's. FastKernelsTest checks every pass of every path
 * (Winograd included) against the float64 loops on many shapes.
 */
class WinogradConvTest {

    private static float[] randomFloats(long seed, int n, double scale) {
        float[] a = Tensor.randn(new Generator(seed), n).toFloatArray();
        for (int i = 0; i < a.length; i++) a[i] *= (float) scale;
        return a;
    }

    @ParameterizedTest(name = "n{0} c{1} {2}x{3} o{4} pad {5}, {6} threads")
    @CsvSource({
        "9,3,7,6,5,1,2",
        "8,4,8,8,6,1,1",
        "3,5,5,9,7,0,2",
        "11,2,6,6,3,2,2",
        "16,9,14,14,10,1,2",
        "1,1,3,3,1,0,1",
        "9,3,18,17,5,1,2",
        "8,8,10,10,12,1,2",
        "5,6,20,19,8,1,1"
    })
    void vectorTransformsEqualTheirScalarTwins(int n, int c, int h, int w, int o, int p, int threads) {
        assumeTrue(Kernels.vectorized(), "the vector kernels run only where the Vector API is used");
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            int oh = h + 2 * p - 2, ow = w + 2 * p - 2;
            float[] x = randomFloats(31, n * c * h * w, 1), wt = randomFloats(32, o * c * 9, 1);
            float[] gy = randomFloats(33, n * o * oh * ow, 1), bias = randomFloats(34, o, 1);
            PlaneSource xs = ImplicitGemmConv.dense(x, null, c, h, w), gs = ImplicitGemmConv.dense(gy, null, o, oh, ow);
            int[] xShape = {n, c, h, w}, yShape = {n, o, oh, ow};
            float[] twin = WinogradConv.backwardWeight(gs, yShape, xs, xShape, p, p, false);
            assertArrayEquals(twin, WinogradConv.backwardWeight(gs, yShape, xs, xShape, p, p, true), "weight gradient");
            // the 16-lane dot products and their 8-lane form (machines without 512-bit vectors): the same chains
            assertArrayEquals(
                    twin, WinogradConv.backwardWeight(gs, yShape, xs, xShape, p, p, true, true), "16-lane dots");
            assertArrayEquals(
                    twin, WinogradConv.backwardWeight(gs, yShape, xs, xShape, p, p, true, false), "8-lane dots");
            for (int m : new int[] {2, 4}) { // F(2x2, 3x3) and F(4x4, 3x3)
                float[][] y = new float[2][n * o * oh * ow];
                for (int v = 0; v < 2; v++)
                    WinogradConv.forward(
                            m, xs, xShape, wt, o, p, p, v == 0, WinogradConv.planes(y[v], o, oh, ow, bias, v == 1));
                for (int i = 0; i < y[0].length; i++) y[0][i] = Math.max(y[0][i], 0f); // the other had the ReLU fused
                assertArrayEquals(y[1], y[0], "forward, m = " + m);
                assertArrayEquals(
                        WinogradConv.backwardInput(m, gs, yShape, wt, xShape, p, p, false),
                        WinogradConv.backwardInput(m, gs, yShape, wt, xShape, p, p, true),
                        "input gradient, m = " + m);
                if (oh % 2 == 0 && ow % 2 == 0) {
                    int pooled = n * o * (oh / 2) * (ow / 2);
                    float[][] pv = new float[2][pooled];
                    byte[][] arg = new byte[2][pooled];
                    for (int v = 0; v < 2; v++)
                        WinogradConv.forward(
                                m,
                                xs,
                                xShape,
                                wt,
                                o,
                                p,
                                p,
                                v == 0,
                                WinogradConv.pooled(pv[v], arg[v], o, oh, ow, bias, v == 0));
                    assertArrayEquals(pv[1], pv[0], "pooled values, m = " + m);
                    assertArrayEquals(arg[1], arg[0], "pooled argmax, m = " + m);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * The bits do not depend on the number of threads: groups of 8 images go to the cores whole (each group's products
     * and dot products on one thread), and with fewer groups than cores the 16 products of a group are split by ξ.
     */
    @ParameterizedTest(name = "batch {0}")
    @CsvSource({"3", "8", "19"})
    void resultsDoNotDependOnTheThreadCount(int n) {
        assumeTrue(Kernels.vectorized(), "Winograd runs only where the Vector API is used");
        int before = Parallel.threads();
        try {
            int c = 9, h = 10, o = 12;
            ConvGeometry g = new ConvGeometry(1, 1, 1, 1, 1, 1);
            int[] xs = {n, c, h, h}, ws = {o, c, 3, 3}, ys = {n, o, h, h};
            float[] x = randomFloats(51, n * c * h * h, 1), w = randomFloats(52, o * c * 9, 0.2);
            float[] gy = randomFloats(53, n * o * h * h, 1), b = randomFloats(54, o, 1);
            float[][][] r = new float[2][][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                ConvKernels k = ConvKernels.WINOGRAD_ALWAYS;
                r[threads - 1] = new float[][] {
                    k.conv2d(x, xs, w, ws, b, g, true),
                    k.conv2dReluMaxPool(x, xs, w, ws, b, g).values(),
                    k.conv2dBackwardInput(gy, ys, w, ws, xs, g),
                    k.conv2dBackwardWeight(gy, ys, x, xs, ws, g)
                };
            }
            for (int i = 0; i < r[0].length; i++) assertArrayEquals(r[0][i], r[1][i], "result " + i);
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * The reference CNN's second layer (32 -> 64 channels, 14x14, "same" padding) at He-initialised scale: Winograd's
     * largest error, relative to the largest output (or gradient), stays within 2e-6 and within 4x the direct float32
     * kernel's (both against float64 direct convolution). Measured: 2.7e-7 forward, 3.5e-7 input gradient, 2.7e-7
     * weight gradient; the direct kernel 7.1e-7, 9.6e-7, 2.7e-7.
     */
    @Test
    void accuracyIsThatOfDirectConvolutionWithinASmallFactor() {
        assumeTrue(Kernels.vectorized(), "Winograd runs only where the Vector API is used");
        int n = 16, c = 32, h = 14, o = 64;
        ConvGeometry g = new ConvGeometry(1, 1, 1, 1, 1, 1);
        int[] xs = {n, c, h, h}, ws = {o, c, 3, 3}, ys = {n, o, h, h};
        float[] x = randomFloats(41, n * c * h * h, 1), w = randomFloats(42, o * c * 9, Math.sqrt(2.0 / (c * 9)));
        float[] gy = randomFloats(43, n * o * h * h, 1e-3);
        double[] yRef = ConvReference.conv2d(toDouble(x), xs, toDouble(w), ws, null, g);
        double[] gxRef = ConvReference.conv2dBackwardInput(toDouble(gy), ys, toDouble(w), ws, xs, g);
        double[] gwRef = ConvReference.conv2dBackwardWeight(toDouble(gy), ys, toDouble(x), xs, ws, g);
        ConvKernels direct = ConvKernels.DIRECT;
        assertFalse(direct.winograd(g, 3, 3, n, c, o));
        String[] what = {"forward", "input gradient", "weight gradient"};
        double[][] refs = {yRef, gxRef, gwRef};
        float[][] fromDirect = {
            direct.conv2d(x, xs, w, ws, null, g),
            direct.conv2dBackwardInput(gy, ys, w, ws, xs, g),
            direct.conv2dBackwardWeight(gy, ys, x, xs, ws, g)
        };
        for (ConvKernels wino : new ConvKernels[] {ConvKernels.WINOGRAD_ALWAYS, ConvKernels.WINOGRAD4_ALWAYS}) {
            assertTrue(wino.winograd(g, 3, 3, n, c, o));
            boolean f4 = wino == ConvKernels.WINOGRAD4_ALWAYS;
            float[][] fromWino = {
                wino.conv2d(x, xs, w, ws, null, g),
                wino.conv2dBackwardInput(gy, ys, w, ws, xs, g),
                wino.conv2dBackwardWeight(gy, ys, x, xs, ws, g)
            };
            for (int i = 0; i < 3; i++) {
                double ew = relativeError(refs[i], fromWino[i]), ed = relativeError(refs[i], fromDirect[i]);
                String name = (f4 && i < 2 ? "F(4x4, 3x3) " : "F(2x2, 3x3) ") + what[i];
                System.out.printf("Winograd %s: largest error / largest value %.2e (direct: %.2e)%n", name, ew, ed);
                double bound = f4 && i < 2 ? 1e-5 : 2e-6, factor = f4 && i < 2 ? 20 : 4;
                assertTrue(ew < bound, name + ": " + ew);
                assertTrue(ew < factor * ed + 1e-7, name + ": Winograd " + ew + " vs direct " + ed);
            }
        }
    }

    private static double relativeError(double[] ref, float[] got) {
        double worst = 0, scale = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs(ref[i] - got[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return worst / scale;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
