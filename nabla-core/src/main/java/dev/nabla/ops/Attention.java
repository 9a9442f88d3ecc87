package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.backend.AttentionShape;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Storage;

/**
 * Scaled dot-product attention as one fused op (float32): softmax(q·kᵀ·scale, causal) (· dropout mask) · v without
 * materialising the scores, the weights or a causal mask, forward and backward ({@code AttentionKernels}). The
 * general form, with attention masks and any dtype, is {@code F.scaledDotProductAttention}'s composition of ops,
 * which calls this one when it can.
 */
public final class Attention {
    private Attention() {}

    /** Whether {@link #fused} takes these operands: float32, same leading dims, ranks ≥ 2. */
    public static boolean fusable(Tensor q, Tensor k, Tensor v) {
        if (q.dtype() != DType.FLOAT32 || k.dtype() != DType.FLOAT32 || v.dtype() != DType.FLOAT32) return false;
        if (q.rank() < 2 || q.rank() != k.rank() || q.rank() != v.rank()) return false;
        for (int d = 0; d < q.rank() - 2; d++) if (q.size(d) != k.size(d) || q.size(d) != v.size(d)) return false;
        return q.size(-1) == k.size(-1) && k.size(-2) == v.size(-2);
    }

    /**
     * q [*, L, E], k [*, S, E], v [*, S, Ev] → [*, L, Ev]; dropMask [*, L, S] (the dropout mask scaled by 1/(1 − p))
     * or null. Differentiable once in q, k and v.
     */
    public static Tensor fused(Tensor q, Tensor k, Tensor v, Tensor dropMask, boolean causal, double scale) {
        if (!fusable(q, k, v))
            throw new IllegalArgumentException("attention: the fused kernel takes float32 q [*, L, E], k [*, S, E],"
                    + " v [*, S, Ev] with the same leading dims, got " + Shape.str(q.shape()) + ", "
                    + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
        int l = q.size(-2), s = k.size(-2), e = q.size(-1), ev = v.size(-1);
        int prod = 1;
        for (int d = 0; d < q.rank() - 2; d++) prod *= q.size(d);
        AttentionShape a = new AttentionShape(prod, l, s, e, ev, scale, causal);
        // row-major data from offset 0: contiguous() orders a transposed view, Convolution.data copies a
        // contiguous view that starts past the beginning of a larger storage (a narrow, a select)
        Storage qs = Convolution.data(q.contiguous()),
                ks = Convolution.data(k.contiguous()),
                vs = Convolution.data(v.contiguous());
        Storage ms = dropMask == null
                ? null
                : Convolution.data(dropMask.to(DType.FLOAT32).contiguous());
        Backend.Attention r = q.backend().attention(qs, ks, vs, ms, a);
        int[] outShape = q.shape();
        outShape[outShape.length - 1] = ev;
        Tensor out = Tensor.wrap(r.out(), outShape);
        Storage lse = r.lse();
        return Autograd.record(
                "scaled_dot_product_attention",
                out,
                Autograd.saved(q, k, v),
                g -> {
                    Storage[] grads = q.backend()
                            .attentionBackward(
                                    qs,
                                    ks,
                                    vs,
                                    ms,
                                    Convolution.data(out.detach().contiguous()),
                                    lse,
                                    Convolution.data(g.to(DType.FLOAT32).contiguous()),
                                    a);
                    return new Tensor[] {
                        Autograd.onceDifferentiable(
                                "scaled_dot_product_attention", Tensor.wrap(grads[0], q.shape()), q, k, v),
                        Autograd.onceDifferentiable(
                                "scaled_dot_product_attention", Tensor.wrap(grads[1], k.shape()), q, k, v),
                        Autograd.onceDifferentiable(
                                "scaled_dot_product_attention", Tensor.wrap(grads[2], v.shape()), q, k, v)
                    };
                },
                q,
                k,
                v);
    }
}
