package dev.nabla.data;

/** The samples of a dataset at the given indices (what {@link DataLoader#randomSplit} returns). */
public final class Subset implements Dataset {
    private final Dataset base;
    private final int[] indices;

    /** The samples of base at indices, in that order. */
    public Subset(Dataset base, int[] indices) {
        for (int i : indices)
            if (i < 0 || i >= base.size())
                throw new IndexOutOfBoundsException("Subset: index " + i + " outside a dataset of " + base.size());
        this.base = base;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Sample get(int i) {
        return base.get(indices[i]);
    }

    @Override
    public Batch batch(int[] idx) {
        int[] mapped = new int[idx.length];
        for (int i = 0; i < idx.length; i++) mapped[i] = indices[idx[i]];
        return base.batch(mapped);
    }
}
