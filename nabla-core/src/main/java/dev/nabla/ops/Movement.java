package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.Tracing;
import dev.nabla.backend.Layout;
import dev.nabla.backend.Storage;
import java.util.Arrays;

/** Views and shape changes: reshape, view, transpose, permute, squeeze, unsqueeze, expand, narrow, slice, select, cat, stack. */
public final class Movement {
    private Movement() {}

    private static Tensor viewOf(Tensor x, int[] shape, int[] strides, int offset) {
        return Tensor.wrap(x.storage(), new Layout(shape, strides, offset));
    }

    /** Resolves one -1 in the requested shape against numel. */
    static int[] inferShape(String op, int[] requested, int numel, int[] from) {
        int[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0)
                    throw new IllegalArgumentException(
                            op + ": only one dimension can be inferred, got " + Shape.str(requested));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(
                        op + ": invalid shape dimension " + s[i] + " in " + Shape.str(requested));
            } else known *= s[i];
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0)
                throw new IllegalArgumentException(op + ": shape " + Shape.str(requested)
                        + " is invalid for input of size " + numel + " (shape " + Shape.str(from) + ")");
            s[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": shape " + Shape.str(requested) + " is invalid for input of size "
                    + numel + " (shape " + Shape.str(from) + ")");
        }
        return s;
    }

    /** A new shape: a view when possible, else a copy. */
    public static Tensor reshape(Tensor x, int[] shape) {
        int[] s = inferShape("reshape", shape, x.numel(), x.shape());
        if (Arrays.equals(s, x.shape())) return x;
        Tensor base = x.isContiguous() ? x : contiguous(x);
        Tensor out = viewOf(base, s, Layout.contiguousStrides(s), base.layout().offset());
        int[] xs = base.shape();
        return Autograd.record("view", out, g -> new Tensor[] {g.reshape(xs)}, base);
    }

    /** A view in a new shape; an error when the layout does not allow one. */
    public static Tensor view(Tensor x, int[] shape) {
        if (!x.isContiguous())
            throw new IllegalArgumentException(
                    "view: size is not compatible with input tensor's size and stride (shape " + Shape.str(x.shape())
                            + ", strides " + Shape.str(x.strides()) + ": not contiguous); use reshape(...) instead");
        return reshape(x, shape);
    }

    /** A view with two dimensions swapped. */
    public static Tensor transpose(Tensor x, int d0, int d1) {
        if (x.rank() < 2 && x.rank() == 0) return x;
        int a = Shape.dim("transpose", d0, x.rank()), b = Shape.dim("transpose", d1, x.rank());
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    /** A view with the dimensions reordered. */
    public static Tensor permute(Tensor x, int[] dims) {
        int r = x.rank();
        if (dims.length != r)
            throw new IllegalArgumentException("permute: number of dims in " + Shape.str(dims)
                    + " doesn't match the tensor's rank " + r + " (shape " + Shape.str(x.shape()) + ")");
        int[] shape = new int[r], strides = new int[r], inverse = new int[r];
        boolean[] seen = new boolean[r];
        int[] xs = x.shape(), st = x.strides();
        for (int i = 0; i < r; i++) {
            int d = Shape.dim("permute", dims[i], r);
            if (seen[d]) throw new IllegalArgumentException("permute: repeated dim " + d + " in " + Shape.str(dims));
            seen[d] = true;
            shape[i] = xs[d];
            strides[i] = st[d];
            inverse[d] = i;
        }
        Tensor out = viewOf(x, shape, strides, x.layout().offset());
        int[] order = new int[r];
        for (int d = 0; d < r; d++) order[inverse[d]] = d;
        return Tracing.note(Autograd.record("permute", out, g -> new Tensor[] {g.permute(inverse)}, x), "perm", order);
    }

    /** The transpose of a matrix (a view). */
    public static Tensor t(Tensor x) {
        if (x.rank() > 2)
            throw new IllegalArgumentException("t: expects a tensor with <= 2 dimensions, but it has " + x.rank()
                    + " (shape " + Shape.str(x.shape()) + "); use transpose or mT()");
        return x.rank() < 2 ? x : transpose(x, 0, 1);
    }

    /** A view with the dimensions in reverse order. */
    public static Tensor reverseDims(Tensor x) {
        int[] p = new int[x.rank()];
        for (int i = 0; i < p.length; i++) p[i] = p.length - 1 - i;
        return permute(x, p);
    }

    /** A view without size-1 dimensions (or only dim). */
    public static Tensor squeeze(Tensor x, Integer dim) {
        int[] xs = x.shape(), st = x.strides();
        int target = dim == null ? -1 : Shape.dim("squeeze", dim, x.rank());
        int n = 0;
        for (int i = 0; i < xs.length; i++) if (!(xs[i] == 1 && (dim == null || i == target))) n++;
        if (n == xs.length) return x;
        int[] shape = new int[n], strides = new int[n];
        int j = 0;
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] == 1 && (dim == null || i == target)) continue;
            shape[j] = xs[i];
            strides[j++] = st[i];
        }
        Tensor out = viewOf(x, shape, strides, x.layout().offset());
        return Autograd.record("squeeze", out, g -> new Tensor[] {g.reshape(xs)}, x);
    }

    /** A view with a new size-1 dimension. */
    public static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.rank();
        if (dim < -r - 1 || dim > r)
            throw new IndexOutOfBoundsException("unsqueeze: dimension " + dim + " out of range (expected in ["
                    + (-r - 1) + ", " + r + "]) for shape " + Shape.str(x.shape()));
        int d = dim < 0 ? dim + r + 1 : dim;
        int[] xs = x.shape(), st = x.strides();
        int[] shape = new int[r + 1], strides = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = j < r ? st[j] * xs[j] : 1;
            } else {
                shape[i] = xs[j];
                strides[i] = st[j++];
            }
        }
        Tensor out = viewOf(x, shape, strides, x.layout().offset());
        return Autograd.record("unsqueeze", out, g -> new Tensor[] {g.reshape(xs)}, x);
    }

    /** A broadcast view: size-1 dims (and new leading dims) repeat with stride 0; -1 keeps a size. */
    public static Tensor expand(Tensor x, int[] shape) {
        int[] xs = x.shape();
        if (shape.length < xs.length)
            throw new IllegalArgumentException("expand: the number of sizes provided (" + shape.length
                    + ") must be greater or equal to the number of dimensions in the tensor (" + xs.length
                    + "); target " + Shape.str(shape) + ", tensor " + Shape.str(xs));
        int lead = shape.length - xs.length;
        int[] target = shape.clone();
        for (int i = 0; i < shape.length; i++) {
            if (i < lead) {
                if (shape[i] < 0)
                    throw new IllegalArgumentException("expand: the expanded size " + shape[i]
                            + " is not allowed in a leading, non-existing dimension " + i);
                continue;
            }
            int have = xs[i - lead];
            if (shape[i] == -1) target[i] = have;
            else if (have != 1 && have != shape[i])
                throw new IllegalArgumentException("expand: the expanded size of the tensor (" + shape[i]
                        + ") must match the existing size (" + have + ") at non-singleton dimension " + i
                        + ". Target sizes: " + Shape.str(shape) + ". Tensor sizes: " + Shape.str(xs));
        }
        if (Arrays.equals(target, xs)) return x;
        Layout l = x.layout().broadcastTo(target);
        Tensor out = Tensor.wrap(x.storage(), l);
        return Autograd.record("expand", out, g -> new Tensor[] {g}, x); // the engine sums g back to x's shape
    }

    /** Dimensions start..end merged. */
    public static Tensor flatten(Tensor x, int start, int end) {
        if (x.rank() == 0) return x.reshape(1);
        int s = Shape.dim("flatten", start, x.rank()), e = Shape.dim("flatten", end, x.rank());
        return Tracing.composite(
                "flatten", new Tensor[] {x}, new Object[] {"start", s, "end", e}, () -> flattenDims(x, s, e));
    }

    private static Tensor flattenDims(Tensor x, int s, int e) {
        if (s > e) throw new IllegalArgumentException("flatten: start_dim " + s + " cannot come after end_dim " + e);
        int[] xs = x.shape();
        int[] shape = new int[xs.length - (e - s)];
        int j = 0, prod = 1;
        for (int i = 0; i < xs.length; i++) {
            if (i < s || i > e) shape[j++] = xs[i];
            else {
                prod *= xs[i];
                if (i == e) shape[j++] = prod;
            }
        }
        return reshape(x, shape);
    }

    /** A view of length indices from start along dim. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.dim("narrow", dim, x.rank());
        int size = x.shape()[d];
        int st = start < 0 ? start + size : start;
        if (st < 0 || length < 0 || st + length > size)
            throw new IndexOutOfBoundsException("narrow: start (" + start + ") + length (" + length
                    + ") exceeds dimension " + d + " of size " + size + " (shape " + Shape.str(x.shape()) + ")");
        return sliceView(x, d, st, length, 1);
    }

    /** Python slicing x[start:end:step] along dim, bounds clipped as Python clips them. */
    public static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int d = Shape.dim("slice", dim, x.rank());
        int size = x.shape()[d];
        int s = start < 0 ? Math.max(start + size, 0) : Math.min(start, size);
        int e = end < 0 ? Math.max(end + size, 0) : Math.min(end, size);
        int len = e > s ? (e - s + step - 1) / step : 0;
        return sliceView(x, d, s, len, step);
    }

    private static Tensor sliceView(Tensor x, int d, int start, int length, int step) {
        int[] shape = x.shape(), strides = x.strides();
        int offset = x.layout().offset() + start * strides[d];
        int[] xs = x.shape();
        shape[d] = length;
        strides[d] *= step;
        Tensor out = viewOf(x, shape, strides, offset);
        return Tracing.note(
                Autograd.record("slice", out, g -> new Tensor[] {embed(g, xs, d, start, step)}, x),
                "dim",
                d,
                "start",
                start,
                "end",
                start + (length - 1) * step + 1,
                "step",
                step);
    }

    /** The adjoint of slicing: a zero tensor of shape xs with g written at start, start+step, ... along d. */
    static Tensor embed(Tensor g, int[] xs, int d, int start, int step) {
        Tensor out = Tensor.zeros(g.dtype(), xs);
        Tensor region = Movement.sliceViewRaw(out, d, start, g.shape()[d], step);
        out.backend().assign(out.storage(), region.layout(), g.storage(), g.layout());
        return Autograd.record(
                "slice_backward",
                out,
                gg -> new Tensor[] {gg.slice(d, start, start + (g.shape()[d] - 1) * step + 1, step)},
                g);
    }

    private static Tensor sliceViewRaw(Tensor x, int d, int start, int length, int step) {
        int[] shape = x.shape(), strides = x.strides();
        int offset = x.layout().offset() + start * strides[d];
        shape[d] = length;
        strides[d] *= step;
        return viewOf(x, shape, strides, offset);
    }

    /** A view of one index along dim, which is removed. */
    public static Tensor select(Tensor x, int dim, int index) {
        if (x.rank() == 0) throw new IllegalArgumentException("select: cannot be applied to a 0-dim tensor");
        int d = Shape.dim("select", dim, x.rank());
        int size = x.shape()[d];
        if (index < -size || index >= size)
            throw new IndexOutOfBoundsException(
                    "select: index " + index + " out of range for dimension " + d + " with size " + size);
        return narrow(x, d, index < 0 ? index + size : index, 1).squeeze(d);
    }

    /** Tensors joined along dim. */
    public static Tensor cat(Tensor[] ts, int dim) {
        if (ts.length == 0) throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        int[] first = ts[0].shape();
        if (first.length == 0)
            throw new IllegalArgumentException("cat: zero-dimensional tensor (at position 0) cannot be concatenated");
        int d = Shape.dim("cat", dim, first.length);
        DType dt = ts[0].dtype();
        int total = 0;
        for (int i = 0; i < ts.length; i++) {
            int[] s = ts[i].shape();
            if (s.length != first.length)
                throw new IllegalArgumentException("cat: tensors must have the same number of dimensions: got "
                        + first.length + " (position 0) and " + s.length + " (position " + i + ")");
            for (int k = 0; k < s.length; k++)
                if (k != d && s[k] != first[k])
                    throw new IllegalArgumentException("cat: sizes of tensors must match except in dimension " + d
                            + ": expected size " + first[k] + " but got size " + s[k] + " for tensor number " + i
                            + " in the list (shapes " + Shape.str(first) + " and " + Shape.str(s) + ")");
            total += s[d];
            dt = DType.promote(dt, ts[i].dtype());
        }
        int[] shape = first.clone();
        shape[d] = total;
        Tensor out = Tensor.wrap(out(dt, shape), shape);
        int[] starts = new int[ts.length];
        int at = 0;
        for (int i = 0; i < ts.length; i++) {
            starts[i] = at;
            int len = ts[i].shape()[d];
            Tensor region = sliceViewRaw(out, d, at, len, 1);
            out.backend().assign(out.storage(), region.layout(), ts[i].storage(), ts[i].layout());
            at += len;
        }
        return Tracing.note(
                Autograd.record(
                        "cat",
                        out,
                        g -> {
                            Tensor[] gs = new Tensor[ts.length];
                            for (int i = 0; i < ts.length; i++)
                                gs[i] = ts[i].requiresGrad() ? g.narrow(d, starts[i], ts[i].shape()[d]) : null;
                            return gs;
                        },
                        ts),
                "dim",
                d);
    }

    private static Storage out(DType dt, int[] shape) {
        return Storage.allocate(dt, Shape.numel(shape));
    }

    /** Tensors of one shape joined along a new dimension. */
    public static Tensor stack(Tensor[] ts, int dim) {
        if (ts.length == 0) throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        int[] first = ts[0].shape();
        for (int i = 1; i < ts.length; i++)
            if (!Arrays.equals(first, ts[i].shape()))
                throw new IllegalArgumentException("stack: expects each tensor to be equal size, but got "
                        + Shape.str(first) + " at entry 0 and " + Shape.str(ts[i].shape()) + " at entry " + i);
        int r = first.length;
        if (dim < -r - 1 || dim > r)
            throw new IndexOutOfBoundsException("stack: dimension " + dim + " out of range for tensors of rank " + r);
        int d = dim < 0 ? dim + r + 1 : dim;
        Tensor[] us = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) us[i] = ts[i].unsqueeze(d);
        return cat(us, d);
    }

    /** x itself when contiguous, else a contiguous copy. */
    public static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) return x;
        return cloneTensor(x);
    }

    /** A contiguous copy (differentiable). */
    public static Tensor cloneTensor(Tensor x) {
        Tensor out = Tensor.wrap(x.backend().copy(x.storage(), x.layout(), x.dtype()), x.shape());
        return Autograd.record("clone", out, g -> new Tensor[] {g}, x);
    }
}
