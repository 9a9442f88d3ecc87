package dev.nabla.nn;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds {@link Module#summary} and {@link Module#firstNonFiniteOutput} on forward hooks: a hook on every
 * descendant records its output while the model runs its usual code (fusion included), once.
 */
final class ModelSummary {
    private ModelSummary() {}

    private record Row(Module module, Tensor output) {}

    /** The modules that get a row: every descendant of the model but the containers. */
    private static boolean listed(Module model, Module m) {
        return m != model && !(m instanceof Sequential);
    }

    /** Runs body with a forward hook on every descendant of model (containers excluded) that records its output. */
    private static List<Row> recording(Module model, Runnable body) {
        List<Row> rows = new ArrayList<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        try {
            for (Module m : model.namedModules().values())
                if (listed(model, m))
                    handles.add(m.registerForwardHook((mod, in, out) -> {
                        rows.add(new Row(mod, out));
                        return null;
                    }));
            body.run();
        } finally {
            handles.forEach(Module.HookHandle::remove);
        }
        return rows;
    }

    /**
     * Runs the model once more on {@code input}, in its current mode and without recording the graph, and returns
     * "path (description)" of the first layer whose output holds a NaN or an infinity ("the input" when the input
     * already does, the model itself when only its final output does), or null when all are finite.
     */
    static String firstNonFinite(Module model, Tensor input) {
        if (!input.allFinite()) return "the input batch";
        Tensor[] out = new Tensor[1];
        List<Row> rows = recording(model, () -> {
            try (var g = GradMode.noGrad()) {
                out[0] = model.call(input);
            }
        });
        for (Row r : rows) if (!r.output().allFinite()) return r.module().where();
        return out[0].allFinite() ? null : model.where();
    }

    static String of(Module model, int[] inputShape) {
        boolean wasTraining = model.isTraining();
        Tensor[] result = new Tensor[1];
        List<Row> rows;
        try (var g = GradMode.noGrad()) {
            model.eval();
            rows = recording(model, () -> result[0] = model.call(Tensor.zeros(inputShape)));
        } finally {
            model.train(wasTraining);
        }
        Tensor out = result[0];
        StringBuilder b = new StringBuilder();
        String line = "-".repeat(78) + "\n";
        b.append(String.format(Locale.ROOT, "%-34s %-28s %14s%n", "Layer (path: type)", "Output shape", "Param #"));
        b.append("=".repeat(78)).append('\n');
        b.append(String.format(Locale.ROOT, "%-34s %-28s %14s%n", "input", Shape.str(inputShape), ""));
        java.util.Set<Module> seen = new java.util.HashSet<>();
        for (Row r : rows) {
            Module m = r.module();
            seen.add(m);
            long params = 0;
            for (Tensor p : m.ownParameters().values()) if (p != null) params += p.numel();
            String name = m.path() + ": " + m.getClass().getSimpleName();
            b.append(String.format(
                    Locale.ROOT,
                    "%-34s %-28s %,14d%n",
                    name,
                    Shape.str(r.output().shape()),
                    params));
        }
        List<String> silent = new ArrayList<>();
        for (Module m : model.namedModules().values())
            if (listed(model, m)
                    && !seen.contains(m)
                    && (m.parent() == model || seen.contains(m.parent()) || m.parent() instanceof Sequential))
                silent.add(m.path());
        long total = model.parameterCount(), trainable = 0;
        for (Tensor p : model.parameters()) if (p.requiresGrad()) trainable += p.numel();
        b.append("=".repeat(78)).append('\n');
        b.append(String.format(Locale.ROOT, "Output: %s%n", Shape.str(out.shape())));
        b.append(String.format(Locale.ROOT, "Total params: %,d (%.2f MB as float32)%n", total, total * 4 / 1048576.0));
        b.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        b.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
        if (!silent.isEmpty())
            b.append("Not seen running: ")
                    .append(String.join(", ", silent))
                    .append(" (a forward that calls a layer's forward() directly "
                            + "skips its hooks; call it with call(x))\n");
        b.append(line);
        return b.toString();
    }
}
