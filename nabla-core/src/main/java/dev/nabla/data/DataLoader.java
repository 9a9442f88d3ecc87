package dev.nabla.data;

import dev.nabla.Generator;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Batches over a dataset: batch size, shuffling re-seeded each epoch from one seed (epoch e uses seed + e, so a
 * run is reproducible and a resumed run sees the same order), and dropping the last partial batch if asked.
 * Iterating it once is one epoch; call {@link #setEpoch} (the Trainer does) to move to the next order.
 */
public final class DataLoader implements Iterable<Dataset.Batch> {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle, dropLast;
    private final long seed;
    private int epoch;

    public DataLoader(Dataset dataset, int batchSize, boolean shuffle) {
        this(dataset, batchSize, shuffle, false, 0);
    }

    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public boolean shuffle() {
        return shuffle;
    }

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
        int batches = size();
        return new Iterator<>() {
            int b = 0;

            @Override
            public boolean hasNext() {
                return b < batches;
            }

            @Override
            public Dataset.Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int start = b++ * batchSize, end = Math.min(start + batchSize, order.length);
                return dataset.batch(java.util.Arrays.copyOfRange(order, start, end));
            }
        };
    }

    /** Splits a dataset into disjoint random subsets of the given sizes (which must add up to its size). */
    public static Subset[] randomSplit(Dataset dataset, int[] sizes, long seed) {
        int total = 0;
        for (int s : sizes) total += s;
        if (total != dataset.size())
            throw new IllegalArgumentException("randomSplit: sizes " + java.util.Arrays.toString(sizes) + " add up to " + total + ", not the dataset size " + dataset.size());
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
