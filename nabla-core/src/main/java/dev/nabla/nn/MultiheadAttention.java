package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Shape;
import dev.nabla.Tensor;

/**
 * Multi-head attention with PyTorch's parameters and layout ({@code nn.MultiheadAttention}): {@code in_proj_weight}
 * [3E, E] (query, key and value projections stacked), {@code in_proj_bias} [3E], {@code out_proj} (Linear E → E), so
 * state dicts cross over. Inputs are [N, L, E] with batchFirst, else [L, N, E].
 *
 * <p>Masks follow PyTorch's MultiheadAttention: a bool attnMask ([L, S] or [N·heads, L, S]) or keyPaddingMask ([N, S])
 * is <em>true where attending is not allowed</em>; a float mask is added to the scores.
 */
public final class MultiheadAttention extends Module {
    /** Embedding size and number of heads. */
    public final int embedDim, numHeads;

    private final boolean batchFirst;
    private final double dropout;
    private final Generator generator;

    /** What {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)} returns. */
    public record Output(Tensor output, Tensor weights) {}

    /** Bias, no dropout, batch first. */
    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0.0, true, true, Generator.global(), DType.FLOAT32);
    }

    /** The full form; weights drawn from g (xavier-uniform projections, zero biases, as PyTorch). */
    public MultiheadAttention(
            int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst, Generator g, DType dtype) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
            throw new IllegalArgumentException(
                    "MultiheadAttention: embed_dim " + embedDim + " must be divisible by num_heads " + numHeads);
        if (dropout < 0 || dropout > 1)
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1], got " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.generator = g;
        Init.xavierUniform_(param("in_proj_weight", Tensor.zeros(dtype, 3 * embedDim, embedDim)), 1.0, g);
        if (bias) param("in_proj_bias", Tensor.zeros(dtype, 3 * embedDim));
        Linear out = child("out_proj", new Linear(embedDim, embedDim, bias, g, dtype));
        if (bias)
            try (var ng = dev.nabla.autograd.GradMode.noGrad()) {
                out.bias().fill_(0.0);
            }
    }

    /** Self-attention of x (query = key = value), no masks; the output only. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false, false).output();
    }

    /**
     * Attention of query over key and value. keyPaddingMask [N, S] and attnMask ([L, S] or [N·heads, L, S]) may be
     * null; isCausal adds the causal mask (query i sees keys 0..i). With needWeights the attention weights averaged
     * over the heads ([N, L, S]) come back too, else null.
     */
    public Output forward(
            Tensor query,
            Tensor key,
            Tensor value,
            Tensor keyPaddingMask,
            Tensor attnMask,
            boolean isCausal,
            boolean needWeights) {
        int e = embedDim, h = numHeads, dh = e / h;
        for (Tensor t : new Tensor[] {query, key, value})
            expectInput(t, batchFirst ? "[N, L, " + e + "]" : "[L, N, " + e + "]", t.rank() == 3 && t.size(2) == e);
        Tensor q = batchFirst ? query : query.transpose(0, 1);
        Tensor k = batchFirst ? key : key.transpose(0, 1);
        Tensor v = batchFirst ? value : value.transpose(0, 1);
        int n = q.size(0), l = q.size(1), s = k.size(1);
        if (k.size(0) != n || v.size(0) != n || v.size(1) != s)
            throw new IllegalArgumentException(where() + ": query, key and value batch or length differ: "
                    + Shape.str(query.shape()) + ", " + Shape.str(key.shape()) + ", " + Shape.str(value.shape()));
        Tensor w = parameter("in_proj_weight"), b = parameter("in_proj_bias");
        Tensor qp = project(q, w, b, 0), kp = project(k, w, b, 1), vp = project(v, w, b, 2);
        // [N, len, E] → [N, heads, len, dh]
        qp = qp.reshape(n, l, h, dh).transpose(1, 2);
        kp = kp.reshape(n, s, h, dh).transpose(1, 2);
        vp = vp.reshape(n, s, h, dh).transpose(1, 2);
        if (!needWeights && attnMask == null && keyPaddingMask == null) { // the fused kernel where it can run
            Tensor o = F.scaledDotProductAttention(
                    qp, kp, vp, null, isTraining() ? dropout : 0, isCausal, 1.0 / Math.sqrt(dh), generator);
            Tensor merged =
                    ((Linear) children().get("out_proj")).call(o.transpose(1, 2).reshape(n, l, e));
            return new Output(batchFirst ? merged : merged.transpose(0, 1), null);
        }
        Tensor scores = qp.matmul(kp.transpose(-2, -1)).mul(1.0 / Math.sqrt(dh)); // [N, h, L, S]
        if (isCausal) scores = scores.add(F.causalMask(l, s, scores.dtype()));
        if (attnMask != null) {
            Tensor m = additive(attnMask, scores.dtype());
            if (m.rank() == 3) {
                if (m.size(0) != n * h)
                    throw new IllegalArgumentException(where() + ": a 3-D attn_mask must be [N·num_heads, L, S] = ["
                            + n * h + ", " + l + ", " + s + "], got " + Shape.str(attnMask.shape()));
                m = m.reshape(n, h, l, s);
            }
            scores = scores.add(m);
        }
        if (keyPaddingMask != null) {
            if (keyPaddingMask.rank() != 2 || keyPaddingMask.size(0) != n || keyPaddingMask.size(1) != s)
                throw new IllegalArgumentException(where() + ": key_padding_mask must be [N, S] = [" + n + ", " + s
                        + "], got " + Shape.str(keyPaddingMask.shape()));
            scores = scores.add(additive(keyPaddingMask, scores.dtype()).reshape(n, 1, 1, s));
        }
        Tensor weights = scores.softmax(-1);
        Tensor dropped = dropout > 0 && isTraining() ? F.dropout(weights, dropout, true, generator) : weights;
        Tensor out = dropped.matmul(vp).transpose(1, 2).reshape(n, l, e); // [N, L, E]
        out = ((Linear) children().get("out_proj")).call(out);
        if (!batchFirst) out = out.transpose(0, 1);
        return new Output(out, needWeights ? weights.mean(new int[] {1}, false) : null);
    }

    /** rows [part·E, (part+1)·E) of the stacked projection applied to x. */
    private Tensor project(Tensor x, Tensor w, Tensor b, int part) {
        return F.linear(
                x, w.narrow(0, part * embedDim, embedDim), b == null ? null : b.narrow(0, part * embedDim, embedDim));
    }

    /** A bool mask (true: not allowed) as 0 / −∞, or a float mask as it is. */
    private static Tensor additive(Tensor mask, DType dtype) {
        if (mask.dtype() != DType.BOOL) return mask.to(dtype);
        return Tensor.where(mask, Tensor.scalar(Double.NEGATIVE_INFINITY, dtype), Tensor.zeros(dtype));
    }

    @Override
    public String describe() {
        return "MultiheadAttention " + embedDim + "/" + numHeads;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", batch_first=" + batchFirst;
    }
}
