package dev.nabla.data;

import dev.nabla.Generator;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Batches over a dataset: batch size, shuffling re-seeded each epoch from one seed (epoch e uses seed + e, so a
 * run is reproducible and a resumed run sees the same order), and dropping the last partial batch if asked.
 * Iterating it once is one epoch; call {@link #setEpoch} (the Trainer does) to move to the next order.
 *
 * <p>With {@link #workers(int) workers}, batches are assembled (samples read, transforms applied, stacked) by
 * background threads, several batches ahead, while the model trains on the current one, as PyTorch's
 * {@code num_workers}. Batches still come in order, and the random transforms that take no generator
 * ({@link Transforms#randomHorizontalFlip(double)}, {@link Transforms#randomShift(int, double)}) draw from a generator
 * seeded per batch from (seed, epoch, batch), so the result is the same with any number of workers.
 */
public final class DataLoader implements Iterable<Dataset.Batch> {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle, dropLast;
    private final long seed;
    private int epoch;
    private int workers, prefetch;
    private java.util.concurrent.ExecutorService pool;

    /** Batches of batchSize, shuffled (seed 0) or in order; the last batch may be smaller. */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle) {
        this(dataset, batchSize, shuffle, false, 0);
    }

    /** The full form: dropLast leaves out a last smaller batch; seed fixes the shuffling. */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        if (batchSize <= 0)
            throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
    }

    /**
     * Assembles batches on {@code n} background threads (daemon threads, started on first use), up to
     * {@code 2·n} batches ahead; 0 (the default) assembles each batch in the calling thread when it is asked for.
     */
    public DataLoader workers(int n) {
        return workers(n, 2 * n);
    }

    /** {@link #workers(int)} with an explicit number of batches prepared ahead (at least n). */
    public synchronized DataLoader workers(int n, int prefetchBatches) {
        if (n < 0) throw new IllegalArgumentException("DataLoader: workers must be >= 0, got " + n);
        if (n > 0 && prefetchBatches < n)
            throw new IllegalArgumentException(
                    "DataLoader: prefetch must be at least the " + n + " workers, got " + prefetchBatches);
        if (pool != null && n != workers) {
            pool.shutdown();
            pool = null;
        }
        workers = n;
        prefetch = prefetchBatches;
        return this;
    }

    /** The number of background workers (0: batches are assembled in the calling thread). */
    public int workers() {
        return workers;
    }

    private synchronized java.util.concurrent.ExecutorService pool() {
        if (pool == null) {
            java.util.concurrent.atomic.AtomicInteger id = new java.util.concurrent.atomic.AtomicInteger();
            pool = java.util.concurrent.Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "nabla-data-loader-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** The batch at position b of this epoch's order, with the per-batch generator in place for random transforms. */
    private Dataset.Batch assemble(int[] order, int b, int currentEpoch) {
        int start = b * batchSize, end = Math.min(start + batchSize, order.length);
        // a generator per (seed, epoch, batch): the same draws whichever thread assembles the batch
        Generator g = new Generator(Generator.mix(Generator.mix(seed, currentEpoch), b));
        return Transforms.withBatchGenerator(g, () -> dataset.batch(java.util.Arrays.copyOfRange(order, start, end)));
    }

    /** The dataset batched. */
    public Dataset dataset() {
        return dataset;
    }

    /** Samples per batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Whether each epoch has its own random order. */
    public boolean shuffle() {
        return shuffle;
    }

    /** Whether a last smaller batch is left out. */
    public boolean dropLast() {
        return dropLast;
    }

    /** The shuffling seed (epoch e draws its order from seed + e). */
    public long seed() {
        return seed;
    }

    /** The epoch whose order {@link #iterator} gives. */
    public int epoch() {
        return epoch;
    }

    /** Moves to the sample order of the given epoch. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Number of batches per epoch. */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The sample order of the current epoch. */
    public int[] order() {
        int n = dataset.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        if (shuffle) {
            Generator g = new Generator(seed + epoch);
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = g.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    @Override
    public Iterator<Dataset.Batch> iterator() {
        int[] order = order();
        int batches = size(), currentEpoch = epoch;
        if (workers == 0)
            return new Iterator<>() {
                int b = 0;

                @Override
                public boolean hasNext() {
                    return b < batches;
                }

                @Override
                public Dataset.Batch next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    return assemble(order, b++, currentEpoch);
                }
            };
        var exec = pool();
        var ahead = new java.util.ArrayDeque<java.util.concurrent.Future<Dataset.Batch>>();
        return new Iterator<>() {
            int submitted = 0, taken = 0;

            private void fill() {
                while (submitted < batches && ahead.size() < prefetch) {
                    int b = submitted++;
                    ahead.add(exec.submit(() -> assemble(order, b, currentEpoch)));
                }
            }

            @Override
            public boolean hasNext() {
                return taken < batches;
            }

            @Override
            public Dataset.Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                fill();
                var f = ahead.poll();
                taken++;
                fill();
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(
                            "DataLoader: interrupted while waiting for batch " + (taken - 1), e);
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException r)
                        throw r; // the worker's own error (a bad sample, a transform), unwrapped
                    if (c instanceof Error err) throw err;
                    throw new IllegalStateException("DataLoader: batch " + (taken - 1) + " failed: " + c, c);
                }
            }
        };
    }

    /** Splits a dataset into disjoint random subsets of the given sizes (which must add up to its size). */
    public static Subset[] randomSplit(Dataset dataset, int[] sizes, long seed) {
        int total = 0;
        for (int s : sizes) total += s;
        if (total != dataset.size())
            throw new IllegalArgumentException("randomSplit: sizes " + java.util.Arrays.toString(sizes) + " add up to "
                    + total + ", not the dataset size " + dataset.size());
        int[] perm = new DataLoader(dataset, 1, true, false, seed).order();
        Subset[] out = new Subset[sizes.length];
        int at = 0;
        for (int i = 0; i < sizes.length; i++) {
            out[i] = new Subset(dataset, java.util.Arrays.copyOfRange(perm, at, at + sizes[i]));
            at += sizes[i];
        }
        return out;
    }
}
