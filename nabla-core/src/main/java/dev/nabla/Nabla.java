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

    public static int numThreads() {
        return Parallel.threads();
    }

    /** Seeds the default generator (initial weights, dropout, random tensors without an explicit generator). */
    public static void manualSeed(long seed) {
        Generator.seed(seed);
    }

    /** Whether the Vector API kernels are in use (false: scalar fallback). */
    public static boolean vectorized() {
        return Kernels.vectorized();
    }
}
