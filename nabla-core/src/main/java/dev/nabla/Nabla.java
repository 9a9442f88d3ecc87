package dev.nabla;

import dev.nabla.backend.cpu.Kernels;
import dev.nabla.backend.cpu.Parallel;

/** Process-wide settings, as torch.set_num_threads and torch.manual_seed. */
public final class Nabla {
    private Nabla() {}

    /** Threads used by the CPU kernels (default: the system property nabla.threads, else all processors). */
    public static void setNumThreads(int n) {
        Parallel.setThreads(n);
    }

    /** The number of threads the kernels use. */
    public static int numThreads() {
        return Parallel.threads();
    }

    /** Seeds the default generator (initial weights, dropout, random tensors without an explicit generator). */
    public static void manualSeed(long seed) {
        Generator.seed(seed);
    }

    /** This build's version (the Maven project version, e.g. {@code 0.1.0-SNAPSHOT}), or "unknown" outside a built jar. */
    public static String version() {
        try (var in = Nabla.class.getResourceAsStream("nabla.properties")) {
            if (in == null) return "unknown";
            var p = new java.util.Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Whether the Vector API kernels are in use (else the scalar kernels). */
    public static boolean vectorized() {
        return Kernels.vectorized();
    }

    /**
     * Floats per vector in the matrix-product and convolution kernels: 16 where the 16-lane (AVX-512) kernels run, 8
     * for the other Vector API kernels, 1 for the scalar kernels.
     */
    public static int vectorLanes() {
        return Kernels.vectorLanes();
    }
}
