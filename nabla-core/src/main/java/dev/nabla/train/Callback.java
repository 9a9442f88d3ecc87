package dev.nabla.train;

/**
 * Hooks into {@link Trainer#fit}; a callback stops training with {@link Trainer#requestStop}. Progress displays,
 * loggers and writers (TensorBoard, reports) are callbacks too: every method has an empty default.
 */
public interface Callback {
    /** Before the first epoch of {@link Trainer#fit}. */
    default void onTrainBegin(Trainer trainer) {}

    /** Before the first batch of an epoch; {@code batches} is how many the epoch has. */
    default void onEpochBegin(Trainer trainer, int epoch, int batches) {}

    /** After loss.backward() and before optimizer.step(), with the gradients in place. */
    default void onAfterBackward(Trainer trainer, int epoch, int batch) {}

    /**
     * After each training batch (also one skipped as non-finite); {@code loss} is the batch's loss,
     * {@link Trainer#runningLoss} and {@link Trainer#runningAccuracy} the epoch's so far.
     */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, double loss) {}

    /** Before an evaluation pass (the validation set after each epoch, or {@link Trainer#evaluate}). */
    default void onEvaluationBegin(Trainer trainer, int batches) {}

    /** After each batch of an evaluation pass. */
    default void onEvaluationBatchEnd(Trainer trainer, int batch) {}

    /** After an evaluation pass, with its result. */
    default void onEvaluationEnd(Trainer trainer, Trainer.Evaluation evaluation) {}

    /** After an epoch, with its statistics (after the evaluation pass). */
    default void onEpochEnd(Trainer trainer, EpochStats stats) {}

    /** After the last epoch (or a stop). */
    default void onTrainEnd(Trainer trainer) {}
}
