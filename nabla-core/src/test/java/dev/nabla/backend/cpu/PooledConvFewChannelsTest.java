package dev.nabla.backend.cpu;

import static dev.nabla.backend.cpu.PooledTestData.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.backend.Backend.ConvGeometry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conv + bias + ReLU + 2x2 max-pool pooled in registers ({@link PooledConvFewChannels}): the vector kernel against its
 * scalar twin (same bits, values and argmax codes), and against the float64 convolution, ReLU and pooling.
 */
class PooledConvFewChannelsTest {

    @ParameterizedTest(name = "n{0} c{1} {2}x{3} o{4} pad {5}, bias {6}, {7} threads")
    @CsvSource({
        "5,1,28,28,32,1,true,2", // the reference CNN's first layer, on 5 images
        "3,3,9,11,4,1,true,2",
        "2,2,7,7,3,0,false,1", // OH, OW odd: the last row and column are not pooled
        "4,4,40,37,5,2,true,2", // more windows in a row than vector lanes
        "1,1,3,3,2,1,true,1",
        "7,1,6,8,17,1,true,2"
    })
    void vectorKernelEqualsItsScalarTwinAndTheDirectLoops(
            int n, int c, int h, int w, int o, int p, boolean withBias, int threads) {
        assumeTrue(Kernels.vectorized(), "the vector kernel runs only where the Vector API is used");
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            int oh = h + 2 * p - 2, ow = w + 2 * p - 2, ph = oh / 2, pw = ow / 2, size = n * o * ph * pw;
            int[] xs = {n, c, h, w}, ws = {o, c, 3, 3};
            float[] x = randomFloats(51, n * c * h * w), wt = randomFloats(52, o * c * 9);
            float[] bias = withBias ? randomFloats(53, o) : null;
            ConvGeometry g = new ConvGeometry(1, 1, p, p, 1, 1);
            assertTrue(PooledConvFewChannels.supported(g, 3, 3, c));
            float[] yv = new float[size], ys = new float[size], yNoArg = new float[size];
            byte[] av = new byte[size], as = new byte[size];
            PooledConvFewChannels.forward(x, xs, wt, o, bias, p, p, yv, av, true);
            PooledConvFewChannels.forward(x, xs, wt, o, bias, p, p, ys, as, false);
            PooledConvFewChannels.forward(x, xs, wt, o, bias, p, p, yNoArg, null, true);
            assertArrayEquals(ys, yv, "values, vector vs scalar twin");
            assertArrayEquals(as, av, "argmax codes, vector vs scalar twin");
            assertArrayEquals(yv, yNoArg, "values without the argmax");
            // float64: the convolution with its bias, then ReLU and 2x2 pooling
            double[] ref =
                    ConvReference.conv2d(toDouble(x), xs, toDouble(wt), ws, bias == null ? null : toDouble(bias), g);
            double largest = 0;
            for (double v : ref) largest = Math.max(largest, Math.abs(v));
            for (int plane = 0; plane < n * o; plane++)
                for (int py = 0; py < ph; py++)
                    for (int px = 0; px < pw; px++) {
                        int i = (plane * ph + py) * pw + px, r = plane * oh * ow + 2 * py * ow + 2 * px;
                        double[] win = {ref[r], ref[r + 1], ref[r + ow], ref[r + ow + 1]};
                        double max = Math.max(Math.max(win[0], win[1]), Math.max(win[2], win[3]));
                        assertEquals(Math.max(max, 0), yv[i], 1e-6 * (1 + largest), "value " + i);
                        // the code points at a maximum (up to rounding: near-ties may pick either)
                        assertTrue(av[i] >= 0 && av[i] < 4, "code " + i);
                        assertEquals(max, win[av[i]], 1e-5 * (1 + largest), "argmax " + i);
                    }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest(name = "weight gradient n{0} c{1} {2}x{3} o{4} pad {5}, {6} threads")
    @CsvSource({
        "9,1,28,28,32,1,2", // the reference CNN's first layer, on 9 images (two groups)
        "3,3,9,11,4,1,2",
        "2,2,7,7,3,0,1",
        "17,4,40,37,5,2,2", // more windows in a row than vector lanes
        "1,1,3,3,2,1,1"
    })
    void weightGradientEqualsItsScalarTwinAndTheDirectLoops(int n, int c, int h, int w, int o, int p, int threads) {
        assumeTrue(Kernels.vectorized(), "the vector kernel runs only where the Vector API is used");
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            int oh = h + 2 * p - 2, ow = w + 2 * p - 2, ph = oh / 2, pw = ow / 2;
            int[] xs = {n, c, h, w}, ws = {o, c, 3, 3}, ys = {n, o, oh, ow};
            float[] x = randomFloats(61, n * c * h * w), gp = randomFloats(62, n * o * ph * pw);
            byte[] codes = codesAndReluZeros(gp, 63);
            float[] vec = PooledConvFewChannels.weightGradient(gp, codes, ys, x, xs, p, p, true);
            assertArrayEquals(
                    PooledConvFewChannels.weightGradient(gp, codes, ys, x, xs, p, p, false),
                    vec,
                    "vector vs scalar twin");
            double[] gy = scattered(gp, codes, n * o, oh, ow); // what max-pool's backward scatters
            ConvGeometry g = new ConvGeometry(1, 1, p, p, 1, 1);
            double[] ref = ConvReference.conv2dBackwardWeight(gy, ys, toDouble(x), xs, ws, g);
            double largest = 0;
            for (double v : ref) largest = Math.max(largest, Math.abs(v));
            for (int i = 0; i < ref.length; i++) assertEquals(ref[i], vec[i], 1e-6 * largest, "weight gradient " + i);
            Parallel.setThreads(1);
            assertArrayEquals(
                    vec, PooledConvFewChannels.weightGradient(gp, codes, ys, x, xs, p, p, true), "on one thread");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @org.junit.jupiter.api.Test
    void onlyThreeByThreeStrideOneKernelsWithFewChannelsApply() {
        ConvGeometry s1 = new ConvGeometry(1, 1, 1, 1, 1, 1);
        assertTrue(PooledConvFewChannels.supported(s1, 3, 3, 1));
        assertTrue(PooledConvFewChannels.supported(s1, 3, 3, PooledConvFewChannels.MAX_CHANNELS));
        assertFalse(PooledConvFewChannels.supported(s1, 3, 3, PooledConvFewChannels.MAX_CHANNELS + 1));
        assertFalse(PooledConvFewChannels.supported(s1, 5, 5, 1));
        assertFalse(PooledConvFewChannels.supported(new ConvGeometry(2, 2, 1, 1, 1, 1), 3, 3, 1));
        assertFalse(PooledConvFewChannels.supported(new ConvGeometry(1, 1, 2, 2, 2, 2), 3, 3, 1));
    }
}
