package dev.nabla.backend.cpu;

import static dev.nabla.backend.cpu.PooledTestData.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.backend.Backend.ConvGeometry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gradients of conv + ReLU + 2x2 max-pool from the pooled gradient directly ({@link PooledConvBackward}): the
 * vector kernels against their scalar twins (same bits, any thread count), and both against the float64 direct loops
 * on the full-resolution gradient that max-pool's backward would scatter.
 */
class PooledConvBackwardTest {

    @ParameterizedTest(name = "n{0} c{1} {2}x{3} o{4} pad {5}, {6} threads")
    @CsvSource({
        "16,32,14,14,64,1,2", // the reference CNN's second layer, on 16 images
        "9,16,8,8,5,1,2",
        "3,20,7,6,4,1,1", // channels not a multiple of the register block; OH odd (the last row is not pooled)
        "11,33,6,9,3,0,2",
        "2,48,5,5,7,2,2",
        "1,64,4,4,2,1,1",
        "17,17,10,8,9,1,2"
    })
    void gradientsEqualTheDirectLoopsAndTheScalarTwin(int n, int c, int h, int w, int o, int p, int threads) {
        assumeTrue(Kernels.vectorized(), "the vector kernels run only where the Vector API is used");
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            int oh = h + 2 * p - 2, ow = w + 2 * p - 2, ph = oh / 2, pw = ow / 2;
            int[] xs = {n, c, h, w}, ws = {o, c, 3, 3}, ys = {n, o, oh, ow};
            float[] x = randomFloats(41, n * c * h * w), wt = randomFloats(42, o * c * 9);
            float[] gp = randomFloats(43, n * o * ph * pw);
            byte[] codes = codesAndReluZeros(gp, 44);
            ConvGeometry g = new ConvGeometry(1, 1, p, p, 1, 1);
            assertTrue(PooledConvBackward.supported(g, 3, 3, c));
            ConvKernels.GradArrays twin =
                    PooledConvBackward.backward(gp, codes, ys, x, xs, wt, p, p, true, true, false);
            ConvKernels.GradArrays vec = PooledConvBackward.backward(gp, codes, ys, x, xs, wt, p, p, true, true, true);
            assertArrayEquals(twin.input(), vec.input(), "input gradient, vector vs scalar twin");
            assertArrayEquals(twin.weight(), vec.weight(), "weight gradient, vector vs scalar twin");
            // one gradient alone is the same as with the other
            assertArrayEquals(
                    vec.weight(),
                    PooledConvBackward.backward(gp, codes, ys, x, xs, wt, p, p, false, true, true)
                            .weight());
            assertNull(PooledConvBackward.backward(gp, codes, ys, x, xs, wt, p, p, false, true, true)
                    .input());
            assertArrayEquals(
                    vec.input(),
                    PooledConvBackward.backward(gp, codes, ys, x, xs, wt, p, p, true, false, true)
                            .input());
            double[] gy = scattered(gp, codes, n * o, oh, ow); // what max-pool's backward scatters
            double[] refIn = ConvReference.conv2dBackwardInput(gy, ys, toDouble(wt), ws, xs, g);
            double[] refW = ConvReference.conv2dBackwardWeight(gy, ys, toDouble(x), xs, ws, g);
            // errors relative to the largest value (a sum of hundreds of terms cancels to small values): rounding only,
            // the direct float32 kernels' order of magnitude (a wrong tap or channel would be off by the values)
            assertWithin(refIn, vec.input(), 1e-6, "input gradient");
            assertWithin(refW, vec.weight(), 1e-6, "weight gradient");
            // the same bits on one thread: the groups' partial sums are added in group order
            Parallel.setThreads(1);
            ConvKernels.GradArrays one = PooledConvBackward.backward(gp, codes, ys, x, xs, wt, p, p, true, true, true);
            assertArrayEquals(vec.input(), one.input(), "input gradient, 1 thread");
            assertArrayEquals(vec.weight(), one.weight(), "weight gradient, 1 thread");
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static void assertWithin(double[] expected, float[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0, err = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(expected[i] - actual[i]));
        assertTrue(err <= relative * scale, what + ": largest error " + err + " of largest value " + scale);
    }

    @org.junit.jupiter.api.Test
    void onlyThreeByThreeStrideOneKernelsWithEnoughChannelsApply() {
        ConvGeometry s1 = new ConvGeometry(1, 1, 1, 1, 1, 1);
        assertTrue(PooledConvBackward.supported(s1, 3, 3, PooledConvBackward.CHUNK / 2));
        assertFalse(PooledConvBackward.supported(s1, 3, 3, 1), "conv1 of the reference CNN: one input channel");
        assertFalse(PooledConvBackward.supported(s1, 5, 5, 32));
        assertFalse(PooledConvBackward.supported(new ConvGeometry(2, 2, 1, 1, 1, 1), 3, 3, 32));
        assertFalse(PooledConvBackward.supported(new ConvGeometry(1, 1, 2, 2, 2, 2), 3, 3, 32));
    }
}
