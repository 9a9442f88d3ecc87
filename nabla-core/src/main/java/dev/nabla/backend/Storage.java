package dev.nabla.backend;

import dev.nabla.DType;

/**
 * A flat, heap-allocated buffer of one dtype: {@code float[]}, {@code double[]}, {@code long[]} or {@code boolean[]}.
 * Tensors view a storage through a {@link Layout}; several tensors may share one storage.
 */
public final class Storage {
    private final DType dtype;
    private final Object data;
    private final int length;
    /** Bumped by every in-place write through the tensor API (shared by all views and detached aliases of this storage). */
    private int version;

    private Storage(DType dtype, Object data, int length) {
        this.dtype = dtype;
        this.data = data;
        this.length = length;
    }

    /** A zero-filled storage of n elements. */
    public static Storage allocate(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new Storage(dtype, new float[n], n);
            case FLOAT64 -> new Storage(dtype, new double[n], n);
            case INT64 -> new Storage(dtype, new long[n], n);
            case BOOL -> new Storage(dtype, new boolean[n], n);
        };
    }

    /** A storage over a (not copied). */
    public static Storage of(float[] a) {
        return new Storage(DType.FLOAT32, a, a.length);
    }
    /** A storage over a (not copied). */
    public static Storage of(double[] a) {
        return new Storage(DType.FLOAT64, a, a.length);
    }
    /** A storage over a (not copied). */
    public static Storage of(long[] a) {
        return new Storage(DType.INT64, a, a.length);
    }
    /** A storage over a (not copied). */
    public static Storage of(boolean[] a) {
        return new Storage(DType.BOOL, a, a.length);
    }

    /**
     * Backend-private data that belongs to no tensor, such as the window codes a fused max-pool keeps for its backward
     * pass: it has no dtype ({@link #dtype} is null) and only the backend that made it reads it, through
     * {@link #opaque()}.
     */
    public static Storage opaque(Object data, int length) {
        return new Storage(null, data, length);
    }

    /** The data of an {@link #opaque(Object, int)} storage (or the array of any storage). */
    public Object opaque() {
        return data;
    }

    /** The element type (null for an {@link #opaque(Object, int)} storage). */
    public DType dtype() {
        return dtype;
    }
    /** The number of elements. */
    public int length() {
        return length;
    }

    /** How many in-place modifications this storage has seen; autograd compares it with the version an op saved. */
    public int version() {
        return version;
    }

    /** Counts one in-place modification. */
    public void bumpVersion() {
        version++;
    }

    /** Deferred results computed from this storage, weakly held: an in-place write computes them first. */
    private java.util.List<java.lang.ref.WeakReference<Runnable>> deferredReaders;

    /**
     * Registers the computation of a deferred result that reads this storage; {@link #beforeWrite} runs it, so that
     * the result sees the values it was asked for, not those written later. Held weakly: a result nobody can reach
     * any more is never computed.
     */
    public synchronized void addDeferredReader(Runnable computeNow) {
        if (deferredReaders == null) deferredReaders = new java.util.ArrayList<>();
        deferredReaders.removeIf(r -> r.get() == null);
        deferredReaders.add(new java.lang.ref.WeakReference<>(computeNow));
    }

    /** Called by every in-place writer through the tensor API before it writes: computes the pending readers. */
    public void beforeWrite() {
        java.util.List<java.lang.ref.WeakReference<Runnable>> readers;
        synchronized (this) {
            readers = deferredReaders;
            deferredReaders = null;
        }
        if (readers != null)
            for (var ref : readers) {
                Runnable r = ref.get();
                if (r != null) r.run();
            }
    }

    /** The array of a float32 storage. */
    public float[] floats() {
        return (float[]) data;
    }
    /** The array of a float64 storage. */
    public double[] doubles() {
        return (double[]) data;
    }
    /** The array of an int64 storage. */
    public long[] longs() {
        return (long[]) data;
    }
    /** The array of a bool storage. */
    public boolean[] bools() {
        return (boolean[]) data;
    }

    /** Element i as a double, whatever the dtype (int64 beyond 2^53 loses precision; use {@link #getLong}). */
    public double get(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i];
            case FLOAT64 -> ((double[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1.0 : 0.0;
        };
    }

    /** Element i as a long. */
    public long getLong(int i) {
        return switch (dtype) {
            case FLOAT32 -> (long) ((float[]) data)[i];
            case FLOAT64 -> (long) ((double[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1L : 0L;
        };
    }

    /** Sets element i, converting v to the dtype. */
    public void set(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i] = (float) v;
            case FLOAT64 -> ((double[]) data)[i] = v;
            case INT64 -> ((long[]) data)[i] = (long) v;
            case BOOL -> ((boolean[]) data)[i] = v != 0.0;
        }
    }

    /** Sets element i from a long. */
    public void setLong(int i, long v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i] = v;
            case FLOAT64 -> ((double[]) data)[i] = v;
            case INT64 -> ((long[]) data)[i] = v;
            case BOOL -> ((boolean[]) data)[i] = v != 0L;
        }
    }
}
