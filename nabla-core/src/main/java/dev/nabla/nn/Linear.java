package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;

/** y = x·Wᵀ + b. Shape: [*, in] → [*, out]. Initialised as PyTorch's Linear. */
public final class Linear extends Module {
    /** Input and output features. */
    public final int inFeatures, outFeatures;

    /** y = x·Wᵀ + b with PyTorch's initialisation. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Generator.global(), DType.FLOAT32);
    }

    /** y = x·Wᵀ (+ b when bias). */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Generator.global(), DType.FLOAT32);
    }

    /** The full form: initial weights drawn from g in dtype. */
    public Linear(int inFeatures, int outFeatures, boolean bias, Generator g, DType dtype) {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new IllegalArgumentException(
                    "Linear: features must be positive, got " + inFeatures + "->" + outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Tensor w = param("weight", Tensor.zeros(dtype, outFeatures, inFeatures));
        Tensor b = bias ? param("bias", Tensor.zeros(dtype, outFeatures)) : null;
        Init.torchDefault(w, b, g);
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, "[*, " + inFeatures + "]", x.rank() >= 1 && x.size(-1) == inFeatures);
        return F.linear(x, weight(), bias());
    }

    /** [out, in]. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** [out], or null without bias. */
    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public String describe() {
        return "Linear " + inFeatures + "->" + outFeatures;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias="
                + (bias() != null ? "True" : "False");
    }
}
