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
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final List<EpochStats> epochs = new ArrayList<>();
    private String stopReason = "";

    public void add(EpochStats s) {
        epochs.add(s);
    }

    public List<EpochStats> epochs() {
        return epochs;
    }

    public EpochStats last() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    public String stopReason() {
        return stopReason;
    }

    void setStopReason(String r) {
        stopReason = r;
    }

    public String toCsv() {
        StringBuilder b = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,lr\n");
        for (EpochStats e : epochs)
            b.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.6g%n", e.epoch(), e.trainLoss(), e.trainAccuracy(), e.valLoss(), e.valAccuracy(), e.seconds(), e.lr()));
        return b.toString();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(java.util.Map.of("epochs", epochs, "stop_reason", stopReason));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static History fromJson(String json) {
        try {
            History h = new History();
            var node = JSON.readTree(json);
            for (var e : node.get("epochs"))
                h.add(new EpochStats(e.get("epoch").asInt(), e.get("trainLoss").asDouble(), e.get("trainAccuracy").asDouble(),
                        e.get("valLoss").asDouble(), e.get("valAccuracy").asDouble(), e.get("seconds").asDouble(), e.get("lr").asDouble()));
            h.stopReason = node.path("stop_reason").asText("");
            return h;
        } catch (IOException e) {
            throw new IllegalArgumentException("history: not a valid JSON history: " + e.getMessage());
        }
    }

    /** Writes text to file atomically (temporary file, then rename). */
    public static void writeAtomically(Path file, String text) throws IOException {
        dev.nabla.io.AtomicFiles.writeString(file, text);
    }
}
