package dev.nabla.report;

import dev.nabla.train.Callback;
import dev.nabla.train.EpochStats;
import dev.nabla.train.Trainer;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar for {@link Trainer#fit}: one bar per epoch with the running loss and accuracy and the time
 * per step, then one for the evaluation pass. By default it shows only when the console is a terminal (so logs and
 * pipes stay clean); {@link #forced} shows it anywhere, e.g. in an IDE's run console.
 * <pre>{@code trainer.callbacks(new ProgressBarCallback());   // or ProgressBarCallback.forced()}</pre>
 */
public final class ProgressBarCallback implements Callback {
    private final boolean enabled;
    private final PrintStream stream;
    private ProgressBar bar;
    private long epochStart;
    private int steps;

    /** Shows the bars on stderr when the console is a terminal. */
    public ProgressBarCallback() {
        this(System.console() != null && System.console().isTerminal(), System.err);
    }

    private ProgressBarCallback(boolean enabled, PrintStream stream) {
        this.enabled = enabled;
        this.stream = stream;
    }

    /** Shows the bars on {@code stream} whether or not it is a terminal (IDE consoles, CI logs that render \r). */
    public static ProgressBarCallback forced(PrintStream stream) {
        return new ProgressBarCallback(true, java.util.Objects.requireNonNull(stream, "stream"));
    }

    /** {@link #forced(PrintStream)} on stderr. */
    public static ProgressBarCallback forced() {
        return forced(System.err);
    }

    /** Whether this callback draws anything. */
    public boolean enabled() {
        return enabled;
    }

    private ProgressBar open(String task, int max) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .continuousUpdate()
                .setMaxRenderedLength(120)
                .setConsumer(new ConsoleProgressBarConsumer(stream, 120))
                .build();
    }

    private void close() {
        if (bar != null) bar.close();
        bar = null;
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch, int batches) {
        if (!enabled) return;
        close();
        bar = open("epoch " + epoch + "/" + trainer.plannedEpochs(), batches);
        epochStart = System.nanoTime();
        steps = 0;
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss) {
        if (bar == null) return;
        long now = System.nanoTime();
        steps++;
        double msPerStep = (now - epochStart) / 1e6 / steps;
        bar.step();
        double acc = trainer.runningAccuracy();
        bar.setExtraMessage(String.format(
                Locale.ROOT,
                " loss %.4f%s  %.0f ms/step",
                trainer.runningLoss(),
                Double.isNaN(acc) ? "" : String.format(Locale.ROOT, " acc %.4f", acc),
                msPerStep));
    }

    @Override
    public void onEvaluationBegin(Trainer trainer, int batches) {
        if (!enabled) return;
        close();
        bar = open("evaluate", batches);
    }

    @Override
    public void onEvaluationBatchEnd(Trainer trainer, int batch) {
        if (bar != null) bar.step();
    }

    @Override
    public void onEvaluationEnd(Trainer trainer, Trainer.Evaluation evaluation) {
        close();
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats stats) {
        close();
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        close();
    }
}
