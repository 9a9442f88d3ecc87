package dev.nabla.models;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.Init;
import dev.nabla.nn.LayerNorm;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.ModuleList;
import dev.nabla.nn.TransformerEncoderLayer;

/**
 * A small GPT for characters: token and position embeddings, pre-norm transformer blocks with causal self-attention
 * and a GELU feed-forward ({@link TransformerEncoderLayer} with normFirst), a final LayerNorm and a linear head.
 * Shape: int64 ids [N, T] (T ≤ context) → logits [N, T, vocab]. Parameter names as the PyTorch twin in
 * tools/torch-golden/gen_charlm.py: tok.weight, pos.weight, blocks.0.self_attn.in_proj_weight, ..., norm.weight, head.weight.
 */
public final class CharGPT extends Module {
    /** The sizes of a model. */
    public record Config(int vocab, int context, int dModel, int heads, int layers, int feedForward, double dropout) {}

    private final Config config;
    private final Embedding tok, pos;
    private final ModuleList<TransformerEncoderLayer> blocks;
    private final LayerNorm norm;
    private final Linear head;

    /** A model of these sizes, its weights drawn from g (embeddings and linear layers N(0, 0.02), as GPT-2). */
    public CharGPT(Config c, Generator g, DType dtype) {
        this.config = c;
        tok = child("tok", new Embedding(c.vocab(), c.dModel(), null, g, dtype));
        pos = child("pos", new Embedding(c.context(), c.dModel(), null, g, dtype));
        blocks = child("blocks", new ModuleList<>());
        for (int i = 0; i < c.layers(); i++)
            blocks.add(new TransformerEncoderLayer(
                    c.dModel(), c.heads(), c.feedForward(), c.dropout(), true, 1e-5, true, true, g, dtype));
        norm = child("norm", new LayerNorm(new int[] {c.dModel()}, 1e-5, true, true, dtype));
        head = child("head", new Linear(c.dModel(), c.vocab(), true, g, dtype));
        try (var ng = GradMode.noGrad()) {
            for (var e : namedParameters().entrySet()) {
                String k = e.getKey();
                if (k.endsWith("bias")) e.getValue().fill_(0.0);
                else if (!k.contains("norm")) Init.normal_(e.getValue(), 0, 0.02, g);
            }
        }
    }

    /** The sizes. */
    public Config config() {
        return config;
    }

    @Override
    public Tensor forward(Tensor ids) {
        int t = ids.size(-1);
        expectInput(ids, "[N, T ≤ " + config.context() + "] int64", ids.rank() == 2 && t <= config.context());
        Tensor positions = Tensor.arange(t);
        Tensor x = tok.call(ids).add(pos.call(positions));
        for (TransformerEncoderLayer b : blocks) x = b.forward(x, null, null, true);
        return head.call(norm.call(x));
    }

    /**
     * Continues prompt ids by n characters, each drawn from softmax(logits / temperature) of the last position (the
     * context cropped to the model's), with g.
     */
    public long[] generate(long[] prompt, int n, double temperature, Generator g) {
        return CharSampling.generate(this, prompt, n, config.context(), temperature, g);
    }
}
