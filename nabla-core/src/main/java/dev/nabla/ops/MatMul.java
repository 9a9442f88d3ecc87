package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.Tracing;
import dev.nabla.backend.Layout;
import dev.nabla.backend.Storage;

/** matmul with PyTorch's rules: vector·vector, matrix·vector, vector·matrix, and batched with broadcast batch dims. */
public final class MatMul {
    private MatMul() {}

    /** Matrix product with PyTorch's rules for vectors, matrices and broadcast batches. */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0)
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got "
                    + Shape.str(a.shape()) + " @ " + Shape.str(b.shape()));
        if (a.dtype() != b.dtype())
            throw new IllegalArgumentException(
                    "matmul: expected both operands to have the same dtype, got " + a.dtype() + " @ " + b.dtype());
        if (a.dtype() == DType.BOOL) throw new IllegalArgumentException("matmul: bool tensors are not supported");
        return Tracing.composite("matmul", new Tensor[] {a, b}, new Object[0], () -> product(a, b));
    }

    private static Tensor product(Tensor a, Tensor b) {
        boolean vecA = a.rank() == 1, vecB = b.rank() == 1;
        Tensor a2 = vecA ? a.unsqueeze(0) : a;
        Tensor b2 = vecB ? b.unsqueeze(1) : b;
        Tensor r = batched(a2, b2, a.shape(), b.shape());
        if (vecA) r = r.squeeze(-2);
        if (vecB) r = r.squeeze(-1);
        return r;
    }

    /** [..., M, K] @ [..., K, N] with broadcast batch dims. */
    private static Tensor batched(Tensor a, Tensor b, int[] origA, int[] origB) {
        int[] as = a.shape(), bs = b.shape();
        int m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != k2)
            throw new IllegalArgumentException("matmul: " + Shape.str(origA) + " @ " + Shape.str(origB)
                    + ": inner dimensions " + k + " and " + k2 + " differ");
        int[] batchA = java.util.Arrays.copyOf(as, as.length - 2), batchB = java.util.Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Shape.broadcast(
                "matmul (batch dims of " + Shape.str(origA) + " and " + Shape.str(origB) + ")", batchA, batchB);
        int nb = Shape.numel(batch);
        Layout la = to3d(a, batch, m, k), lb = to3d(b, batch, k, n);
        Tensor ac = la == null ? a.expand(concat(batch, m, k)).contiguous() : a;
        Tensor bc = lb == null ? b.expand(concat(batch, k, n)).contiguous() : b;
        if (la == null)
            la = new Layout(
                    new int[] {nb, m, k}, new int[] {m * k, k, 1}, ac.layout().offset());
        if (lb == null)
            lb = new Layout(
                    new int[] {nb, k, n}, new int[] {k * n, n, 1}, bc.layout().offset());
        Storage s = a.backend().matmul(ac.storage(), la, bc.storage(), lb);
        Tensor out = Tensor.wrap(s, concat(batch, m, n));
        // a gradient is computed in its operand's memory order: for x @ W.t() (Linear) the weight's gradient then
        // comes out as a transposed view of a contiguous [out, in] matrix, and needs no strided copy when accumulated
        return Autograd.record(
                "mm",
                out,
                Autograd.saved(a, b),
                g -> new Tensor[] {
                    a.requiresGrad()
                            ? (transposed(a) && b.rank() == 2 ? b.matmul(g.mT()).mT() : g.matmul(b.mT()))
                            : null,
                    b.requiresGrad()
                            ? (transposed(b) && a.rank() == 2 ? g.mT().matmul(a).mT() : a.mT().matmul(g))
                            : null
                },
                a,
                b);
    }

    /** A 2-d view whose columns are contiguous (the transpose of a row-major matrix). */
    private static boolean transposed(Tensor t) {
        return t.rank() == 2 && t.size(0) > 1 && t.size(1) > 1 && t.strides()[0] == 1 && t.strides()[1] == t.size(0);
    }

    /** A 3-d layout [B, R, C] over t's own storage when its batch dims flatten without a copy, else null. */
    private static Layout to3d(Tensor t, int[] batch, int r, int c) {
        int[] sh = t.shape(), st = t.strides();
        int rank = sh.length;
        int lead = batch.length - (rank - 2);
        int nb = Shape.numel(batch);
        if (nb == 1)
            return new Layout(
                    new int[] {1, r, c},
                    new int[] {0, st[rank - 2], st[rank - 1]},
                    t.layout().offset());
        if (lead == 0 && rank == 3)
            return new Layout(
                    new int[] {nb, r, c},
                    new int[] {sh[0] == 1 ? 0 : st[0], st[1], st[2]},
                    t.layout().offset());
        if (rank == 2)
            return new Layout(
                    new int[] {nb, r, c},
                    new int[] {0, st[0], st[1]},
                    t.layout().offset());
        return null;
    }

    private static int[] concat(int[] batch, int x, int y) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = x;
        s[batch.length + 1] = y;
        return s;
    }
}
