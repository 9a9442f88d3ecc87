package dev.nabla;

import java.util.Arrays;

/** Static helpers over shapes ({@code int[]}), including broadcasting as NumPy and PyTorch define it. */
public final class Shape {
    private Shape() {}

    /** The number of elements; a negative dimension or more than 2^31−1 elements is an error (checked without overflow). */
    public static int numel(int[] shape) {
        for (int d : shape)
            if (d < 0) throw new IllegalArgumentException("negative dimension " + d + " in shape " + str(shape));
        long n = 1;
        boolean tooLarge = false;
        for (int d : shape) {
            if (d == 0) return 0;
            if (!tooLarge) {
                n = Math.multiplyExact(n, (long) d); // cannot overflow: n <= 2^31-1 here and d < 2^31
                tooLarge = n > Integer.MAX_VALUE;
            }
        }
        if (tooLarge) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        return (int) n;
    }

    /** Row-major (C-contiguous) strides for the shape. */
    public static int[] contiguousStrides(int[] shape) {
        return dev.nabla.backend.Layout.contiguousStrides(shape);
    }

    /** The broadcast shape of a and b, or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + i + " is " + da + " vs " + db);
        }
        return out;
    }

    /** Normalises a possibly negative dim against rank, with an error naming the op. */
    public static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r)
            throw new IndexOutOfBoundsException(op + ": dimension " + dim + " out of range for a tensor of rank " + rank
                    + " (expected in [" + (-r) + ", " + (r - 1) + "])");
        return dim < 0 ? dim + r : dim;
    }

    /** A shape as PyTorch prints it: [2, 3]. */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** The dims as a shape array. */
    public static int[] of(int... dims) {
        return dims;
    }
}
