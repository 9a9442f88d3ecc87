package dev.nabla.train;

/**
 * What one epoch produced; accuracies are NaN for regression, validation fields NaN without validation data.
 * {@code skippedBatches} counts the batches left out because their loss or gradient was not finite (only when the
 * trainer was told to skip them: {@link Trainer#onNonFinite}).
 */
public record EpochStats(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double valLoss,
        double valAccuracy,
        double seconds,
        double lr,
        int skippedBatches) {
    /** Statistics without skipped batches. */
    public EpochStats(
            int epoch,
            double trainLoss,
            double trainAccuracy,
            double valLoss,
            double valAccuracy,
            double seconds,
            double lr) {
        this(epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, seconds, lr, 0);
    }

    /** A metric by the name callbacks monitor: train_loss, train_accuracy, val_loss, val_accuracy. */
    public double metric(String name) {
        return switch (name) {
            case "train_loss", "loss" -> trainLoss;
            case "train_accuracy", "accuracy" -> trainAccuracy;
            case "val_loss" -> valLoss;
            case "val_accuracy" -> valAccuracy;
            default ->
                throw new IllegalArgumentException(
                        "unknown metric '" + name + "' (train_loss, train_accuracy, val_loss, val_accuracy)");
        };
    }

    /**
     * The epoch's one-line summary as the trainer prints it: "epoch 3/5  train loss 0.2684 acc 0.9023  |  test loss
     * 0.2610 acc 0.9043  |  20.1 s", the validation data named {@code validationName}.
     */
    public String line(int epochs, String validationName) {
        StringBuilder b = new StringBuilder(
                String.format(java.util.Locale.ROOT, "epoch %d/%d  train loss %.4f", epoch, epochs, trainLoss));
        if (!Double.isNaN(trainAccuracy)) b.append(String.format(java.util.Locale.ROOT, " acc %.4f", trainAccuracy));
        if (!Double.isNaN(valLoss)) {
            b.append(String.format(java.util.Locale.ROOT, "  |  %s loss %.4f", validationName, valLoss));
            if (!Double.isNaN(valAccuracy)) b.append(String.format(java.util.Locale.ROOT, " acc %.4f", valAccuracy));
        }
        if (skippedBatches > 0) b.append("  |  ").append(skippedBatches).append(" non-finite batches skipped");
        return b.append(String.format(java.util.Locale.ROOT, "  |  %.1f s", seconds))
                .toString();
    }
}
