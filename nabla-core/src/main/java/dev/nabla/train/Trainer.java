package dev.nabla.train;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Loss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Optimizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The fit loop: epochs over a DataLoader with an optimizer and a loss, train()/eval() switched for you,
 * evaluation under noGrad, per-epoch train and validation loss and accuracy, time and lr, callbacks for stopping
 * rules, schedules and checkpoints, and a console progress bar.
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Callback> callbacks = new ArrayList<>();
    private boolean progress = System.console() != null && System.console().isTerminal();
    private PrintStream out = System.out;
    private String validationName = "val";
    private History history = new History();
    private int epochsDone;
    private String stopReason;

    public Trainer(Module model, Optimizer optimizer, Loss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    public Trainer callbacks(Callback... cbs) {
        callbacks.addAll(List.of(cbs));
        return this;
    }

    /** Shows a progress bar per epoch (default: on when the console is a terminal; off in logs and pipes). */
    public Trainer progress(boolean on) {
        progress = on && System.console() != null && System.console().isTerminal();
        return this;
    }

    /** Where the per-epoch lines go (System.out by default; null for silence). */
    public Trainer output(PrintStream stream) {
        out = stream;
        return this;
    }

    /** The label of the evaluation set in printed lines ("val" by default; "test" when it is the test set). */
    public Trainer validationName(String name) {
        validationName = name;
        return this;
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public History history() {
        return history;
    }

    public int epochsDone() {
        return epochsDone;
    }

    /** Asks the loop to stop after the current batch; the reason ends up in the history. */
    public void requestStop(String reason) {
        if (stopReason == null) stopReason = reason;
    }

    void restore(int epochs, History h) {
        epochsDone = epochs;
        history = h;
    }

    /** The result of {@link #evaluate}: mean loss, accuracy (NaN for regression), counts and the confusion matrix (multiclass only). */
    public record Evaluation(double loss, double accuracy, long correct, long total, long[][] confusion) {}

    /** Trains until {@code epochs} epochs are done in total (a resumed run continues), or a callback stops it. */
    public History fit(DataLoader train, DataLoader validation, int epochs) {
        stopReason = null;
        for (Callback cb : callbacks) cb.onTrainBegin(this);
        for (int epoch = epochsDone + 1; epoch <= epochs && stopReason == null; epoch++) {
            long t0 = System.nanoTime();
            train.setEpoch(epoch);
            model.train();
            double lossSum = 0;
            long correct = 0, count = 0;
            boolean classification = true;
            int batchNo = 0;
            try (ProgressBar bar = progress ? bar("epoch " + epoch + "/" + epochs, train.size()) : null) {
                for (Dataset.Batch b : train) {
                    optimizer.zeroGrad();
                    Tensor output = model.forward(b.inputs());
                    Tensor l = loss.apply(output, b.targets());
                    l.backward();
                    for (Callback cb : callbacks) cb.onAfterBackward(this, epoch, batchNo);
                    if (stopReason != null) break;
                    optimizer.step();
                    double lv = l.item();
                    int n = b.size();
                    lossSum += lv * n;
                    count += n;
                    long c = countCorrect(output, b.targets());
                    if (c < 0) classification = false;
                    else correct += c;
                    if (bar != null) {
                        bar.step();
                        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f%s", lossSum / count,
                                classification ? String.format(Locale.ROOT, " acc %.4f", (double) correct / count) : ""));
                    }
                    for (Callback cb : callbacks) cb.onBatchEnd(this, epoch, batchNo, lv);
                    batchNo++;
                }
            }
            Evaluation val = validation == null ? null : evaluate(validation);
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochStats s = new EpochStats(epoch, count == 0 ? Double.NaN : lossSum / count, classification && count > 0 ? (double) correct / count : Double.NaN,
                    val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), seconds, optimizer.paramGroups().get(0).get("lr"));
            history.add(s);
            epochsDone = epoch;
            if (out != null) out.println(line(s, epochs));
            for (Callback cb : callbacks) cb.onEpochEnd(this, s);
        }
        history.setStopReason(stopReason == null ? "completed " + epochsDone + " epochs" : stopReason);
        if (stopReason != null && out != null) out.println("stopped: " + stopReason);
        for (Callback cb : callbacks) cb.onTrainEnd(this);
        return history;
    }

    private String line(EpochStats s, int epochs) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f", s.epoch(), epochs, s.trainLoss()));
        if (!Double.isNaN(s.trainAccuracy())) b.append(String.format(Locale.ROOT, " acc %.4f", s.trainAccuracy()));
        if (!Double.isNaN(s.valLoss())) {
            b.append(String.format(Locale.ROOT, "  |  %s loss %.4f", validationName, s.valLoss()));
            if (!Double.isNaN(s.valAccuracy())) b.append(String.format(Locale.ROOT, " acc %.4f", s.valAccuracy()));
        }
        return b.append(String.format(Locale.ROOT, "  |  %.1f s", s.seconds())).toString();
    }

    private static ProgressBar bar(String name, int batches) {
        return new ProgressBarBuilder().setTaskName(name).setInitialMax(batches).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200).continuousUpdate().setMaxRenderedLength(120).build();
    }

    /** Correct predictions in a batch: argmax for int64 targets, sign of the logit for 0/1 float targets; −1 for regression. */
    static long countCorrect(Tensor output, Tensor targets) {
        try (var g = GradMode.noGrad()) {
            if (targets.dtype() == DType.INT64 && output.rank() == 2) return Metrics.correct(output, targets);
            if (targets.dtype().isFloatingPoint() && output.numel() == targets.numel() && output.size(-1) == 1) {
                float[] o = output.toFloatArray(), t = targets.toFloatArray();
                long c = 0;
                for (int i = 0; i < o.length; i++) {
                    if (t[i] != 0f && t[i] != 1f) return -1;
                    if ((o[i] > 0) == (t[i] > 0.5f)) c++;
                }
                return c;
            }
            return -1;
        }
    }

    /** Mean loss and accuracy over a loader, in eval mode and without recording the graph. */
    public Evaluation evaluate(DataLoader loader) {
        return evaluate(model, loss, loader);
    }

    /** {@link #evaluate(DataLoader)} for a model and loss without a trainer (no optimizer needed). */
    public static Evaluation evaluate(Module model, Loss loss, DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0, total = 0;
        boolean classification = true;
        List<long[]> preds = new ArrayList<>(), targets = new ArrayList<>();
        int classes = 0;
        try (var g = GradMode.noGrad()) {
            for (Dataset.Batch b : loader) {
                Tensor output = model.forward(b.inputs());
                lossSum += loss.apply(output, b.targets()).item() * b.size();
                total += b.size();
                long c = countCorrect(output, b.targets());
                if (c < 0) classification = false;
                else correct += c;
                if (b.targets().dtype() == DType.INT64 && output.rank() == 2) {
                    preds.add(Metrics.predictions(output));
                    targets.add(b.targets().toLongArray());
                    classes = output.size(1);
                }
            }
        } finally {
            model.train(wasTraining);
        }
        long[][] confusion = null;
        if (classes > 0) {
            confusion = new long[classes][classes];
            for (int i = 0; i < preds.size(); i++) {
                long[][] m = Metrics.confusionMatrix(preds.get(i), targets.get(i), classes);
                for (int r = 0; r < classes; r++) for (int q = 0; q < classes; q++) confusion[r][q] += m[r][q];
            }
        }
        return new Evaluation(total == 0 ? Double.NaN : lossSum / total, classification && total > 0 ? (double) correct / total : Double.NaN,
                classification ? correct : 0, total, confusion);
    }
}
