package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;

/**
 * A lookup table of numEmbeddings vectors of size embeddingDim (PyTorch's {@code nn.Embedding}): weight drawn from
 * N(0, 1), the paddingIdx row (if any) zero and without gradient. Shape: [*] int64 indices → [*, embeddingDim].
 */
public final class Embedding extends Module {
    /** Table size and vector size. */
    public final int numEmbeddings, embeddingDim;

    private final Integer paddingIdx;

    /** A table without a padding index. */
    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null, Generator.global(), DType.FLOAT32);
    }

    /** The full form: paddingIdx may be null or negative (counted from the end, as in PyTorch). */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Generator g, DType dtype) {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new IllegalArgumentException(
                    "Embedding: sizes must be positive, got " + numEmbeddings + " x " + embeddingDim);
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings))
            throw new IllegalArgumentException(
                    "Embedding: padding_idx " + paddingIdx + " must be within num_embeddings " + numEmbeddings);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        Tensor w = param("weight", Tensor.zeros(dtype, numEmbeddings, embeddingDim));
        Init.normal_(w, 0, 1, g);
        if (this.paddingIdx != null)
            try (var ng = GradMode.noGrad()) {
                w.select(0, this.paddingIdx).fill_(0.0);
            }
    }

    @Override
    public Tensor forward(Tensor indices) {
        return F.embedding(indices, parameter("weight"), paddingIdx);
    }

    /** [numEmbeddings, embeddingDim]. */
    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    public String describe() {
        return "Embedding " + numEmbeddings + "x" + embeddingDim;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
    }
}
