package dev.nabla.optim;

/**
 * Learning-rate schedules over an optimizer's groups, as torch.optim.lr_scheduler. Call {@link #step()} once per
 * epoch (or per batch, if that is how the schedule is meant); {@link ReduceLROnPlateau} steps on a metric instead.
 */
public interface LRScheduler {
    /** Advances the schedule by one step (an epoch or a batch, as the caller uses it) and sets the learning rates. */
    void step();

    /** The current lr of each group. */
    double[] lastLr();

    /** Step decay: lr = base·gamma^⌊epoch/stepSize⌋. */
    static LRScheduler stepLR(Optimizer opt, int stepSize, double gamma) {
        return new Closed(opt, (base, epoch) -> base * Math.pow(gamma, Math.floor(epoch / stepSize)));
    }

    /** lr = base·gamma^epoch. */
    static LRScheduler exponentialLR(Optimizer opt, double gamma) {
        return new Closed(opt, (base, epoch) -> base * Math.pow(gamma, epoch));
    }

    /** lr = etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2. */
    static LRScheduler cosineAnnealingLR(Optimizer opt, int tMax, double etaMin) {
        return new Closed(opt, (base, epoch) -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2);
    }

    /** A schedule given in closed form from each group's initial lr and the epoch count. */
    final class Closed implements LRScheduler {
        private final Optimizer opt;
        private final double[] base;
        private final java.util.function.DoubleBinaryOperator rule;
        private int epoch;

        Closed(Optimizer opt, java.util.function.DoubleBinaryOperator rule) {
            this.opt = opt;
            this.rule = rule;
            this.base = opt.paramGroups().stream().mapToDouble(g -> g.get("lr")).toArray();
        }

        @Override
        public void step() {
            epoch++;
            for (int i = 0; i < base.length; i++)
                opt.paramGroups().get(i).set("lr", rule.applyAsDouble(base[i], epoch));
        }

        @Override
        public double[] lastLr() {
            return opt.paramGroups().stream().mapToDouble(g -> g.get("lr")).toArray();
        }

        /** The number of steps taken. */
        public int epoch() {
            return epoch;
        }
    }
}
