package dev.nabla.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The per-epoch record of a run, written as CSV or JSON (atomically: temporary file, then rename). */
public final class History {
    /** An empty history. */
    public History() {}

    private final List<EpochStats> epochs = new ArrayList<>();
    private final List<Double> stepLosses = new ArrayList<>();
    private String stopReason = "";

    /** Records the loss of one optimizer step (the Trainer calls it after every step it takes). */
    public void addStep(double loss) {
        stepLosses.add(loss);
    }

    /** The training loss of every optimizer step, in order (for per-step curves). */
    public List<Double> stepLosses() {
        return java.util.Collections.unmodifiableList(stepLosses);
    }

    /** Appends an epoch's statistics. */
    public void add(EpochStats s) {
        epochs.add(s);
    }

    /** The epochs so far, in order. */
    public List<EpochStats> epochs() {
        return epochs;
    }

    /** The last epoch, or null. */
    public EpochStats last() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    /** Why training stopped ("completed N epochs" or a callback's reason). */
    public String stopReason() {
        return stopReason;
    }

    /** Records why training ended (a stopping rule, or the epoch count reached). */
    public void setStopReason(String r) {
        stopReason = r;
    }

    /** One CSV row per epoch, with a header. */
    public String toCsv() {
        StringBuilder b =
                new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,lr,skipped_batches\n");
        for (EpochStats e : epochs)
            b.append(String.format(
                    Locale.ROOT,
                    "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.6g,%d%n",
                    e.epoch(),
                    e.trainLoss(),
                    e.trainAccuracy(),
                    e.valLoss(),
                    e.valAccuracy(),
                    e.seconds(),
                    e.lr(),
                    e.skippedBatches()));
        return b.toString();
    }

    /** The epochs, step losses and stop reason as JSON ({@link #fromJson} reads it). */
    public String toJson() {
        List<Object> es = new ArrayList<>();
        for (EpochStats e : epochs) {
            var m = new java.util.LinkedHashMap<String, Object>();
            m.put("epoch", e.epoch());
            m.put("trainLoss", e.trainLoss());
            m.put("trainAccuracy", e.trainAccuracy());
            m.put("valLoss", e.valLoss());
            m.put("valAccuracy", e.valAccuracy());
            m.put("seconds", e.seconds());
            m.put("lr", e.lr());
            m.put("skippedBatches", e.skippedBatches());
            es.add(m);
        }
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("epochs", es);
        m.put("stop_reason", stopReason);
        m.put("step_losses", new ArrayList<Object>(stepLosses));
        return dev.nabla.io.Json.write(m, true);
    }

    /** Reads what {@link #toJson} wrote; anything else is an IllegalArgumentException that says what is wrong. */
    public static History fromJson(String json) {
        Object node;
        try {
            node = dev.nabla.io.Json.parse(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("history: not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(node instanceof java.util.Map<?, ?> root) || !(root.get("epochs") instanceof List<?> epochList))
            throw new IllegalArgumentException("history: expected an object with an \"epochs\" array, got "
                    + abbreviate(dev.nabla.io.Json.describe(node)));
        History h = new History();
        int i = 0;
        for (Object o : epochList) {
            String at = "history: epochs[" + i + "]";
            if (!(o instanceof java.util.Map<?, ?> e)) throw new IllegalArgumentException(at + " is not an object");
            int epoch = integer(e, "epoch", at);
            if (epoch != i + 1)
                throw new IllegalArgumentException(at + ": epoch " + epoch + " where " + (i + 1) + " was expected");
            h.add(new EpochStats(
                    epoch,
                    number(e, "trainLoss", at),
                    number(e, "trainAccuracy", at),
                    number(e, "valLoss", at),
                    number(e, "valAccuracy", at),
                    number(e, "seconds", at),
                    number(e, "lr", at),
                    e.containsKey("skippedBatches") ? integer(e, "skippedBatches", at) : 0));
            i++;
        }
        h.stopReason = root.get("stop_reason") instanceof String r ? r : "";
        if (root.containsKey("step_losses")) {
            if (!(root.get("step_losses") instanceof List<?> steps))
                throw new IllegalArgumentException("history: \"step_losses\" must be an array");
            int k = 0;
            for (Object v : steps) h.stepLosses.add(number(v, "history: step_losses[" + k++ + "]"));
        }
        return h;
    }

    private static int integer(java.util.Map<?, ?> e, String field, String at) {
        Object v = e.get(field);
        if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE)
            throw new IllegalArgumentException(
                    at + ": \"" + field + "\" must be a non-negative integer, got " + dev.nabla.io.Json.describe(v));
        return l.intValue();
    }

    private static double number(java.util.Map<?, ?> e, String field, String at) {
        Object v = e.get(field);
        if (v == null) throw new IllegalArgumentException(at + ": \"" + field + "\" is missing");
        return number(v, at + ": \"" + field + "\"");
    }

    private static double number(Object v, String what) {
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String t
                && java.util.Set.of("NaN", "Infinity", "-Infinity").contains(t))
            return Double.parseDouble(t); // as Json.write writes them
        throw new IllegalArgumentException(what + " must be a number, got " + dev.nabla.io.Json.describe(v));
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** Writes text to file atomically (temporary file, then rename). */
    public static void writeAtomically(Path file, String text) throws IOException {
        dev.nabla.io.AtomicFiles.writeString(file, text);
    }
}
