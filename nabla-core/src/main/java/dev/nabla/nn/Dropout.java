package dev.nabla.nn;

import dev.nabla.Generator;
import dev.nabla.Tensor;

/** Inverted dropout, active only in training mode, from a seeded generator. Shape: any → same. */
public final class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** Zeroes elements with probability p in training (global generator). */
    public Dropout(double p) {
        this(p, Generator.global());
    }

    /** Zeroes elements with probability p in training, drawing from generator. */
    public Dropout(double p, Generator generator) {
        if (p < 0 || p > 1)
            throw new IllegalArgumentException("Dropout: probability has to be between 0 and 1, but got " + p);
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), generator);
    }

    /** The generator the masks come from (the global one unless another was given); checkpoints save its state. */
    public Generator generator() {
        return generator;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
