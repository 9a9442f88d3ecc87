package dev.nabla.nn;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Builds {@link Module#summary}: one zero batch through the model, recording each layer a Sequential runs. */
final class ModelSummary {
    private static final ThreadLocal<List<Object[]>> ROWS = new ThreadLocal<>();

    private ModelSummary() {}

    /** While a summary is being taken, Sequential runs every layer on its own, so that each gets its row. */
    static boolean active() {
        return ROWS.get() != null;
    }

    static void record(Module m, Tensor out) {
        List<Object[]> rows = ROWS.get();
        if (rows != null && !(m instanceof Sequential)) rows.add(new Object[] {m, out.shape(), out});
    }

    /**
     * Runs the model once more on {@code input}, in its current mode and without recording the graph, and returns
     * "path (description)" of the first layer whose output holds a NaN or an infinity ("the input" when the input
     * already does, the model itself when only its final output does), or null when all are finite.
     * Layers are seen as far as a Sequential runs them, each on its own (unfused).
     */
    static String firstNonFinite(Module model, Tensor input) {
        if (!input.allFinite()) return "the input batch";
        List<Object[]> rows = new ArrayList<>();
        ROWS.set(rows);
        Tensor out;
        try (var g = GradMode.noGrad()) {
            out = model.forward(input);
        } finally {
            ROWS.remove();
        }
        for (Object[] r : rows) if (!((Tensor) r[2]).allFinite()) return ((Module) r[0]).where();
        return out.allFinite() ? null : model.where();
    }

    static String of(Module model, int[] inputShape) {
        List<Object[]> rows = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        ROWS.set(rows);
        Tensor out;
        try (var g = GradMode.noGrad()) {
            model.eval();
            out = model.forward(Tensor.zeros(inputShape));
        } finally {
            ROWS.remove();
            model.train(wasTraining);
        }
        StringBuilder b = new StringBuilder();
        String line = "-".repeat(78) + "\n";
        b.append(String.format(Locale.ROOT, "%-34s %-28s %14s%n", "Layer (path: type)", "Output shape", "Param #"));
        b.append("=".repeat(78)).append('\n');
        b.append(String.format(Locale.ROOT, "%-34s %-28s %14s%n", "input", Shape.str(inputShape), ""));
        for (Object[] r : rows) {
            Module m = (Module) r[0];
            long params = 0;
            for (Tensor p : m.ownParameters().values()) if (p != null) params += p.numel();
            String name = m.path() + ": " + m.getClass().getSimpleName();
            b.append(String.format(Locale.ROOT, "%-34s %-28s %,14d%n", name, Shape.str((int[]) r[1]), params));
        }
        long total = model.parameterCount(), trainable = 0;
        for (Tensor p : model.parameters()) if (p.requiresGrad()) trainable += p.numel();
        b.append("=".repeat(78)).append('\n');
        b.append(String.format(Locale.ROOT, "Output: %s%n", Shape.str(out.shape())));
        b.append(String.format(Locale.ROOT, "Total params: %,d (%.2f MB as float32)%n", total, total * 4 / 1048576.0));
        b.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        b.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
        b.append(line);
        return b.toString();
    }
}
