package dev.nabla.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.backend.Backend.ConvGeometry;
import dev.nabla.backend.Storage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each fast float32 kernel equals its plain scalar float64 twin, over odd sizes and both thread counts. */
class FastKernelsTest {

    private static float[] randomFloats(long seed, int n) {
        return Tensor.randn(new Generator(seed), n).toFloatArray();
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), "element " + i);
    }

    @ParameterizedTest(name = "sgemm {0}x{1}x{2}, {3} threads")
    @CsvSource({"1,1,1,1", "3,5,7,2", "17,33,9,2", "64,64,64,1", "130,70,300,2", "5,1000,3,2", "300,2,513,2"})
    void sgemmEqualsTheScalarReference(int m, int n, int k, int threads) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            float[] a = randomFloats(1, m * k), b = randomFloats(2, k * n), c = randomFloats(3, m * n);
            double[] ref = toDouble(c);
            Gemm.dgemm(m, n, k, toDouble(a), 0, k, 1, toDouble(b), 0, n, 1, ref, 0, n, true);
            Gemm.sgemm(m, n, k, a, 0, k, b, 0, n, c, 0, n, true);
            assertClose(ref, c, 1e-4);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest(name = "strided sgemm {0}x{1}x{2} transA={3} transB={4}")
    @CsvSource({
        "4,16,8,false,false",
        "7,33,290,true,false",
        "64,3136,288,false,true",
        "130,17,641,true,true",
        "1,1,1,true,true",
        "96,2049,5,false,false",
        "3,1030,517,true,false",
        "2,5,3,false,true"
    })
    void vectorAndScalarSgemmEqualTheReferenceWithTransposedOperands(int m, int n, int k, boolean ta, boolean tb) {
        float[] a = randomFloats(11, m * k), b = randomFloats(12, k * n);
        int ars = ta ? 1 : k, acs = ta ? m : 1, brs = tb ? 1 : n, bcs = tb ? k : 1;
        double[] ref = new double[m * n];
        Gemm.dgemm(m, n, k, toDouble(a), 0, ars, acs, toDouble(b), 0, brs, bcs, ref, 0, n, false);
        float[] fast = new float[m * n], scalar = new float[m * n], plain = new float[m * n];
        Gemm.sgemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, fast, 0, n, false, true);
        Gemm.scalarSgemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, scalar, 0, n, false);
        Gemm.referenceSgemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, plain, 0, n, false);
        // the normal run must exercise the Vector API kernels; the second run (nabla.simd=false) the scalar ones
        assertEquals(!"false".equals(System.getProperty("nabla.simd")), Kernels.vectorized(), "kernels in use");
        assertClose(ref, fast, 1e-4);
        assertClose(ref, scalar, 1e-4);
        assertClose(ref, plain, 1e-4);
    }

    @ParameterizedTest(name = "wide and narrow GEMM tiles, {0}x{1}x{2} transA={3} transB={4} accumulate={5}")
    @CsvSource({
        "8,32,320,false,false,false",
        "1,1,1,false,false,false",
        "9,33,7,true,false,true",
        "96,2049,5,false,false,false",
        "130,70,700,false,true,true",
        "3,1030,517,true,true,false",
        "100,64,288,false,false,true"
    })
    void wideAndNarrowGemmTilesGiveTheSameBits(int m, int n, int k, boolean ta, boolean tb, boolean accumulate) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorized());
        float[] a = randomFloats(21, m * k), b = randomFloats(22, k * n), c0 = randomFloats(23, m * n);
        int ars = ta ? 1 : k, acs = ta ? m : 1, brs = tb ? 1 : n, bcs = tb ? k : 1;
        float[] wide = c0.clone(), narrow = c0.clone(), plain = c0.clone();
        VectorGemm.gemm(true, m, 0, n, k, a, 0, ars, acs, b, 0, brs, bcs, wide, 0, n, accumulate);
        VectorGemm.gemm(false, m, 0, n, k, a, 0, ars, acs, b, 0, brs, bcs, narrow, 0, n, accumulate);
        // every element is one FMA chain over p in both tiles (the same depth blocks): the same bits
        assertArrayEquals(narrow, wide);
        double[] ref = accumulate ? toDouble(c0) : new double[m * n];
        Gemm.dgemm(m, n, k, toDouble(a), 0, ars, acs, toDouble(b), 0, brs, bcs, ref, 0, n, accumulate);
        assertClose(ref, wide, 1e-4);
        // a range of columns that starts inside a tile (as the threads' shares may)
        int n0 = Math.min(n - 1, 5);
        float[] part = c0.clone();
        VectorGemm.gemm(true, m, n0, n, k, a, 0, ars, acs, b, 0, brs, bcs, part, 0, n, accumulate);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                assertEquals(
                        j >= n0 ? narrow[i * n + j] : c0[i * n + j], part[i * n + j], 0f, "C[" + i + ", " + j + "]");
    }

    @ParameterizedTest(name = "panel kernels, {0} rows of A, depth {1}, {2} columns")
    @CsvSource({"16,32,16", "5,7,16", "16,1,9", "13,300,3"})
    void wideAndNarrowPanelKernelsGiveTheSameBits(int mr, int kc, int nr) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorized());
        // A in 16-row panels for the wide kernel, the same rows in four 4-row panels for the narrow one
        float[] a = randomFloats(31, 16 * kc), bp = randomFloats(32, 16 * kc);
        float[] a16 = new float[16 * kc], a4 = new float[16 * kc];
        for (int r = 0; r < 16; r++)
            for (int p = 0; p < kc; p++) {
                float v = r < mr ? a[r * kc + p] : 0f;
                a16[p * 16 + r] = v;
                a4[(r / 4) * 4 * kc + p * 4 + r % 4] = v;
            }
        for (boolean add : new boolean[] {false, true}) {
            int ldc = 21;
            float[] c0 = randomFloats(33, 16 * ldc), wide = c0.clone(), narrow = c0.clone(), tile = new float[256];
            VectorGemm.kernel16x16(kc, a16, 0, bp, 0, wide, 0, ldc, mr, nr, tile, add);
            for (int r0 = 0; r0 < mr; r0 += 4)
                VectorGemm.kernel4x16(
                        kc, a4, r0 * kc, bp, 0, narrow, r0 * ldc, ldc, Math.min(4, mr - r0), nr, tile, add);
            assertArrayEquals(narrow, wide, "add=" + add);
            for (int r = 0; r < 16; r++)
                for (int j = 0; j < ldc; j++) {
                    if (r < mr && j < nr) {
                        double e = add ? c0[r * ldc + j] : 0;
                        for (int p = 0; p < kc; p++) e += (double) a[r * kc + p] * bp[p * 16 + j];
                        assertEquals(e, wide[r * ldc + j], 1e-4 * (1 + Math.abs(e)), "C[" + r + ", " + j + "]");
                    } else assertEquals(c0[r * ldc + j], wide[r * ldc + j], 0f, "untouched C[" + r + ", " + j + "]");
                }
        }
    }

    @ParameterizedTest(name = "implicit-GEMM forward, wide and narrow tiles, {0} outputs, {1} channels, 3x3 taps {2}")
    @CsvSource({"13,3,true", "13,3,false", "32,1,true", "7,5,true", "20,5,false"})
    void wideAndNarrowConvolutionTilesGiveTheSameBits(int o, int c, boolean threeByThree) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorized());
        int width = 20, cs = 400, k = 9 * c, cols = 100, perImage = 100, imageStride = c * cs, ldo = 112;
        int[] taps = {0, 1, 2, width, width + 1, width + 2, 2 * width, 2 * width + 1, 2 * width + 2};
        int[] rowOff = new int[k];
        for (int ci = 0; ci < c; ci++) for (int t = 0; t < 9; t++) rowOff[ci * 9 + t] = ci * cs + taps[t];
        float[] w = randomFloats(41, o * k), xp = randomFloats(42, imageStride + 200);
        float[][] out = new float[2][o * ldo];
        for (int v = 0; v < 2; v++) {
            boolean wide = v == 0;
            VectorConv.forward(
                    o,
                    k,
                    VectorConv.packWeights(w, o, k, wide),
                    xp,
                    rowOff,
                    threeByThree ? taps : null,
                    cs,
                    0,
                    ldo,
                    cols,
                    perImage,
                    imageStride,
                    out[v],
                    ldo,
                    wide);
        }
        assertArrayEquals(out[1], out[0], "wide vs narrow");
        for (int oc = 0; oc < o; oc++)
            for (int j = 0; j < cols; j++) {
                double e = 0;
                for (int p = 0; p < k; p++) e += (double) w[oc * k + p] * xp[j + rowOff[p]];
                assertEquals(e, out[0][oc * ldo + j], 1e-4 * (1 + Math.abs(e)), "out[" + oc + ", " + j + "]");
            }
    }

    @ParameterizedTest(name = "relu kernels over {0} elements")
    @CsvSource({"1", "7", "8", "100003"})
    void reluKernelsEqualTheirScalarDefinition(int n) {
        float[] x = randomFloats(13, n), g = randomFloats(14, n);
        x[0] = Float.NaN;
        float[] y = new float[n], gx = new float[n];
        Kernels.relu(x, 0, y, 0, n);
        Kernels.reluBackward(g, 0, x, 0, gx, 0, n);
        for (int i = 0; i < n; i++) {
            float expected = Float.isNaN(x[i]) ? Float.NaN : Math.max(x[i], 0f);
            assertEquals(expected, y[i], "relu " + i);
            assertEquals(x[i] > 0 ? g[i] : 0f, gx[i], "relu backward " + i);
        }
    }

    @ParameterizedTest(name = "conv2d n{0} c{1} {2}x{3} o{4} k{5} s{6} p{7} d{8}, {9} threads")
    @CsvSource({
        "2,3,7,6,4,3,1,1,1,2",
        "1,1,28,28,8,3,1,1,1,1",
        "3,2,9,11,5,3,2,0,1,2",
        "4,4,8,8,3,2,1,2,2,2",
        "5,2,6,6,2,1,1,0,1,2",
        "9,8,9,7,6,3,1,1,1,2",
        "3,3,5,9,7,3,1,0,1,1",
        "6,2,7,7,5,5,1,3,1,2",
        "2,16,4,4,33,3,1,1,1,1",
        "3,2,5,6,3,1,1,1,1,2",
        "2,3,6,8,4,3,1,3,1,2",
        "2,2,9,9,3,3,1,2,2,2",
        "9,3,8,8,5,3,1,0,1,2",
        "11,16,14,14,24,3,1,1,1,2",
        "8,4,7,9,3,3,1,2,1,1",
        "17,9,6,5,10,3,1,1,1,2",
        "9,4,17,19,6,3,1,1,1,2"
    })
    void conv2dKernelsEqualTheDirectLoops(int n, int c, int h, int w, int o, int k, int s, int p, int d, int threads) {
        // every float32 path: as the backend chooses (Winograd for 3x3 stride 1 with enough channels, else the
        // stride-1 implicit GEMM), Winograd wherever it can run, direct only, and the im2col + GEMM path
        checkConv2dKernels(n, c, h, w, o, k, s, p, d, threads, ConvKernels.DEFAULT);
        checkConv2dKernels(n, c, h, w, o, k, s, p, d, threads, ConvKernels.WINOGRAD_ALWAYS);
        checkConv2dKernels(n, c, h, w, o, k, s, p, d, threads, ConvKernels.WINOGRAD4_ALWAYS);
        checkConv2dKernels(n, c, h, w, o, k, s, p, d, threads, ConvKernels.DIRECT);
        checkConv2dKernels(n, c, h, w, o, k, s, p, d, threads, ConvKernels.IM2COL_ONLY);
    }

    private static void checkConv2dKernels(
            int n, int c, int h, int w, int o, int k, int s, int p, int d, int threads, ConvKernels kernels) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            ConvGeometry g = new ConvGeometry(s, s, p, p, d, d);
            int[] xs = {n, c, h, w}, ws = {o, c, k, k};
            float[] x = randomFloats(4, n * c * h * w), wt = randomFloats(5, o * c * k * k), bias = randomFloats(6, o);
            float[] y = kernels.conv2d(x, xs, wt, ws, bias, g);
            double[] yRef = ConvReference.conv2d(toDouble(x), xs, toDouble(wt), ws, toDouble(bias), g);
            assertClose(yRef, y, 1e-4);
            int[] ys = {n, o, g.outH(h, k), g.outW(w, k)};
            float[] gy = randomFloats(7, y.length);
            assertClose(
                    ConvReference.conv2dBackwardInput(toDouble(gy), ys, toDouble(wt), ws, xs, g),
                    kernels.conv2dBackwardInput(gy, ys, wt, ws, xs, g),
                    1e-4);
            assertClose(
                    ConvReference.conv2dBackwardWeight(toDouble(gy), ys, toDouble(x), xs, ws, g),
                    kernels.conv2dBackwardWeight(gy, ys, x, xs, ws, g),
                    1e-4);
            // the fused ReLU: outputs clamped, gradients masked where the output is not positive
            float[] yRelu = kernels.conv2d(x, xs, wt, ws, bias, g, true);
            double[] gyMasked = new double[gy.length];
            for (int i = 0; i < y.length; i++) {
                assertEquals(Math.max(y[i], 0f), yRelu[i], 1e-6f, "relu output " + i);
                gyMasked[i] = yRelu[i] > 0 ? gy[i] : 0;
            }
            assertClose(
                    ConvReference.conv2dBackwardInput(gyMasked, ys, toDouble(wt), ws, xs, g),
                    kernels.conv2dBackwardInput(gy, ys, wt, ws, xs, g, yRelu),
                    1e-4);
            assertClose(
                    ConvReference.conv2dBackwardWeight(gyMasked, ys, toDouble(x), xs, ws, g),
                    kernels.conv2dBackwardWeight(gy, ys, x, xs, ws, g, yRelu),
                    1e-4);
            if (ys[2] % 2 == 0
                    && ys[3] % 2 == 0) { // the fused conv + ReLU + 2x2 max-pool equals the layers one after the other
                ConvKernels.PooledArrays fused = kernels.conv2dReluMaxPool(x, xs, wt, ws, bias, g);
                dev.nabla.backend.Backend.Pooled pooled =
                        PoolKernels.maxPool2d(Storage.of(yRelu), ys, 2, 2, new ConvGeometry(2, 2, 0, 0, 1, 1));
                assertArrayEquals(pooled.values().floats(), fused.values(), "pooled values");
                ConvKernels.PooledArrays inference = kernels.conv2dReluMaxPool(x, xs, wt, ws, bias, g, false);
                assertArrayEquals(fused.values(), inference.values(), "pooled values without argmax");
                assertNull(inference.argmax());
                // where the pooled output is 0 the window is all zeros after the ReLU and its argmax carries no
                // gradient
                // (the fused backward masks it), so the two may pick different zeros there
                // the fused kernel keeps a code a window: as indices, they are the unfused max-pool's
                long[] argUnfused = pooled.argmax().longs(),
                        argFused = PoolKernels.indices(fused.argmax(), n * o, ys[2] / 2, ys[3] / 2, ys[3]);
                for (int i = 0; i < argFused.length; i++)
                    if (fused.values()[i] > 0f) assertEquals(argUnfused[i], argFused[i], "argmax " + i);
                if (kernels.pooledBackwardSupported(g, k, k)) {
                    // the fused backward (pooled gradient scattered straight into the kernels' buffers) equals max-pool
                    // backward followed by the convolution's backward passes
                    float[] gp = randomFloats(10, argFused.length);
                    for (int i = 0; i < gp.length; i++) if (fused.values()[i] <= 0f) gp[i] = 0f;
                    double[] gyFull = PoolKernels.maxPool2dBackward(
                                    Storage.of(toDouble(gp)),
                                    new int[] {n, o, ys[2] / 2, ys[3] / 2},
                                    Storage.of(argFused),
                                    ys)
                            .doubles();
                    ConvKernels.GradArrays both =
                            kernels.conv2dMaxPoolBackward(gp, fused.argmax(), ys, x, xs, wt, ws, g, true, true);
                    assertClose(
                            ConvReference.conv2dBackwardInput(gyFull, ys, toDouble(wt), ws, xs, g), both.input(), 1e-4);
                    assertClose(
                            ConvReference.conv2dBackwardWeight(gyFull, ys, toDouble(x), xs, ws, g),
                            both.weight(),
                            1e-4);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @org.junit.jupiter.api.Test
    void convolutionResultsDoNotDependOnTheSchedule() {
        int before = Parallel.threads();
        Parallel.setThreads(2);
        try {
            ConvGeometry g = new ConvGeometry(1, 1, 1, 1, 1, 1);
            int[] xs = {37, 8, 12, 12}, ws = {16, 8, 3, 3}, ys = {37, 16, 12, 12};
            float[] x = randomFloats(21, 37 * 8 * 144),
                    w = randomFloats(22, 16 * 72),
                    gy = randomFloats(23, 37 * 16 * 144);
            float[] first = ConvKernels.DEFAULT.conv2dBackwardWeight(gy, ys, x, xs, ws, g);
            float[] firstIn = ConvKernels.DEFAULT.conv2dBackwardInput(gy, ys, w, ws, xs, g);
            for (int run = 0; run < 5; run++) {
                assertArrayEquals(
                        first,
                        ConvKernels.DEFAULT.conv2dBackwardWeight(gy, ys, x, xs, ws, g),
                        "weight gradient, run " + run);
                assertArrayEquals(
                        firstIn,
                        ConvKernels.DEFAULT.conv2dBackwardInput(gy, ys, w, ws, xs, g),
                        "input gradient, run " + run);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest(name = "maxPool n{0} c{1} {2}x{3} k{4} s{5} p{6}")
    @CsvSource({"2,3,8,8,2,2,0", "1,2,7,5,3,2,1", "3,1,9,9,2,1,1"})
    void maxPoolFloatEqualsTheGenericKernel(int n, int c, int h, int w, int k, int s, int p) {
        ConvGeometry g = new ConvGeometry(s, s, p, p, 1, 1);
        int[] xs = {n, c, h, w};
        Storage x = Storage.of(randomFloats(8, n * c * h * w));
        dev.nabla.backend.Backend.Pooled fast = PoolKernels.maxPool2d(x, xs, k, k, g);
        int oh = g.outH(h, k), ow = g.outW(w, k);
        Storage ref = Storage.allocate(DType.FLOAT64, n * c * oh * ow);
        long[] arg = new long[n * c * oh * ow];
        Storage xd = Storage.of(toDouble(x.floats()));
        PoolKernels.maxPoolGeneric(xd, ref, arg, 0, n * c, new PoolKernels.PoolGeometry(h, w, k, k, g));
        assertClose(ref.doubles(), fast.values().floats(), 0);
        assertArrayEquals(arg, fast.argmax().longs());
        Storage gy = Storage.of(randomFloats(9, arg.length));
        Storage gxFast = PoolKernels.maxPool2dBackward(gy, new int[] {n, c, oh, ow}, fast.argmax(), xs);
        Storage gxRef = PoolKernels.maxPool2dBackward(
                Storage.of(toDouble(gy.floats())), new int[] {n, c, oh, ow}, Storage.of(arg), xs);
        assertClose(gxRef.doubles(), gxFast.floats(), 1e-6);
        // average pooling: the float32 kernels against the float64 (generic) ones
        Storage avg = PoolKernels.avgPool2d(x, xs, k, k, g), avgRef = PoolKernels.avgPool2d(xd, xs, k, k, g);
        assertClose(avgRef.doubles(), avg.floats(), 1e-6);
        Storage gyAvg = Storage.of(randomFloats(10, n * c * oh * ow));
        int[] ys = {n, c, oh, ow};
        assertClose(
                PoolKernels.avgPool2dBackward(Storage.of(toDouble(gyAvg.floats())), ys, xs, k, k, g)
                        .doubles(),
                PoolKernels.avgPool2dBackward(gyAvg, ys, xs, k, k, g).floats(),
                1e-6);
    }

    /** Normal values of several scales, then the edge cases: NaN, infinities, signed zeros, huge and tiny values. */
    private static float[] elementwiseInputs(long seed, int n) {
        float[] x = randomFloats(seed, n);
        float[] special = {
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            0f,
            -0f,
            1e-30f,
            -1e-30f,
            88f,
            -88f,
            100f,
            -100f,
            1f,
            -1f,
            3e38f,
            -3e38f
        };
        for (int i = 0; i < n; i++) x[i] *= (i % 3 == 0 ? 10 : 1);
        for (int i = 0; i < Math.min(n, special.length); i++) x[(i * 7) % n] = special[i];
        return x;
    }

    private static void assertSameOrClose(String what, float[] in, float[] scalar, float[] vector, boolean exact) {
        for (int i = 0; i < scalar.length; i++) {
            float s = scalar[i], v = vector[i];
            if (Float.isNaN(s) || Float.isNaN(v)) {
                assertTrue(
                        Float.isNaN(s) && Float.isNaN(v),
                        what + " at " + i + " (x = " + in[i] + "): scalar " + s + ", vector " + v);
                continue;
            }
            if (exact || Float.isInfinite(s))
                assertEquals(
                        Float.floatToIntBits(s) == Float.floatToIntBits(-0f) ? 0f : s,
                        Float.floatToIntBits(v) == Float.floatToIntBits(-0f) ? 0f : v,
                        0f,
                        what + " at " + i + " (x = " + in[i] + ")");
            else
                assertEquals(
                        s,
                        v,
                        4 * Math.ulp(s) + 2e-7 * (1 + Math.abs(in[i])),
                        what + " at " + i + " (x = " + in[i] + ")");
        }
    }

    @ParameterizedTest(name = "unary op kernels over {0} elements")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 7, 8, 9, 31, 1000, 4099})
    void vectorUnaryKernelsEqualTheirScalarTwins(int n) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Kernels.vectorized(), "the Vector API kernels are off in this run");
        for (dev.nabla.backend.UnaryOp op : dev.nabla.backend.UnaryOp.values()) {
            if (!VectorElementwise.has(op)) continue;
            float[] x = elementwiseInputs(op.ordinal() + 10L * n, n + 3);
            float[] s = new float[n + 1], v = new float[n + 1];
            double p = op == dev.nabla.backend.UnaryOp.CLAMP ? -0.5 : 0,
                    q = op == dev.nabla.backend.UnaryOp.CLAMP ? 2.25 : 0;
            ScalarElementwise.unary(op, p, q, x, 3, s, 1, n); // offsets on both sides
            VectorElementwise.unary(op, p, q, x, 3, v, 1, n);
            boolean exact = true; // every vectorised unary op must give the twin's bits (see VectorElementwise.has)
            assertSameOrClose(op.name(), java.util.Arrays.copyOfRange(x, 2, n + 3), s, v, exact);
            for (int i = 1; i <= n; i++) { // and the scalar twin is the op's double definition rounded to float
                if (Float.isNaN(s[i])) continue;
                double reference = op.apply(x[i + 2], p, q);
                // erfc's fit, 1.2e-7 relative, plus the float rounding; the double definition, 1 + erf(x/√2), cancels
                // to about 1e-16 absolute in the far left tail
                boolean approximated =
                        op == dev.nabla.backend.UnaryOp.GELU_ERF || op == dev.nabla.backend.UnaryOp.NORMAL_CDF;
                assertEquals(
                        (float) reference,
                        s[i],
                        approximated ? 3e-7 * Math.abs(reference) + 1e-14 : 0,
                        op + " scalar at " + i + " (x = " + x[i + 2] + ")");
            }
        }
    }

    @ParameterizedTest(name = "binary op kernels over {0} elements")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 7, 8, 9, 31, 1000, 4099})
    void vectorBinaryKernelsEqualTheirScalarTwinsExactly(int n) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Kernels.vectorized(), "the Vector API kernels are off in this run");
        for (dev.nabla.backend.BinaryOp op : dev.nabla.backend.BinaryOp.values()) {
            if (!VectorElementwise.has(op)) continue;
            float[] x = elementwiseInputs(op.ordinal() + 100L * n, n + 2),
                    y = elementwiseInputs(op.ordinal() + 7 + 100L * n, n + 2);
            float[] s = new float[n + 2], v = new float[n + 2];
            ScalarElementwise.binary(op, x, 2, y, 1, s, 2, n);
            VectorElementwise.binary(op, x, 2, y, 1, v, 2, n);
            assertSameOrClose(op + " elementwise", x, s, v, true);
            for (float c : new float[] {2.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY}) {
                ScalarElementwise.binaryScalarRight(op, x, 1, c, s, 0, n);
                VectorElementwise.binaryScalarRight(op, x, 1, c, v, 0, n);
                assertSameOrClose(op + " with " + c + " on the right", x, s, v, true);
                ScalarElementwise.binaryScalarLeft(op, c, y, 2, s, 1, n);
                VectorElementwise.binaryScalarLeft(op, c, y, 2, v, 1, n);
                assertSameOrClose(op + " with " + c + " on the left", y, s, v, true);
            }
            for (int i = 0; i < n; i++) { // the scalar twin is the op's double definition rounded to float
                float expected = (float) op.apply(x[2 + i], y[1 + i]);
                ScalarElementwise.binary(op, x, 2 + i, y, 1 + i, s, 0, 1);
                if (!Float.isNaN(expected)) assertEquals(expected, s[0], 0f, op + " scalar at " + i);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void unaryKernelResultsDoNotDependOnWhereTheRangeIsSplit() {
        int n = 1001;
        for (dev.nabla.backend.UnaryOp op : dev.nabla.backend.UnaryOp.values()) {
            float[] x = elementwiseInputs(op.ordinal(), n), whole = new float[n], pieces = new float[n];
            Kernels.unary(op, 0.5, 2, x, 0, whole, 0, n);
            for (int s = 0, len = 1; s < n; s += len, len = len % 13 + 1)
                Kernels.unary(op, 0.5, 2, x, s, pieces, s, Math.min(len, n - s));
            for (int i = 0; i < n; i++)
                assertEquals(
                        Float.floatToIntBits(whole[i]),
                        Float.floatToIntBits(pieces[i]),
                        op + " at " + i + " (x = " + x[i] + ")");
        }
    }

    @org.junit.jupiter.api.Test
    void vectorMaxPoolRowEqualsItsScalarTwinBitForBit() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorized());
        java.util.Random r = new java.util.Random(5);
        float[] specials = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, 1f, -2f};
        for (int pw = 1; pw <= 27; pw++)
            for (int variant = 0; variant < 4; variant++) {
                int w = 2 * pw + 3, off = 5; // rows longer than the window pairs, at an offset
                float[] x = new float[off + 2 * w];
                for (int i = 0; i < x.length; i++)
                    x[i] = r.nextInt(6) == 0 ? specials[r.nextInt(specials.length)] : (float) r.nextGaussian();
                boolean relu = variant % 2 == 0, withArg = variant < 2;
                float add = variant == 1 ? -0.25f : 0.5f;
                float[] yv = new float[pw + 2], ys = new float[pw + 2];
                byte[] av = withArg ? new byte[pw + 3] : null, as = withArg ? new byte[pw + 3] : null;
                VectorPool.pool2x2Row(x, off, w, pw, add, relu, yv, 1, av, 2);
                PoolKernels.pool2x2RowScalar(x, off, w, pw, add, relu, ys, 1, as, 2);
                for (int i = 0; i < ys.length; i++)
                    assertEquals(
                            Float.floatToRawIntBits(ys[i]), Float.floatToRawIntBits(yv[i]), "pw " + pw + " value " + i);
                if (withArg) assertArrayEquals(as, av, "pw " + pw + " argmax");
            }
    }

    /** The 16-lane kernels: never below 16 preferred lanes; the property decides when set, else TypeProfileLevel. */
    @org.junit.jupiter.api.Test
    void wideVectorsChoice() {
        assertFalse(VectorGemm.wideVectors(8, "true", "222"), "AVX2: 16 lanes would run on the Java fallback");
        assertFalse(VectorGemm.wideVectors(8, null, "222"));
        assertTrue(VectorGemm.wideVectors(16, "true", null), "the property forces them on");
        assertTrue(VectorGemm.wideVectors(16, "TRUE", "111"));
        assertFalse(VectorGemm.wideVectors(16, "false", "222"), "the property forces them off");
        assertTrue(VectorGemm.wideVectors(16, null, "222"), "on with the launcher's flag");
        assertTrue(VectorGemm.wideVectors(16, null, "122"));
        assertTrue(VectorGemm.wideVectors(16, "", "222"), "an empty property is unset");
        assertFalse(VectorGemm.wideVectors(16, null, "111"), "JDK 25's default: off");
        assertFalse(VectorGemm.wideVectors(16, null, "212"), "return values not profiled at every call");
        assertFalse(VectorGemm.wideVectors(16, null, "221"));
        assertFalse(VectorGemm.wideVectors(16, null, null), "option unreadable: off");
        assertEquals(
                VectorGemm.wideVectors(
                        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(),
                        System.getProperty("nabla.wideVectors"),
                        Kernels.vmOption("TypeProfileLevel")),
                VectorGemm.WIDE,
                "WIDE is the choice for this JVM");
    }

    /** Every thread gets a range of GEMM panels (forRange makes n / grain ranges), odd panel counts included. */
    @org.junit.jupiter.api.Test
    void gemmGrainGivesEveryThreadARange() {
        for (int threads = 1; threads <= 8; threads++)
            for (int panels = 1; panels <= 200; panels++) {
                int grain = Gemm.grain(panels, threads), ranges = panels / grain;
                assertTrue(grain >= 1);
                assertTrue(
                        ranges >= Math.min(threads, panels),
                        panels + " panels, " + threads + " threads: " + ranges + " ranges");
                assertTrue(ranges < 2 * threads, "at most 2 threads - 1 ranges, not needlessly fine");
            }
        assertEquals(4, Gemm.grain(9, 2), "64x288x25088: 9 panels of 32 columns, two ranges");
    }
}
