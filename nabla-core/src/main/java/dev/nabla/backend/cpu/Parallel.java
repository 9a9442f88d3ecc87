package dev.nabla.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The parallel loops of Nabla, on one dedicated pool. Work is split into ranges decided by n alone (and the thread
 * count, for {@link #forChunks}), so results are deterministic for a given thread count. The thread count comes from
 * the system property {@code nabla.threads} (default: available processors).
 */
public final class Parallel {
    private static volatile int threads =
            Math.max(1, Integer.getInteger("nabla.threads", Runtime.getRuntime().availableProcessors()));
    private static volatile ForkJoinPool pool = newPool(threads);

    private Parallel() {}

    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    public static int threads() {
        return threads;
    }

    /**
     * Sets the number of threads used by kernels (at least 1). Safe while other threads run kernels: a loop that
     * already started finishes on the pool it started with, and the old pool is never shut down under it; its idle
     * workers end by themselves after a few seconds (they are daemon threads with a keep-alive).
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("nabla.threads must be at least 1, got " + n);
        if (n == threads) return;
        pool = newPool(n);
        threads = n;
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(
                n,
                p -> {
                    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                    t.setDaemon(true);
                    t.setName("nabla-kernel-" + t.getPoolIndex());
                    return t;
                },
                null,
                false,
                0,
                Math.max(n, 256),
                1,
                null,
                5,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Number of chunks forRange would use for n items with at least minGrain items each. */
    public static int chunks(int n, int minGrain) {
        return chunks(n, minGrain, threads);
    }

    private static int chunks(int n, int minGrain, int threads) {
        if (n <= 0) return 0;
        return Math.max(1, Math.min(threads, n / Math.max(1, minGrain)));
    }

    /**
     * Runs body over [0, n) split into contiguous ranges of at least minGrain items (up to four per thread), handed
     * out to the threads as they become free. The ranges depend on n alone and each writes its own outputs, so the
     * result does not depend on the schedule.
     */
    public static void forRange(int n, int minGrain, RangeBody body) {
        if (n <= 0) return;
        int t = threads; // read once: another thread may change the count meanwhile
        int parts = Math.max(1, Math.min(t * 4, n / Math.max(1, minGrain)));
        if (parts == 1 || t == 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        forEachDynamic(parts, p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    /** Runs body(chunkIndex, start, end) for each chunk, so callers can keep per-chunk partial results. */
    public static void forChunks(int n, int minGrain, ChunkBody body) {
        ForkJoinPool p =
                pool; // the pool and the count are read once, so a concurrent setThreads cannot split this loop
        int chunks = chunks(n, minGrain, p.getParallelism());
        if (chunks == 0) return;
        if (chunks == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int c = 0; c < chunks; c++)
                body.run(c, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int ci = c, s = (int) ((long) n * c / chunks), e = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = p.submit(() -> body.run(ci, s, e));
        }
        body.run(0, 0, (int) ((long) n / chunks));
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    /**
     * Runs body(i) for every i in [0, n), the threads taking the next index as they become free (so a core slowed by
     * other work does not hold the others up). Only for bodies whose results do not depend on which thread ran them.
     */
    public static void forEachDynamic(int n, java.util.function.IntConsumer body) {
        ForkJoinPool p = pool; // read once, as in forChunks
        int workers = Math.min(p.getParallelism(), n);
        if (workers <= 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable drain = () -> {
            for (int i; (i = next.getAndIncrement()) < n; ) body.accept(i);
        };
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[workers - 1];
        for (int c = 0; c < tasks.length; c++) tasks[c] = p.submit(drain);
        drain.run();
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, int start, int end);
    }
}
