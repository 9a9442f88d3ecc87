package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;

/** y = x·Wᵀ + b. Shape: [*, in] → [*, out]. Initialised as PyTorch's Linear. */
public final class Linear extends Module {
    public final int inFeatures, outFeatures;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Generator.global(), DType.FLOAT32);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Generator.global(), DType.FLOAT32);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator g, DType dtype) {
        if (inFeatures <= 0 || outFeatures <= 0) throw new IllegalArgumentException("Linear: features must be positive, got " + inFeatures + "->" + outFeatures);
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
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias() != null ? "True" : "False");
    }
}
