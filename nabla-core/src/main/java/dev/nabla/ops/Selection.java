package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Shape;
import dev.nabla.Tensor;

/** maskedFill, triu and tril, topk, and multinomial sampling: picking and masking elements. */
public final class Selection {
    private Selection() {}

    /** value where mask is true, else x (mask broadcast to x's shape); the gradient flows where mask is false. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException("maskedFill: mask must be a bool tensor, got " + mask.dtype());
        int[] shape = Shape.broadcast("maskedFill", x.shape(), mask.shape());
        if (!java.util.Arrays.equals(shape, x.shape()))
            throw new IllegalArgumentException("maskedFill: mask " + Shape.str(mask.shape())
                    + " must broadcast to the tensor's shape " + Shape.str(x.shape()));
        return Tensor.where(mask, Tensor.scalar(value, x.dtype()), x);
    }

    /**
     * The upper (upper = true: elements with column − row ≥ diagonal) or lower (column − row ≤ diagonal) triangle of
     * the last two dims, zeros elsewhere (PyTorch's {@code triu}/{@code tril}).
     */
    public static Tensor triangle(Tensor x, int diagonal, boolean upper) {
        String op = upper ? "triu" : "tril";
        if (x.rank() < 2)
            throw new IllegalArgumentException(
                    op + ": input tensor must have at least 2 dimensions, got " + Shape.str(x.shape()));
        int rows = x.size(-2), cols = x.size(-1);
        boolean[] keep = new boolean[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) keep[i * cols + j] = upper ? j - i >= diagonal : j - i <= diagonal;
        return Tensor.where(Tensor.of(keep, rows, cols), x, Tensor.zeros(x.dtype()));
    }

    /** The k largest (or smallest) values along dim and their int64 indices, sorted, first index first on ties. */
    public record TopK(Tensor values, Tensor indices) {}

    /**
     * The k largest (largest = true) or smallest values along dim, in order, with their indices (PyTorch's
     * {@code topk}; NaN counts as the largest value). The values are differentiable (a gather).
     */
    public static TopK topk(Tensor x, int k, int dim, boolean largest) {
        int d = Shape.dim("topk", dim, Math.max(1, x.rank()));
        Tensor xr = x.rank() == 0 ? x.reshape(1) : x;
        int n = xr.size(d);
        if (k < 0 || k > n)
            throw new IllegalArgumentException("topk: k (" + k + ") is out of range for dimension " + d + " of size "
                    + n + " (" + Shape.str(x.shape()) + ")");
        Tensor moved = xr.transpose(d, -1).contiguous();
        double[] v = moved.toDouble().toDoubleArray();
        int rows = n == 0 ? 0 : v.length / n;
        long[] picked = new long[rows * k];
        Integer[] order = new Integer[n];
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int i = 0; i < n; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> {
                int c = Double.compare(v[base + a], v[base + b]); // NaN is the largest, as in PyTorch
                return largest ? -c : c;
            }); // stable: the first index first on ties
            for (int i = 0; i < k; i++) picked[r * k + i] = order[i];
        }
        int[] shape = moved.shape();
        shape[shape.length - 1] = k;
        Tensor indices = Tensor.of(picked, shape).transpose(d, -1).contiguous();
        Tensor values = xr.gather(d, indices);
        if (x.rank() == 0) return new TopK(values.reshape(), indices.reshape());
        return new TopK(values, indices);
    }

    /**
     * numSamples category indices drawn from the non-negative weights of each row of probs ([C] or [N, C], need not
     * sum to 1), with or without replacement (PyTorch's {@code multinomial}); int64 [numSamples] or [N, numSamples].
     */
    public static Tensor multinomial(Tensor probs, int numSamples, boolean replacement, Generator g) {
        if (probs.rank() < 1 || probs.rank() > 2 || !probs.dtype().isFloatingPoint())
            throw new IllegalArgumentException("multinomial: prob_dist must be 1 or 2 dim float, got " + probs.dtype()
                    + " " + Shape.str(probs.shape()));
        Generator gen = g != null ? g : Generator.global();
        int c = probs.size(-1), rows = probs.rank() == 2 ? probs.size(0) : 1;
        if (numSamples <= 0) throw new IllegalArgumentException("multinomial: cannot sample n_sample <= 0 samples");
        if (!replacement && numSamples > c)
            throw new IllegalArgumentException("multinomial: cannot sample n_sample > prob_dist.size(-1) samples"
                    + " without replacement (" + numSamples + " > " + c + ")");
        double[] p = probs.toDouble().contiguous().toDoubleArray();
        long[] out = new long[rows * numSamples];
        double[] w = new double[c];
        for (int r = 0; r < rows; r++) {
            double total = 0;
            int positive = 0;
            for (int j = 0; j < c; j++) {
                double v = p[r * c + j];
                if (!(v >= 0) || Double.isInfinite(v))
                    throw new IllegalArgumentException(
                            "multinomial: probability tensor contains either inf, nan or element < 0 (row " + r
                                    + ", column " + j + ": " + v + ")");
                w[j] = v;
                total += v;
                if (v > 0) positive++;
            }
            if (total <= 0)
                throw new IllegalArgumentException(
                        "multinomial: invalid multinomial distribution (sum" + " of probabilities <= 0) in row " + r);
            if (!replacement && numSamples > positive)
                throw new IllegalArgumentException("multinomial: row " + r + " has " + positive
                        + " categories of non-zero probability, fewer than " + numSamples
                        + " samples without replacement");
            for (int s = 0; s < numSamples; s++) {
                double u = gen.nextDouble() * total, acc = 0;
                int pick = -1;
                for (int j = 0; j < c; j++) {
                    if (w[j] <= 0) continue;
                    acc += w[j];
                    pick = j;
                    if (u < acc) break;
                }
                out[r * numSamples + s] = pick;
                if (!replacement) {
                    total -= w[pick];
                    w[pick] = 0;
                }
            }
        }
        return probs.rank() == 2 ? Tensor.of(out, rows, numSamples) : Tensor.of(out, numSamples);
    }
}
