package dev.nabla.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The loops of {@link Parallel} on its spinning pool: every item once, errors, nesting, concurrent callers. */
class ParallelTest {

    private static void withThreads(int n, Runnable r) {
        int before = Parallel.threads();
        Parallel.setThreads(n);
        try {
            r.run();
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void everyItemRunsOnceAndOnSeveralThreads() {
        withThreads(3, () -> {
            Names threadsSeen = new Names();
            for (int round = 0; round < 200; round++) {
                int n = 1 + round % 37;
                AtomicIntegerArray count = new AtomicIntegerArray(n);
                Parallel.forEachDynamic(n, i -> {
                    count.incrementAndGet(i);
                    threadsSeen.add(Thread.currentThread().getName());
                    for (long until = System.nanoTime() + 20_000; System.nanoTime() < until; ) Thread.onSpinWait();
                });
                for (int i = 0; i < n; i++) assertEquals(1, count.get(i), "round " + round + ", item " + i);
            }
            assertTrue(threadsSeen.size() > 1, "only " + threadsSeen + " ran items");
        });
    }

    private static final class Names {
        private final java.util.Set<String> s = ConcurrentHashMap.newKeySet();

        void add(String v) {
            s.add(v);
        }

        int size() {
            return s.size();
        }

        @Override
        public String toString() {
            return s.toString();
        }
    }

    @Test
    void rangesAndChunksCoverTheItemsExactlyOnce() {
        withThreads(2, () -> {
            for (int n : new int[] {1, 2, 7, 100, 1001}) {
                AtomicIntegerArray count = new AtomicIntegerArray(n);
                Parallel.forRange(n, 3, (s, e) -> {
                    for (int i = s; i < e; i++) count.incrementAndGet(i);
                });
                AtomicIntegerArray chunked = new AtomicIntegerArray(n);
                AtomicInteger chunks = new AtomicInteger();
                Parallel.forChunks(n, 5, (c, s, e) -> {
                    chunks.incrementAndGet();
                    for (int i = s; i < e; i++) chunked.incrementAndGet(i);
                });
                assertEquals(Parallel.chunks(n, 5), chunks.get(), "chunks of " + n);
                for (int i = 0; i < n; i++) {
                    assertEquals(1, count.get(i), "forRange item " + i + " of " + n);
                    assertEquals(1, chunked.get(i), "forChunks item " + i + " of " + n);
                }
            }
        });
    }

    @Test
    void anErrorInAnItemReachesTheCallerAndThePoolKeepsWorking() {
        withThreads(2, () -> {
            for (int round = 0; round < 50; round++) {
                int bad = round % 8;
                IllegalStateException e = assertThrows(
                        IllegalStateException.class,
                        () -> Parallel.forEachDynamic(8, i -> {
                            if (i == bad) throw new IllegalStateException("item " + i);
                        }));
                assertEquals("item " + bad, e.getMessage());
                AtomicInteger ran = new AtomicInteger();
                Parallel.forEachDynamic(8, i -> ran.incrementAndGet());
                assertEquals(8, ran.get());
            }
        });
    }

    @Test
    void nestedLoopsRunInlineAndComplete() {
        withThreads(2, () -> {
            AtomicIntegerArray count = new AtomicIntegerArray(64);
            Parallel.forEachDynamic(8, i -> Parallel.forEachDynamic(8, j -> count.incrementAndGet(8 * i + j)));
            for (int i = 0; i < 64; i++) assertEquals(1, count.get(i), "item " + i);
        });
    }

    @Test
    void concurrentCallersAllGetTheirWorkDone() throws Exception {
        withThreads(2, () -> {
            Thread[] callers = new Thread[4];
            AtomicInteger failures = new AtomicInteger();
            for (int t = 0; t < callers.length; t++) {
                callers[t] = new Thread(() -> {
                    for (int round = 0; round < 300; round++) {
                        AtomicIntegerArray count = new AtomicIntegerArray(16);
                        Parallel.forEachDynamic(16, count::incrementAndGet);
                        for (int i = 0; i < 16; i++) if (count.get(i) != 1) failures.incrementAndGet();
                    }
                });
                callers[t].start();
            }
            for (Thread c : callers)
                try {
                    c.join(60_000);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            for (Thread c : callers) assertFalse(c.isAlive(), "a caller is stuck");
            assertEquals(0, failures.get());
        });
    }

    @Test
    void aParkedWorkerWakesForTheNextLoop() throws Exception {
        withThreads(2, () -> {
            for (int round = 0; round < 3; round++) {
                try {
                    Thread.sleep(30); // longer than the spin: the worker parks
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                Names names = new Names();
                // 64 items of 0.5 ms: the worker (woken in about 0.1 ms) has 32 ms to take one, even on a busy machine
                Parallel.forEachDynamic(64, i -> {
                    names.add(Thread.currentThread().getName());
                    for (long until = System.nanoTime() + 500_000; System.nanoTime() < until; ) Thread.onSpinWait();
                });
                assertTrue(names.size() == 2, "after a pause, items ran on " + names);
            }
        });
    }
}
