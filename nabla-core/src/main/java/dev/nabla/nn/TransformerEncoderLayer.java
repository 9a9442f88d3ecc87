package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;

/**
 * PyTorch's {@code nn.TransformerEncoderLayer}: self-attention and a feed-forward block (linear1, activation,
 * linear2), each with dropout and a residual connection, and LayerNorm after each (post-norm, PyTorch's default) or
 * before each (normFirst, pre-norm). Parameter names are PyTorch's ({@code self_attn.in_proj_weight},
 * {@code linear1.weight}, {@code norm1.weight}, ...). Shape: [N, L, dModel] with batchFirst, else [L, N, dModel].
 */
public final class TransformerEncoderLayer extends Module {
    private final MultiheadAttention selfAttn;
    private final Linear linear1, linear2;
    private final LayerNorm norm1, norm2;
    private final Dropout dropout, dropout1, dropout2;
    private final boolean normFirst, gelu;

    /** dimFeedforward 2048, dropout 0.1, ReLU, eps 1e-5, batch first, post-norm. */
    public TransformerEncoderLayer(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, false, 1e-5, true, false, Generator.global(), DType.FLOAT32);
    }

    /** The full form: gelu selects GELU instead of ReLU. */
    public TransformerEncoderLayer(
            int dModel,
            int nhead,
            int dimFeedforward,
            double dropout,
            boolean gelu,
            double layerNormEps,
            boolean batchFirst,
            boolean normFirst,
            Generator g,
            DType dtype) {
        this.selfAttn = child("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, g, dtype));
        this.linear1 = child("linear1", new Linear(dModel, dimFeedforward, true, g, dtype));
        this.dropout = child("dropout", new Dropout(dropout, g));
        this.linear2 = child("linear2", new Linear(dimFeedforward, dModel, true, g, dtype));
        this.norm1 = child("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true, true, dtype));
        this.norm2 = child("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true, true, dtype));
        this.dropout1 = child("dropout1", new Dropout(dropout, g));
        this.dropout2 = child("dropout2", new Dropout(dropout, g));
        this.normFirst = normFirst;
        this.gelu = gelu;
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /** With an attention mask ([L, S], PyTorch's convention), a key padding mask ([N, S]) and the causal flag. */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.call(x), srcMask, srcKeyPaddingMask, isCausal));
            return x.add(feedForward(norm2.call(x)));
        }
        x = norm1.call(x.add(selfAttention(x, srcMask, srcKeyPaddingMask, isCausal)));
        return norm2.call(x.add(feedForward(x)));
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor padding, boolean causal) {
        return dropout1.call(
                selfAttn.forward(x, x, x, padding, mask, causal, false).output());
    }

    private Tensor feedForward(Tensor x) {
        Tensor h = linear1.call(x);
        h = gelu ? h.gelu() : h.relu();
        return dropout2.call(linear2.call(dropout.call(h)));
    }
}
