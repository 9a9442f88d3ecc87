package dev.nabla.train;

import dev.nabla.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops when a monitored metric (val_loss by default) has not improved by more than minDelta for patience
 * epochs, the seeds' validation rule; optionally restores the weights of the best epoch.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest, maximize;
    private double best;
    private int bestEpoch = -1, wait;
    private Map<String, Tensor> bestState;

    /** Stops when the validation loss has not fallen for patience epochs, and puts back the weights of the best epoch. */
    public EarlyStopping(int patience) {
        this("val_loss", patience, 0.0, true);
    }

    /**
     * Stops when monitor (val_loss, val_accuracy, train_loss, train_accuracy; losses fall, accuracies rise) has not
     * improved by more than minDelta for patience epochs; restoreBest puts back the weights of the best epoch.
     */
    public EarlyStopping(String monitor, int patience, double minDelta, boolean restoreBest) {
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBest = restoreBest;
        this.maximize = monitor.endsWith("accuracy");
        this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats stats) {
        double v = stats.metric(monitor);
        if (Double.isNaN(v))
            throw new IllegalStateException(
                    "EarlyStopping: metric " + monitor + " is not available (no validation data?)");
        boolean improved = maximize ? v > best + minDelta : v < best - minDelta;
        if (improved) {
            best = v;
            bestEpoch = stats.epoch();
            wait = 0;
            if (restoreBest) {
                bestState = new LinkedHashMap<>();
                trainer.model().stateDict().forEach((k, t) -> bestState.put(k, t.clone()));
            }
        } else if (++wait >= patience) {
            trainer.requestStop("early stopping: " + monitor + " did not improve for " + patience + " epoch(s); best "
                    + best + " at epoch " + bestEpoch);
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        if (restoreBest && bestState != null) trainer.model().loadStateDict(bestState);
    }

    /** The epoch of the best value (-1 before the first epoch). */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best value of the monitored metric so far. */
    public double best() {
        return best;
    }
}
