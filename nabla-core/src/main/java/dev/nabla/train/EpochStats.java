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
}
