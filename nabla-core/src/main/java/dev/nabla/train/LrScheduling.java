package dev.nabla.train;

import dev.nabla.optim.LRScheduler;

/** Steps a learning-rate schedule after every epoch, or after every batch. */
public final class LrScheduling implements Callback {
    private final LRScheduler scheduler;
    private final boolean perBatch;

    /** Steps the scheduler after every batch (perBatch) or every epoch. */
    public LrScheduling(LRScheduler scheduler, boolean perBatch) {
        this.scheduler = scheduler;
        this.perBatch = perBatch;
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss) {
        if (perBatch) scheduler.step();
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats stats) {
        if (!perBatch) scheduler.step();
    }
}
