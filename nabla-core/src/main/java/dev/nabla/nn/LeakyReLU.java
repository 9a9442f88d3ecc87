package dev.nabla.nn;

import dev.nabla.Tensor;

/** x where x > 0, else negativeSlope·x. Shape: any → same. */
public final class LeakyReLU extends Module {
    private final double negativeSlope;

    /** PyTorch's default slope, 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    /** A leaky ReLU with this slope for negative inputs. */
    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.leakyRelu(x, negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + negativeSlope;
    }
}
