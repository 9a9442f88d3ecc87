package dev.nabla.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The per-epoch record of a run, written as CSV or JSON (atomically: temporary file, then rename). */
public final class History {
    /** An empty history. */
    public History() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
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

    void setStopReason(String r) {
        stopReason = r;
    }

    /** One CSV row per epoch, with a header. */
    public String toCsv() {
        StringBuilder b = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,lr,skipped_batches\n");
        for (EpochStats e : epochs)
            b.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.6g,%d%n", e.epoch(), e.trainLoss(), e.trainAccuracy(), e.valLoss(), e.valAccuracy(), e.seconds(), e.lr(), e.skippedBatches()));
        return b.toString();
    }

    /** The epochs, step losses and stop reason as JSON ({@link #fromJson} reads it). */
    public String toJson() {
        try {
            var m = new java.util.LinkedHashMap<String, Object>();
            m.put("epochs", epochs);
            m.put("stop_reason", stopReason);
            m.put("step_losses", stepLosses);
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads what {@link #toJson} wrote; anything else is an IllegalArgumentException that says what is wrong. */
    public static History fromJson(String json) {
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("history: not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (node == null || !node.isObject() || !node.path("epochs").isArray())
            throw new IllegalArgumentException("history: expected an object with an \"epochs\" array, got " + abbreviate(String.valueOf(node)));
        History h = new History();
        int i = 0;
        for (var e : node.get("epochs")) {
            String at = "history: epochs[" + i + "]";
            if (!e.isObject()) throw new IllegalArgumentException(at + " is not an object");
            int epoch = integer(e, "epoch", at);
            if (epoch != i + 1) throw new IllegalArgumentException(at + ": epoch " + epoch + " where " + (i + 1) + " was expected");
            h.add(new EpochStats(epoch, number(e, "trainLoss", at), number(e, "trainAccuracy", at), number(e, "valLoss", at), number(e, "valAccuracy", at),
                    number(e, "seconds", at), number(e, "lr", at), e.has("skippedBatches") ? integer(e, "skippedBatches", at) : 0));
            i++;
        }
        h.stopReason = node.path("stop_reason").asText("");
        if (node.has("step_losses")) {
            if (!node.get("step_losses").isArray()) throw new IllegalArgumentException("history: \"step_losses\" must be an array");
            int k = 0;
            for (var v : node.get("step_losses")) h.stepLosses.add(number(v, "history: step_losses[" + k++ + "]"));
        }
        return h;
    }

    private static int integer(com.fasterxml.jackson.databind.JsonNode e, String field, String at) {
        var v = e.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0)
            throw new IllegalArgumentException(at + ": \"" + field + "\" must be a non-negative integer, got " + v);
        return v.asInt();
    }

    private static double number(com.fasterxml.jackson.databind.JsonNode e, String field, String at) {
        var v = e.get(field);
        if (v == null) throw new IllegalArgumentException(at + ": \"" + field + "\" is missing");
        return number(v, at + ": \"" + field + "\"");
    }

    private static double number(com.fasterxml.jackson.databind.JsonNode v, String what) {
        if (v.isNumber()) return v.asDouble();
        if (v.isTextual() && java.util.Set.of("NaN", "Infinity", "-Infinity").contains(v.asText())) return Double.parseDouble(v.asText()); // as Jackson writes them
        throw new IllegalArgumentException(what + " must be a number, got " + v);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** Writes text to file atomically (temporary file, then rename). */
    public static void writeAtomically(Path file, String text) throws IOException {
        dev.nabla.io.AtomicFiles.writeString(file, text);
    }
}
