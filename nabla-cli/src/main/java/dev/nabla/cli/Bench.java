package dev.nabla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.MnistDatasets;
import dev.nabla.data.TensorDataset;
import dev.nabla.models.ReferenceCNN;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The measurements that scripts/compare-with-pytorch puts beside PyTorch's: GEMM GFLOP/s on the reference CNN's
 * shapes, the training step, inference images/s, optionally one training epoch, and peak RSS. Prints JSON.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Measure kernels and the reference CNN; prints one JSON object.")
final class Bench implements Callable<Integer> {
    @Option(names = "--epoch", description = "also time one full training epoch on Fashion-MNIST")
    boolean epoch;

    @Option(
            names = "--steps",
            defaultValue = "40",
            description =
                    "timed training steps (and inference batches); warmed up first for half as many and at least 2 s")
    int steps;

    @Option(names = "--threads", description = "kernel threads (default: all cores)")
    Integer threads;

    /** m, n, k and whether B is used transposed, as in the reference CNN's forward and backward passes. */
    static final int[][] SHAPES = {
        {1024, 1024, 1024, 0},
        {100352, 32, 9, 0},
        {25088, 64, 288, 0},
        {128, 128, 3136, 1},
        {288, 25088, 64, 0},
        {64, 288, 25088, 1},
        {128, 3136, 128, 0},
        {3136, 128, 128, 1}
    };

    @Override
    public Integer call() throws Exception {
        if (threads != null) Nabla.setNumThreads(threads);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("threads", Nabla.numThreads());
        r.put("vectorized", Nabla.vectorized());
        r.put("vector_lanes", Nabla.vectorLanes());
        Map<String, Double> gemm = new LinkedHashMap<>();
        r.put("gemm_gflops", gemm);
        // the training step first: by the time the matrix products are timed, G1 has grown the heap to its working size
        // and the OS has mapped its pages (measured first, sgemm 1024^3 ran at a third of its speed in some processes)
        r.put("train_step_ms", trainStepMs(new ReferenceCNN()));
        // the epoch next, before any other model trains in this JVM: after the unfused model (BatchNorm, GELU,
        // average pooling through the same autograd and loop code) C2 recompiled shared code for both, and the
        // reference CNN's epoch took 6.5-8.5 s instead of 5.7-6.1 (BENCHMARKS.md, eleventh session); `./nabla train`
        // trains the one model
        if (epoch) r.put("epoch_s", epochSeconds());
        for (int[] s : SHAPES)
            gemm.put(s[0] + "x" + s[1] + "x" + s[2] + (s[3] == 1 ? "T" : ""), gflops(s[0], s[1], s[2], s[3] == 1));
        r.put("inference_images_per_s", inference(new ReferenceCNN()));
        // the same layers in a user's own forward() (no Sequential): fusion must not depend on the container
        r.put("train_step_ms_handwritten", trainStepMs(new HandWrittenCNN()));
        r.put("inference_images_per_s_handwritten", inference(new HandWrittenCNN()));
        // a model fusion cannot help: BatchNorm, GELU (exact, erf) and average pooling run on the element-wise kernels
        r.put("train_step_ms_unfused", trainStepMs(unfusedCnn()));
        r.put("peak_rss_mb", peakRssMb());
        System.out.println(new ObjectMapper().writeValueAsString(r));
        return 0;
    }

    /** Conv-BatchNorm-GELU-AvgPool twice, then Linear-GELU-Linear: the reference CNN's shapes without its fusable layers. */
    static Module unfusedCnn() {
        Nabla.manualSeed(0);
        var pad1 = dev.nabla.nn.Conv2d.Options.defaults().padding(1);
        return new dev.nabla.nn.Sequential(
                new dev.nabla.nn.Conv2d(1, 32, 3, pad1),
                new dev.nabla.nn.BatchNorm2d(32),
                new dev.nabla.nn.GELU(),
                new dev.nabla.nn.AvgPool2d(2),
                new dev.nabla.nn.Conv2d(32, 64, 3, pad1),
                new dev.nabla.nn.BatchNorm2d(64),
                new dev.nabla.nn.GELU(),
                new dev.nabla.nn.AvgPool2d(2),
                new dev.nabla.nn.Flatten(),
                new dev.nabla.nn.Linear(3136, 128),
                new dev.nabla.nn.GELU(),
                new dev.nabla.nn.Linear(128, 10));
    }

