package dev.nabla.train;

/** Hooks into {@link Trainer#fit}; a callback stops training with {@link Trainer#requestStop}. */
public interface Callback {
    default void onTrainBegin(Trainer trainer) {}

    /** After loss.backward() and before optimizer.step(), with the gradients in place. */
    default void onAfterBackward(Trainer trainer, int epoch, int batch) {}

    default void onBatchEnd(Trainer trainer, int epoch, int batch, double loss) {}

    default void onEpochEnd(Trainer trainer, EpochStats stats) {}

    default void onTrainEnd(Trainer trainer) {}
}
