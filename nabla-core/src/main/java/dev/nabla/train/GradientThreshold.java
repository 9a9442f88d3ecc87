package dev.nabla.train;

import dev.nabla.Tensor;

/** The seeds' other stopping rule: stop once every element of every parameter's gradient is below ε in magnitude. */
public final class GradientThreshold implements Callback {
    private final double epsilon;

    /** Stops when the gradient norm falls below epsilon. */
    public GradientThreshold(double epsilon) {
        this.epsilon = epsilon;
    }

    @Override
    public void onAfterBackward(Trainer trainer, int epoch, int batch) {
        double max = 0;
        for (Tensor p : trainer.model().parameters()) {
            if (p.grad() == null) continue;
            max = Math.max(max, p.grad().abs().max().item());
        }
        if (max < epsilon)
            trainer.requestStop("gradient threshold: max |gradient| " + max + " < " + epsilon + " at epoch " + epoch
                    + ", batch " + batch);
    }
}
