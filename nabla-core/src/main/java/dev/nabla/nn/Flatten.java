package dev.nabla.nn;

import dev.nabla.Tensor;

/** Flattens dims startDim..endDim (default 1..-1). Shape: [N, *] → [N, ∏*]. */
public final class Flatten extends Module {
    private final int startDim, endDim;

    /** Flattens all dimensions but the batch dimension. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens dimensions startDim..endDim. */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
