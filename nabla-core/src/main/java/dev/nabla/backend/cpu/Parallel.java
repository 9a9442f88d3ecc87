package dev.nabla.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The parallel loops of Nabla, on one dedicated pool of worker threads. Work is split into ranges decided by n alone
 * (and the thread count, for {@link #forChunks}), so results are deterministic for a given thread count. The thread
 * count comes from the system property {@code nabla.threads} (default: available processors).
 * <p>
 * <b>Why a pool of our own.</b> A training step runs some forty parallel loops of 0.1-4 ms with short serial stretches
 * between them. A parked worker takes 90-130 µs to start again on this project's 2-core VM after an idle gap of 1 ms or
 * more (a halted virtual CPU is woken through the hypervisor; measured with a ForkJoinPool), and the caller, which
 * takes items as it goes, had often done a loop's first half before the worker arrived: loops of two halves then ran on
 * one core (the reference CNN's Linear layer: 0.83 ms in a step against 0.46 ms in a tight loop). So, as OpenMP's
 * runtimes do (KMP_BLOCKTIME, GOMP_SPINCOUNT), a worker that finished a loop spins for {@code nabla.spinMicros}
 * (default 2,000 µs) waiting for the next one before it parks.
 * <p>
 * One loop runs on the pool at a time: a loop started while another runs (from another thread, or nested in a loop's
 * body) runs on its caller's thread alone.
 */
public final class Parallel {
    private static final long SPIN_NANOS = Math.max(0, Long.getLong("nabla.spinMicros", 2_000)) * 1_000;

    private static volatile int threads =
            Math.max(1, Integer.getInteger("nabla.threads", Runtime.getRuntime().availableProcessors()));
    private static volatile Pool pool = new Pool(threads);

    private Parallel() {}

    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, int start, int end);
    }

    public static int threads() {
        return threads;
    }

    /**
     * Sets the number of threads used by kernels (at least 1). Safe while other threads run kernels: a loop that
     * already started finishes on the pool it started with; the old pool's workers end once they are idle.
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("nabla.threads must be at least 1, got " + n);
        if (n == threads) return;
        Pool old = pool;
        pool = new Pool(n);
        threads = n;
        old.retire();
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
        if (parts == 1 || t == 1) {
            body.run(0, n);
            return;
        }
        forEachDynamic(parts, p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    /**
     * Runs body(chunkIndex, start, end) for each of min(threads, n / minGrain) chunks, so callers can keep per-chunk
     * partial results (which thread runs which chunk does not change them).
     */
    public static void forChunks(int n, int minGrain, ChunkBody body) {
        Pool p = pool; // the pool and the count are read once, so a concurrent setThreads cannot split this loop
        int chunks = chunks(n, minGrain, p.size);
        if (chunks == 0) return;
        p.run(chunks, c -> body.run(c, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /**
     * Runs body(i) for every i in [0, n), the threads taking the next index as they become free (so a core slowed by
     * other work does not hold the others up). Only for bodies whose results do not depend on which thread ran them.
     */
    public static void forEachDynamic(int n, IntConsumer body) {
        pool.run(n, body);
    }

    /** One loop: its items are taken in order by whichever thread asks next. */
    private static final class Job {
        final int n;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable error;

        Job(int n, IntConsumer body) {
            this.n = n;
            this.body = body;
        }

        /** Takes and runs items until none is left. */
        void drain() {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                try {
                    if (error == null) body.accept(i);
                } catch (Throwable e) {
                    if (error == null) error = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /** The caller plus size - 1 workers that spin between loops, then park. */
    private static final class Pool {
        final int size;
        private final Worker[] workers;
        private final AtomicBoolean busy = new AtomicBoolean();
        /** The loop being run, or null; workers compare it with the last one they joined. */
        private volatile Job current;

        private volatile boolean retired;

        Pool(int size) {
            this.size = size;
            workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void run(int n, IntConsumer body) {
            if (n <= 0) return;
            if (n == 1
                    || workers.length == 0
                    || retired
                    || Thread.currentThread() instanceof Worker
                    || !busy.compareAndSet(false, true)) {
                for (int i = 0; i < n; i++) body.accept(i);
                return;
            }
            Job job = new Job(n, body);
            try {
                current = job;
                for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
                job.drain();
                // wait for the items the workers took; they are short, so spin first
                long spins = 0;
                while (job.done.get() < n) {
                    if (++spins < 20_000) Thread.onSpinWait();
                    else Thread.yield();
                }
            } finally {
                current = null; // the job's body may hold large arrays
                busy.set(false);
            }
            Throwable e = job.error;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
            if (e != null) throw new IllegalStateException(e);
        }

        void retire() {
            retired = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        volatile boolean parked;

        Worker(Pool pool, int index) {
            super("nabla-kernel-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            long idleSince = System.nanoTime();
            while (!pool.retired) {
                Job job = pool.current;
                if (job != null && job != seen) {
                    seen = job;
                    job.drain();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    Job now = pool.current;
                    if ((now == null || now == seen) && !pool.retired) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
