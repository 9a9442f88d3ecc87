package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.backend.Layout;
import dev.nabla.backend.Storage;

/** Indexing with int64 tensors: index (x[idx]), indexSelect, gather; their backwards scatter-add. */
public final class Indexing {
    private Indexing() {}

    private static long[] checkedIndex(String op, Tensor index, int size, int dim) {
        if (index.dtype() != DType.INT64)
            throw new IllegalArgumentException(op + ": index must be an int64 tensor, got " + index.dtype());
        long[] idx = index.toLongArray();
        for (int i = 0; i < idx.length; i++) {
            long v = idx[i] < 0 ? idx[i] + size : idx[i];
            if (v < 0 || v >= size)
                throw new IndexOutOfBoundsException(
                        op + ": index " + idx[i] + " is out of bounds for dimension " + dim + " with size " + size);
            idx[i] = v;
        }
        return idx;
    }

    /** The slices of x at the int64 indices along dim. */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (index.rank() > 1)
            throw new IllegalArgumentException(
                    "indexSelect: index must be 0-d or 1-d, got shape " + Shape.str(index.shape()));
        if (x.rank() == 0) throw new IllegalArgumentException("indexSelect: cannot index a 0-d tensor");
        int d = Shape.dim("indexSelect", dim, x.rank());
        long[] idx = checkedIndex("indexSelect", index, x.shape()[d], d);
        Storage s = x.backend().indexSelect(x.storage(), x.layout(), d, idx);
        int[] shape = x.shape();
        shape[d] = idx.length;
        Tensor out = Tensor.wrap(s, shape);
        int[] xs = x.shape();
        return Autograd.record(
                "index_select",
                out,
                g -> {
                    Tensor gx = Tensor.zeros(g.dtype(), xs);
                    g.backend().indexAdd(gx.storage(), xs, d, idx, g.storage(), g.layout());
                    return new Tensor[] {gx};
                },
                x);
    }

    /** x[index] along dim 0, for an index of any shape: the result has shape index.shape ++ x.shape[1:]. */
    public static Tensor index(Tensor x, Tensor index) {
        if (x.rank() == 0) throw new IllegalArgumentException("index: cannot index a 0-d tensor");
        Tensor flat = indexSelect(x, 0, index.reshape(-1));
        int[] xs = x.shape(), is = index.shape();
        int[] shape = new int[is.length + xs.length - 1];
        System.arraycopy(is, 0, shape, 0, is.length);
        System.arraycopy(xs, 1, shape, is.length, xs.length - 1);
        return flat.reshape(shape);
    }

    /** Values of x at index along dim (PyTorch's gather). */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        if (index.dtype() != DType.INT64)
            throw new IllegalArgumentException("gather: index must be an int64 tensor, got " + index.dtype());
        if (index.rank() != x.rank())
            throw new IllegalArgumentException("gather: index tensor must have the same number of dimensions as input: "
                    + Shape.str(index.shape()) + " vs " + Shape.str(x.shape()));
        int d = Shape.dim("gather", dim, x.rank());
        int[] xs = x.shape(), is = index.shape();
        for (int k = 0; k < xs.length; k++)
            if (k != d && is[k] > xs[k])
                throw new IllegalArgumentException("gather: size of index " + Shape.str(is) + " does not fit input "
                        + Shape.str(xs) + " in dimension " + k);
        Storage s = x.backend().gather(x.storage(), x.layout(), d, index.storage(), index.layout());
        Tensor out = Tensor.wrap(s, is);
        Layout il = index.layout();
        return Autograd.record(
                "gather",
                out,
                g -> {
                    Tensor gx = Tensor.zeros(g.dtype(), xs);
                    g.backend().scatterAdd(gx.storage(), xs, d, index.storage(), il, g.storage(), g.layout());
                    return new Tensor[] {gx};
                },
                x);
    }
}
