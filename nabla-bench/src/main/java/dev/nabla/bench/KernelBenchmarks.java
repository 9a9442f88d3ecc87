package dev.nabla.bench;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.backend.Backend.ConvGeometry;
import dev.nabla.backend.cpu.ConvKernels;
import dev.nabla.backend.cpu.Gemm;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the kernels: GEMM on the reference CNN's shapes (Vector API and scalar twin), conv2's fused
 * forward pass and both gradients (Winograd and direct), and ReLU. Run with {@code scripts/jmh}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx4g"})
public class KernelBenchmarks {

    /** GEMM operands for one shape "m,n,k" (C[m,n] = A[m,k]·B[k,n]). */
    @State(Scope.Benchmark)
    public static class GemmState {
        @Param({"1024,1024,1024", "64,3136,288", "288,3136,64", "64,288,3136", "128,128,3136"})
        public String shape;

        int m, n, k;
        float[] a, b, c;

        @Setup(Level.Trial)
        public void setup() {
            String[] p = shape.split(",");
            m = Integer.parseInt(p[0]);
            n = Integer.parseInt(p[1]);
            k = Integer.parseInt(p[2]);
            a = Tensor.randn(new Generator(1), m * k).toFloatArray();
            b = Tensor.randn(new Generator(2), k * n).toFloatArray();
            c = new float[m * n];
        }
    }

    @Benchmark
    public float[] sgemmVector(GemmState s) {
        Gemm.sgemm(s.m, s.n, s.k, s.a, 0, s.k, 1, s.b, 0, s.n, 1, s.c, 0, s.n, false, true);
        return s.c;
    }

    @Benchmark
    @Measurement(iterations = 2, time = 2)
    public float[] sgemmScalar(GemmState s) {
        Gemm.scalarSgemm(s.m, s.n, s.k, s.a, 0, s.k, 1, s.b, 0, s.n, 1, s.c, 0, s.n, false);
        return s.c;
    }

    /**
     * The reference CNN's conv2 at batch 128: x [128, 32, 14, 14], w [64, 32, 3, 3], pad 1, by the kernels the backend
     * uses (Winograd F(2x2, 3x3); {@code -jvmArgsAppend -Dnabla.winogradTile=4} for F(4x4)) or by direct convolution
     * ({@code ConvKernels.DIRECT}): the per-layer A/B of BENCHMARKS.md.
     */
    @State(Scope.Benchmark)
    public static class ConvState {
        @Param({"winograd", "direct"})
        public String algorithm;

        final int[] xs = {128, 32, 14, 14}, ws = {64, 32, 3, 3}, ys = {128, 64, 14, 14};
        final ConvGeometry g = new ConvGeometry(1, 1, 1, 1, 1, 1);
        float[] x, w, b, gy;
        ConvKernels kernels;

        @Setup(Level.Trial)
        public void setup() {
            kernels = algorithm.equals("direct") ? ConvKernels.DIRECT : ConvKernels.DEFAULT;
            x = Tensor.randn(new Generator(3), 128 * 32 * 14 * 14).toFloatArray();
            w = Tensor.randn(new Generator(4), 64 * 32 * 9).toFloatArray();
            b = Tensor.randn(new Generator(5), 64).toFloatArray();
            gy = Tensor.randn(new Generator(6), 128 * 64 * 14 * 14).toFloatArray();
        }
    }

    @Benchmark
    public Object conv2ReluMaxPoolForward(ConvState s) {
        return s.kernels.conv2dReluMaxPool(s.x, s.xs, s.w, s.ws, s.b, s.g);
    }

    @Benchmark
    public float[] conv2BackwardWeight(ConvState s) {
        return s.kernels.conv2dBackwardWeight(s.gy, s.ys, s.x, s.xs, s.ws, s.g);
    }

    @Benchmark
    public float[] conv2BackwardInput(ConvState s) {
        return s.kernels.conv2dBackwardInput(s.gy, s.ys, s.w, s.ws, s.xs, s.g);
    }

    /** The first ReLU's activation size: [128, 32, 28, 28]. */
    @State(Scope.Benchmark)
    public static class ReluState {
        Tensor x;

        @Setup(Level.Trial)
        public void setup() {
            x = Tensor.randn(new Generator(7), 128, 32, 28, 28);
        }
    }

    @Benchmark
    public Tensor relu(ReluState s) {
        return s.x.relu();
    }
}
