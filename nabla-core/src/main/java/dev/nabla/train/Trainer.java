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
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fit loop: epochs over a DataLoader with an optimizer and a loss, train()/eval() switched for you,
 * evaluation under noGrad, per-epoch train and validation loss and accuracy, time and lr, callbacks for stopping
 * rules, schedules and checkpoints. Each epoch's line goes to the console ({@link #output}) and to the SLF4J logger
 * {@code dev.nabla.train.Trainer} at INFO; a progress bar is a callback (ProgressBarCallback in nabla-report).
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private final Module model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Callback> callbacks = new ArrayList<>();
    private double runningLoss = Double.NaN, runningAccuracy = Double.NaN;
    private int plannedEpochs;
    private PrintStream out = System.out;
    private String validationName = "val";
    private History history = new History();
    private int epochsDone;
    private String stopReason;
    private NonFinitePolicy nonFinite = NonFinitePolicy.STOP;
    private DataLoader trainLoader;
    private LoaderPosition expectedPosition;

    /** What to do with a batch whose loss or gradient is NaN or infinite. */
    public enum NonFinitePolicy {
        /** Stop the run with a {@link NonFiniteException} before the optimizer touches the weights (the default). */
        STOP,
        /** Leave the batch out (no optimizer step), count it in {@link EpochStats#skippedBatches}, and go on. */
        SKIP_BATCH
    }

    /**
     * A NaN or infinite loss, gradient or weight stopped training. The message names the epoch, the batch (0-based),
     * what was not finite, and the first layer where it appeared ("path (description)").
     */
    public static final class NonFiniteException extends RuntimeException {
        /** Where it happened. */
        private final int epoch, batch;
        /** The first layer with a non-finite value, or null. */
        private final String where;

        NonFiniteException(int epoch, int batch, String what, String where) {
            super(
                    "epoch " + epoch + ", batch " + batch + ": " + what
                            + (where == null ? "" : "; first non-finite at " + where)
                            + ". Training stopped before the weights were changed; files written so far are untouched."
                            + " A lower learning rate, gradient clipping or normalised inputs usually help (or skip such batches: Trainer.onNonFinite(SKIP_BATCH), --on-non-finite skip).");
            this.epoch = epoch;
            this.batch = batch;
            this.where = where;
        }

        /** The epoch where it happened. */
        public int epoch() {
            return epoch;
        }

        /** The batch (0-based) where it happened. */
        public int batch() {
            return batch;
        }

        /** "path (description)" of the first layer whose output or gradient was not finite, or "the input batch"; may be null. */
        public String where() {
            return where;
        }
    }

    /** A trainer of model with optimizer and loss. */
    public Trainer(Module model, Optimizer optimizer, Loss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    /** Stop (default) or skip batches whose loss or gradients are not finite. */
    public Trainer onNonFinite(NonFinitePolicy policy) {
        nonFinite = java.util.Objects.requireNonNull(policy, "policy");
        return this;
    }

    /** Adds callbacks, run in the order given. Returns this. */
    public Trainer callbacks(Callback... cbs) {
        callbacks.addAll(List.of(cbs));
        return this;
    }

    /** The epoch count the running (or last) {@link #fit} was asked for. */
    public int plannedEpochs() {
        return plannedEpochs;
    }

    /** The mean training loss of the current epoch so far (NaN before its first batch): for progress displays. */
    public double runningLoss() {
        return runningLoss;
    }

    /** The training accuracy of the current epoch so far (NaN for regression or before its first batch). */
    public double runningAccuracy() {
        return runningAccuracy;
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

    /** The model trained. */
    public Module model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The history of all epochs so far. */
    public History history() {
        return history;
    }

    /** Epochs finished (including those of a resumed run). */
    public int epochsDone() {
        return epochsDone;
    }

    /** Asks the loop to stop after the current batch; the reason ends up in the history. */
    public void requestStop(String reason) {
        if (stopReason == null) stopReason = reason;
    }

    void restore(int epochs, History h, LoaderPosition position) {
        epochsDone = epochs;
        history = h;
        expectedPosition = position;
    }

    /**
     * Where the training data loader stands: the next epoch and batch, with what fixes the order of the samples
     * (batch size, sample count, shuffling, drop-last, seed). Checkpoints store it; a resumed {@link #fit} checks
     * that its loader continues the same sequence.
     */
    public record LoaderPosition(
            int epoch, int batch, int batchSize, int samples, boolean shuffle, boolean dropLast, long seed) {
        static LoaderPosition of(DataLoader l, int nextEpoch) {
            return new LoaderPosition(
                    nextEpoch, 0, l.batchSize(), l.dataset().size(), l.shuffle(), l.dropLast(), l.seed());
        }

        String encode() {
            return "epoch=" + epoch + ",batch=" + batch + ",batch_size=" + batchSize + ",samples=" + samples
                    + ",shuffle=" + shuffle + ",drop_last=" + dropLast + ",seed=" + seed;
        }

        static LoaderPosition decode(String s) {
            java.util.Map<String, String> kv = new java.util.HashMap<>();
            for (String part : s.split(",")) {
                int eq = part.indexOf('=');
                if (eq < 0) throw new IllegalArgumentException("expected key=value pairs, got '" + part + "'");
                kv.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
            try {
                int epoch = Integer.parseInt(req(kv, "epoch")),
                        batch = Integer.parseInt(req(kv, "batch")),
                        bs = Integer.parseInt(req(kv, "batch_size")),
                        n = Integer.parseInt(req(kv, "samples"));
                if (epoch < 1 || batch < 0 || bs < 1 || n < 0)
                    throw new IllegalArgumentException("values out of range in '" + s + "'");
                return new LoaderPosition(
                        epoch,
                        batch,
                        bs,
                        n,
                        bool(req(kv, "shuffle")),
                        bool(req(kv, "drop_last")),
                        Long.parseLong(req(kv, "seed")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number in '" + s + "'");
            }
        }

        private static String req(java.util.Map<String, String> kv, String k) {
            String v = kv.get(k);
            if (v == null) throw new IllegalArgumentException("missing " + k);
            return v;
        }

        private static boolean bool(String v) {
            if (!v.equals("true") && !v.equals("false"))
                throw new IllegalArgumentException("expected true or false, got '" + v + "'");
            return v.equals("true");
        }
    }

    /** The training loader's position after the last finished epoch (null before the first fit). */
    public LoaderPosition loaderPosition() {
        return trainLoader == null ? null : LoaderPosition.of(trainLoader, epochsDone + 1);
    }

    /** The result of {@link #evaluate}: mean loss, accuracy (NaN for regression), counts and the confusion matrix (multiclass only). */
    public record Evaluation(double loss, double accuracy, long correct, long total, long[][] confusion) {}

    /** Trains until {@code epochs} epochs are done in total (a resumed run continues), or a callback stops it. */
    public History fit(DataLoader train, DataLoader validation, int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("Trainer.fit: epochs must be at least 1, got " + epochs);
        if (train.dataset().size() == 0)
            throw new IllegalArgumentException("Trainer.fit: the training data set is empty");
        if (train.size() == 0)
            throw new IllegalArgumentException("Trainer.fit: no batch to train on ("
                    + train.dataset().size() + " samples, batch size " + train.batchSize() + ", drop last)");
        LoaderPosition now = LoaderPosition.of(train, epochsDone + 1);
        if (expectedPosition != null && !expectedPosition.equals(now))
            throw new IllegalArgumentException("Trainer.fit: the checkpoint was written with the data loader at "
                    + expectedPosition.encode() + ", but this run's loader is at " + now.encode()
                    + "; a resumed run must use the same data, batch size and seed");
        expectedPosition = null;
        trainLoader = train;
        plannedEpochs = epochs;
        // the parameters by name, once per fit (the checks below run every batch): in registration order for the
        // weights, reversed for the gradients, the order in which backpropagation reaches them
        List<Map.Entry<String, Tensor>> named =
                List.copyOf(model.namedParameters().entrySet());
        List<Map.Entry<String, Tensor>> backwardOrder = named.reversed();
        stopReason = null;
        for (Callback cb : callbacks) cb.onTrainBegin(this);
        for (int epoch = epochsDone + 1; epochsDone < epochs && stopReason == null; epoch++) {
            long t0 = System.nanoTime();
            train.setEpoch(epoch);
            model.train();
            double lossSum = 0;
            long correct = 0, count = 0;
            boolean classification = true;
            int batchNo = 0, skipped = 0;
            runningLoss = Double.NaN;
            runningAccuracy = Double.NaN;
            for (Callback cb : callbacks) cb.onEpochBegin(this, epoch, train.size());
            for (Dataset.Batch b : train) {
                optimizer.zeroGrad();
                Tensor output = model.call(b.inputs());
                Tensor l = loss.apply(output, b.targets());
                double lv = l.item();
                String problem = Double.isFinite(lv) ? null : "the loss is " + lv;
                String where = problem == null ? null : diagnoseOutput(b.inputs());
                if (problem == null) {
                    l.backward();
                    for (Callback cb : callbacks) cb.onAfterBackward(this, epoch, batchNo);
                    if (stopReason != null) break;
                    String param = firstNonFinite(backwardOrder, true);
                    if (param != null) {
                        problem = "the gradient of " + param + " is not finite";
                        where = moduleOf(param);
                    }
                }
                if (problem != null) {
                    if (nonFinite == NonFinitePolicy.STOP) throw new NonFiniteException(epoch, batchNo, problem, where);
                    skipped++;
                    optimizer.zeroGrad();
                    for (Callback cb : callbacks) cb.onBatchEnd(this, epoch, batchNo, lv);
                    batchNo++;
                    continue;
                }
                optimizer.step();
                String param = firstNonFinite(named, false);
                if (param != null) // a finite gradient still overflowed in the update (e.g. a huge learning rate)
                throw new NonFiniteException(
                            epoch,
                            batchNo,
                            "the optimizer step made " + param
                                    + " non-finite (the weights in memory are lost; files written so far are untouched)",
                            moduleOf(param));
                int n = b.size();
                lossSum += lv * n;
                count += n;
                long c = countCorrect(output, b.targets());
                if (c < 0) classification = false;
                else correct += c;
                runningLoss = lossSum / count;
                runningAccuracy = classification ? (double) correct / count : Double.NaN;
                history.addStep(lv);
                for (Callback cb : callbacks) cb.onBatchEnd(this, epoch, batchNo, lv);
                batchNo++;
            }
            Evaluation val = validation == null ? null : evaluate(validation);
            double seconds = (System.nanoTime() - t0) / 1e9;
            EpochStats s = new EpochStats(
                    epoch,
                    count == 0 ? Double.NaN : lossSum / count,
                    classification && count > 0 ? (double) correct / count : Double.NaN,
                    val == null ? Double.NaN : val.loss(),
                    val == null ? Double.NaN : val.accuracy(),
                    seconds,
                    optimizer.paramGroups().get(0).get("lr"),
                    skipped);
            history.add(s);
            epochsDone = epoch;
            String line = s.line(epochs, validationName);
            if (out != null) out.println(line);
            LOG.info(line);
            for (Callback cb : callbacks) cb.onEpochEnd(this, s);
        }
        history.setStopReason(stopReason == null ? "completed " + epochsDone + " epochs" : stopReason);
        if (stopReason != null && out != null) out.println("stopped: " + stopReason);
        if (stopReason != null) LOG.info("stopped: {}", stopReason);
        for (Callback cb : callbacks) cb.onTrainEnd(this);
        return history;
    }

    /** Runs the batch again to name the first layer whose output is not finite, leaving every random generator as it was. */
    private String diagnoseOutput(Tensor inputs) {
        var rng = RandomState.capture(model);
        try {
            return model.firstNonFiniteOutput(inputs);
        } catch (RuntimeException e) {
            return null; // the diagnosis is a courtesy; the error about the loss is what matters
        } finally {
            RandomState.restore(model, rng);
        }
    }

    /**
     * The name of the first parameter in {@code named} whose gradient (or, with grads false, value) is not finite, or
     * null.
     */
    private static String firstNonFinite(List<Map.Entry<String, Tensor>> named, boolean grads) {
        for (var e : named) {
            Tensor t = grads ? e.getValue().grad() : e.getValue();
            if (t != null && !t.allFinite()) return e.getKey();
        }
        return null;
    }

    /** "path (description)" of the module that owns the named parameter. */
    private String moduleOf(String param) {
        int dot = param.lastIndexOf('.');
        String path = dot < 0 ? "" : param.substring(0, dot);
        Module m = model.namedModules().get(path);
        return m == null ? path : (path.isEmpty() ? m.describe() : path + " (" + m.describe() + ")");
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

    /** Mean loss and accuracy over a loader, in eval mode and without recording the graph (callbacks see its progress). */
    public Evaluation evaluate(DataLoader loader) {
        for (Callback cb : callbacks) cb.onEvaluationBegin(this, loader.size());
        Evaluation e = evaluate(model, loss, loader, batch -> {
            for (Callback cb : callbacks) cb.onEvaluationBatchEnd(this, batch);
        });
        for (Callback cb : callbacks) cb.onEvaluationEnd(this, e);
        return e;
    }

    /** {@link #evaluate(DataLoader)} for a model and loss without a trainer (no optimizer needed). */
    public static Evaluation evaluate(Module model, Loss loss, DataLoader loader) {
        return evaluate(model, loss, loader, batch -> {});
    }

    private static Evaluation evaluate(
            Module model, Loss loss, DataLoader loader, java.util.function.IntConsumer afterBatch) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0, total = 0;
        boolean classification = true;
        List<long[]> preds = new ArrayList<>(), targets = new ArrayList<>();
        int classes = 0, batchNo = 0;
        try (var g = GradMode.noGrad()) {
            for (Dataset.Batch b : loader) {
                Tensor output = model.call(b.inputs());
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
                afterBatch.accept(batchNo++);
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
        return new Evaluation(
                total == 0 ? Double.NaN : lossSum / total,
                classification && total > 0 ? (double) correct / total : Double.NaN,
                classification ? correct : 0,
                total,
                confusion);
    }
}
