package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.Tracing;
import dev.nabla.backend.Backend.ReduceOp;
import dev.nabla.backend.Storage;

/** sum, mean, max, min, argmax, argmin, var, std, logSumExp over all dims or the given ones, with keepDim. */
public final class Reductions {
    private Reductions() {}

    /** Which dims to reduce: all when dims is null; validated and de-duplicated otherwise. */
    static boolean[] reducedDims(String op, Tensor x, int[] dims) {
        boolean[] r = new boolean[x.rank()];
        if (dims == null) {
            java.util.Arrays.fill(r, true);
            return r;
        }
        for (int d : dims) {
            int n = Shape.dim(op, d, x.rank());
            if (x.rank() == 0) continue;
            if (r[n])
                throw new IllegalArgumentException(op + ": dim " + n + " appears multiple times in the list of dims");
            r[n] = true;
        }
        return r;
    }

    static int[] keptShape(int[] shape, boolean[] reduced, boolean keepDim) {
        int n = 0;
        for (int d = 0; d < shape.length; d++) if (!reduced[d] || keepDim) n++;
        int[] out = new int[n];
        int j = 0;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                if (keepDim) out[j++] = 1;
            } else out[j++] = shape[d];
        }
        return out;
    }

    private static Tensor reduceRaw(Tensor x, ReduceOp op, boolean[] reduced, DType out, boolean keepDim) {
        Storage s = x.backend().reduce(op, x.storage(), x.layout(), reduced, out);
        return Tensor.wrap(s, keptShape(x.shape(), reduced, keepDim));
    }

    /** Whether every element is finite (no NaN, no infinity); integer and boolean tensors always are. No copy for contiguous tensors. */
    public static boolean allFinite(Tensor x) {
        if (!x.dtype().isFloatingPoint()) return true;
        Tensor c = x.isContiguous() ? x : x.contiguous();
        Storage s = c.storage();
        int from = c.layout().offset(), to = from + c.numel();
        if (c.dtype() == DType.FLOAT64) {
            double[] d = s.doubles();
            for (int i = from; i < to; i++) if (!Double.isFinite(d[i])) return false;
        } else {
            float[] f = s.floats();
            for (int i = from; i < to; i++) if (!Float.isFinite(f[i])) return false;
        }
        return true;
    }

    /** The sum over dims (all when null). */
    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        boolean[] red = reducedDims("sum", x, dims);
        DType dt = x.dtype().isFloatingPoint() ? x.dtype() : DType.INT64;
        Tensor out = reduceRaw(x, ReduceOp.SUM, red, dt, keepDim);
        int[] keep = keptShape(x.shape(), red, true);
        int[] xs = x.shape();
        return Tracing.note(
                Autograd.record("sum", out, g -> new Tensor[] {g.reshape(keep).expand(xs)}, x),
                "reduced",
                red,
                "keepDim",
                keepDim);
    }

    /** The mean over dims (all when null). */
    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException(
                    "mean: could not infer output dtype; input dtype must be floating point, got " + x.dtype());
        boolean[] red = reducedDims("mean", x, dims);
        long count = 1;
        for (int d = 0; d < red.length; d++) if (red[d]) count *= x.shape()[d];
        double n = count;
        return Tracing.composite(
                "mean",
                new Tensor[] {x},
                new Object[] {"reduced", red, "keepDim", keepDim},
                () -> sum(x, dims, keepDim).div(n));
    }

    /** max or min over all elements (gradient shared evenly among ties), or along one dim (gradient to the first). */
    public static Tensor extreme(Tensor x, int[] dims, boolean keepDim, boolean max) {
        String op = max ? "max" : "min";
        if (!Tracing.active() || x.numel() == 0) return extremeOf(x, dims, keepDim, max);
        return Tracing.composite(
                op,
                new Tensor[] {x},
                new Object[] {"reduced", reducedDims(op, x, dims), "keepDim", keepDim},
                () -> extremeOf(x, dims, keepDim, max));
    }

    private static Tensor extremeOf(Tensor x, int[] dims, boolean keepDim, boolean max) {
        String op = max ? "max" : "min";
        if (dims != null
                && dims.length == 1
                && x.rank() > 0
                && x.numel() == 0
                && x.shape()[Shape.dim(op, dims[0], x.rank())] > 0) {
            int d = Shape.dim(
                    op, dims[0], x.rank()); // reducing a non-empty dim of an empty tensor: an empty result, as PyTorch
            int[] shape = x.shape().clone();
            shape[d] = 1;
            Tensor empty =
                    Tensor.zeros(x.dtype(), shape).add(x.sum(new int[] {d}, true)); // keeps the graph (an empty one)
            return keepDim ? empty : empty.squeeze(d);
        }
        if (x.numel() == 0)
            throw new IllegalArgumentException(op + ": expected a non-empty tensor (shape " + Shape.str(x.shape())
                    + "), as the reduction has no identity");
        if (dims != null && dims.length == 1 && x.rank() > 0) {
            int d = Shape.dim(op, dims[0], x.rank());
            Tensor idx = argExtreme(x, d, true, max);
            Tensor v = Indexing.gather(x, d, idx);
            return keepDim ? v : v.squeeze(d);
        }
        boolean[] red = reducedDims(op, x, dims);
        Tensor out = reduceRaw(x, max ? ReduceOp.MAX : ReduceOp.MIN, red, x.dtype(), keepDim);
        int[] keep = keptShape(x.shape(), red, true);
        return Autograd.record(
                op,
                out,
                g -> {
                    Tensor o = out.detach().reshape(keep), xd = x.detach();
                    // PyTorch's evenly_distribute: among the elements equal to the result, or among the NaNs when the
                    // result is NaN
                    Tensor mask =
                            Elementwise.where(o.ne(o), xd.ne(xd), xd.eq(o)).to(g.dtype());
                    Tensor count = mask.sum(dims == null ? null : dims, true);
                    return new Tensor[] {g.reshape(keep).mul(mask).div(count)};
                },
                x);
    }

    /** Indices of the largest (max) or smallest values along dim. */
    public static Tensor argExtreme(Tensor x, int dim, boolean keepDim, boolean max) {
        String op = max ? "argmax" : "argmin";
        if (x.rank() == 0) return Tensor.zeros(DType.INT64);
        int d = Shape.dim(op, dim, x.rank());
        if (x.shape()[d] == 0)
            throw new IllegalArgumentException(op + ": expected reduction dim " + d + " to have a non-zero size (shape "
                    + Shape.str(x.shape()) + ")");
        Storage s = x.backend().argReduce(max, x.storage(), x.layout(), d);
        int[] keep = x.shape();
        keep[d] = 1;
        Tensor out = Tensor.wrap(s, keep);
        return keepDim ? out : out.squeeze(d);
    }

    /** Variance with the given correction (1: Bessel's, PyTorch's default). */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException("var: expected a floating point tensor, got " + x.dtype());
        boolean[] red = reducedDims("var", x, dims);
        long count = 1;
        for (int d = 0; d < red.length; d++) if (red[d]) count *= x.shape()[d];
        Tensor out;
        try (var ng = dev.nabla.autograd.GradMode.noGrad()) {
            Tensor centered = x.sub(mean(x, dims, true));
            out = sum(centered.mul(centered), dims, keepDim).div((double) Math.max(count - correction, 0));
        }
        int[] keep = keptShape(x.shape(), red, true);
        double n = count - correction;
        // PyTorch's var_backward: 2/(n − correction)·g·(x − mean), and ∞·g when n equals the correction; built from
        // differentiable ops (x itself, not a copy), so var has second derivatives
        return Autograd.record(
                "var",
                out,
                Autograd.saved(x),
                g -> new Tensor[] {
                    n == 0
                            ? g.reshape(keep).mul(Double.POSITIVE_INFINITY).expand(x.shape())
                            : g.reshape(keep).mul(x.sub(mean(x, dims, true))).mul(2.0 / n)
                },
                x);
    }

    /** log(sum(exp(x))) over dims, stable: the max is subtracted first (treated as a constant). */
    public static Tensor logSumExp(Tensor x, int[] dims, boolean keepDim) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException("logSumExp: expected a floating point tensor, got " + x.dtype());
        boolean[] red = reducedDims("logSumExp", x, dims);
        Tensor m = reduceRaw(x.detach(), ReduceOp.MAX, red, x.dtype(), true);
        m = Elementwise.map(m, dev.nabla.backend.UnaryOp.INF_TO_ZERO);
        Tensor r = sum(x.sub(m).exp(), dims, true).log().add(m);
        return keepDim ? r : r.reshape(keptShape(x.shape(), red, false));
    }
}
