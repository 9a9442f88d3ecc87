package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Generator;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.backend.Storage;

/** Tensor factories: constants, ranges, identity, from Java arrays, and seeded random tensors. */
public final class Creation {
    private Creation() {}

    /** A tensor filled with value. */
    public static Tensor full(double value, DType dtype, int... shape) {
        return Tensor.wrap(Device.CPU.backend().full(dtype, Shape.numel(shape), value), shape.clone());
    }

    /** A tensor over the storage s in the given shape (1-D when none is given). */
    public static Tensor of(Storage s, int... shape) {
        int[] sh = shape.length == 0 ? new int[] {s.length()} : shape.clone();
        int n = Shape.numel(sh);
        if (n != s.length())
            throw new IllegalArgumentException("Tensor.of: " + s.length() + " values cannot fill shape " + Shape.str(sh)
                    + " (" + n + " elements)");
        return Tensor.wrap(s, sh);
    }

    /** A float32 matrix from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] d = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols)
                throw new IllegalArgumentException(
                        "Tensor.of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return Tensor.wrap(Storage.of(d), rows.length, cols);
    }

    /** A float64 matrix from rows of equal length. */
    public static Tensor of(double[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] d = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols)
                throw new IllegalArgumentException(
                        "Tensor.of: row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return Tensor.wrap(Storage.of(d), rows.length, cols);
    }

    /** Values start, start + step, ... below end as a 1-D tensor of dtype. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0) throw new IllegalArgumentException("arange: step must be nonzero");
        if ((end - start) / step < 0)
            throw new IllegalArgumentException(
                    "arange: upper bound and larger bound inconsistent with step sign (start " + start + ", end " + end
                            + ", step " + step + ")");
        int n = (int) Math.ceil((end - start) / step);
        Storage s = Storage.allocate(dtype, n);
        for (int i = 0; i < n; i++) s.set(i, start + i * step);
        return Tensor.wrap(s, n);
    }

    /** steps evenly spaced values from start to end, both included. */
    public static Tensor linspace(double start, double end, int steps, DType dtype) {
        if (steps < 0)
            throw new IllegalArgumentException("linspace: number of steps must be non-negative, got " + steps);
        Storage s = Storage.allocate(dtype, steps);
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // PyTorch fills the two halves from each end so that the last value is exactly end
        int half = steps / 2;
        for (int i = 0; i < steps; i++) s.set(i, i < half ? start + step * i : end - step * (steps - 1 - i));
        return Tensor.wrap(s, steps);
    }

    /** An n x m matrix with ones on the diagonal. */
    public static Tensor eye(int n, int m, DType dtype) {
        Storage s = Storage.allocate(dtype, n * m);
        for (int i = 0; i < Math.min(n, m); i++) s.set(i * m + i, 1);
        return Tensor.wrap(s, n, m);
    }

    /** Values uniform in [0, 1). */
    public static Tensor rand(Generator g, DType dtype, int... shape) {
        requireFloat("rand", dtype);
        int n = Shape.numel(shape);
        Storage s = Storage.allocate(dtype, n);
        for (int i = 0; i < n; i++) s.set(i, g.nextDouble());
        return Tensor.wrap(s, shape.clone());
    }

    /** Standard normal values. */
    public static Tensor randn(Generator g, DType dtype, int... shape) {
        requireFloat("randn", dtype);
        int n = Shape.numel(shape);
        Storage s = Storage.allocate(dtype, n);
        for (int i = 0; i < n; i++) s.set(i, g.nextGaussian());
        return Tensor.wrap(s, shape.clone());
    }

    /** int64 values uniform in [low, high). */
    public static Tensor randint(Generator g, long low, long high, int... shape) {
        if (high <= low)
            throw new IllegalArgumentException("randint: expected low < high, got low " + low + ", high " + high);
        int n = Shape.numel(shape);
        long[] d = new long[n];
        long range = high - low;
        for (int i = 0; i < n; i++) d[i] = low + Math.floorMod(g.nextLong(), range);
        return Tensor.wrap(Storage.of(d), shape.clone());
    }

    /** Zeros and ones, each one with probability p. */
    public static Tensor bernoulli(Generator g, double p, DType dtype, int... shape) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("bernoulli: p must be in [0, 1], got " + p);
        int n = Shape.numel(shape);
        double[] u = new double[n];
        g.nextDoubles(u); // the same draws as n nextDouble calls, without a lock and a virtual set per element
        if (dtype == DType.FLOAT32) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = u[i] < p ? 1f : 0f;
            return Tensor.wrap(Storage.of(v), shape.clone());
        }
        Storage s = Storage.allocate(dtype, n);
        for (int i = 0; i < n; i++) s.set(i, u[i] < p ? 1 : 0);
        return Tensor.wrap(s, shape.clone());
    }

    /** Zeros and ones, one with the probability at the same position of probs. */
    public static Tensor bernoulli(Generator g, Tensor probs) {
        double[] p = probs.toDoubleArray();
        Storage s = Storage.allocate(probs.dtype().isFloatingPoint() ? probs.dtype() : DType.FLOAT32, p.length);
        for (int i = 0; i < p.length; i++) {
            if (!(p[i] >= 0 && p[i] <= 1))
                throw new IllegalArgumentException(
                        "bernoulli: all probabilities must be in [0, 1], got " + p[i] + " at flat index " + i);
            s.set(i, g.nextDouble() < p[i] ? 1 : 0);
        }
        return Tensor.wrap(s, probs.shape());
    }

    private static void requireFloat(String op, DType dt) {
        if (!dt.isFloatingPoint()) throw new IllegalArgumentException(op + ": dtype must be floating point, got " + dt);
    }
}