    /** C[m,n] = A[m,k]·B[k,n] (B given as [n,k] when transposed), through Tensor.matmul. */
    static double gflops(int m, int n, int k, boolean transB) {
        Generator g = new Generator(1);
        Tensor a = Tensor.randn(g, m, k), b = transB ? Tensor.randn(g, n, k).t() : Tensor.randn(g, k, n);
        double flop = 2.0 * m * n * k;
        int reps = (int) Math.max(3, Math.min(200, 3e10 / flop));
        warmUp(() -> a.matmul(b), reps);
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            a.matmul(b);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return flop / median(t) / 1e9;
    }

    /**
     * Runs body at least {@code calls} times and for at least {@link #WARM_UP_SECONDS}, then until the median of its
     * last five calls is within 15% of its fastest call, or past {@link #WARM_UP_CAP_SECONDS} once the calls are done.
     * The JIT compiles the kernels over the first second or so (C2 recompiles a kernel after an uncommon trap, and its
     * interim form runs the Vector API's slow Java fallback), so a count of calls alone measured the compiler's
     * transition on fast shapes. And while G1 grows the young generation, each new tensor lands on pages the OS has not
     * mapped yet: the first product measured (sgemm 1024^3) ran at 120-130 GFLOP/s for 2-3 s after a fast start and
     * then at 330-350, so a fixed 2 s measured the plateau in 4 processes of 6. What is timed after the warm-up is the
     * steady state, which a training run lives in.
     */
    static void warmUp(Runnable body, int calls) {
        warmUp(body, calls, WARM_UP_SECONDS);
    }

    /** {@link #warmUp(Runnable, int)} for at least {@code seconds}. */
    static void warmUp(Runnable body, int calls, double seconds) {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        long cap = start + (long) (Math.max(seconds, WARM_UP_CAP_SECONDS) * 1e9);
        double best = Double.MAX_VALUE;
        double[] recent = new double[5];
        for (int i = 0; ; ) {
            long t0 = System.nanoTime();
            body.run();
            long now = System.nanoTime();
            best = Math.min(best, now - t0);
            recent[i++ % recent.length] = now - t0;
            if (i < calls || i < recent.length || now < end) continue;
            if (now > cap || median(recent) <= 1.15 * best) return;
        }
    }

    static final double WARM_UP_SECONDS = 2.0, WARM_UP_CAP_SECONDS = 10.0;

    /**
     * The training step's own warm-up: C2 keeps compiling and recompiling the code around the kernels (autograd, layout
     * copies, reductions) for 6-8 s of training, and a step timed after 2-4 s ran 20-25 ms where the same step timed
     * after 8 s runs 18 (the reference CNN and the hand-written one alike, whichever came first).
     */
    static final double STEP_WARM_UP_SECONDS = 8.0;

    double trainStepMs(Module m) {
        Adam opt = new Adam(m.parameters(), 1e-3, 1e-4);
        Tensor x = Tensor.randn(new Generator(1), 128, 1, 28, 28), y = Tensor.randint(new Generator(2), 0, 10, 128);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        warmUp(
                () -> {
                    opt.zeroGrad();
                    ce.apply(m.forward(x), y).backward();
                    opt.step();
                },
                steps / 2,
                STEP_WARM_UP_SECONDS);
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            opt.zeroGrad();
            ce.apply(m.forward(x), y).backward();
            opt.step();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(t);
    }

    double inference(Module m) {
        m.eval();
        Tensor x = Tensor.randn(new Generator(3), 256, 1, 28, 28);
        double[] t = new double[steps];
        try (var g = GradMode.noGrad()) {
            warmUp(() -> m.forward(x), steps / 2);
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                m.forward(x);
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        return 256 / median(t);
    }

    static double epochSeconds() throws Exception {
        Nabla.manualSeed(0);
        TensorDataset train = MnistDatasets.load(MnistDatasets.Variant.FASHION_MNIST, null, true);
        ReferenceCNN m = new ReferenceCNN();
        Adam opt = new Adam(m.parameters(), 1e-3, 1e-4);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        long t0 = System.nanoTime();
        for (Dataset.Batch b : new DataLoader(train, 128, true, false, 0)) {
            opt.zeroGrad();
            ce.apply(m.forward(b.inputs()), b.targets()).backward();
            opt.step();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static double peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmHWM:")) return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024.0;
        return Double.NaN;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
