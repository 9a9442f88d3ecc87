package dev.nabla.optim;

/**
 * Multiplies lr by factor when a metric has not improved (by more than a relative threshold) for patience
 * steps, then waits cooldown steps, never going below minLr; as torch.optim.lr_scheduler.ReduceLROnPlateau.
 */
public final class ReduceLROnPlateau {
    private final Optimizer opt;
    private final boolean minimize;
    private final double factor, threshold, minLr;
    private final int patience, cooldown;
    private double best;
    private int badEpochs, cooldownLeft;

    /** Minimises the metric with PyTorch's defaults: factor 0.1, patience 10, threshold 1e-4 (relative), no cooldown, min lr 0. */
    public ReduceLROnPlateau(Optimizer opt) {
        this(opt, true, 0.1, 10, 1e-4, 0, 0);
    }

    /** Lowers the learning rate by factor when the metric has not improved for patience steps. */
    public ReduceLROnPlateau(
            Optimizer opt,
            boolean minimize,
            double factor,
            int patience,
            double threshold,
            int cooldown,
            double minLr) {
        if (factor >= 1) throw new IllegalArgumentException("ReduceLROnPlateau: factor should be < 1.0, got " + factor);
        this.opt = opt;
        this.minimize = minimize;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Reports the metric of the epoch just ended; returns true when the lr was reduced. */
    public boolean step(double metric) {
        boolean better = minimize ? metric < best * (1 - threshold) : metric > best * (1 + threshold);
        if (better) {
            best = metric;
            badEpochs = 0;
        } else badEpochs++;
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            boolean reduced = false;
            for (ParamGroup g : opt.paramGroups()) {
                double lr = g.get("lr"), next = Math.max(lr * factor, minLr);
                if (lr - next > 1e-8) {
                    g.set("lr", next);
                    reduced = true;
                }
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
            return reduced;
        }
        return false;
    }
}
