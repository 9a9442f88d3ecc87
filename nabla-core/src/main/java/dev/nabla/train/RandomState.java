package dev.nabla.train;

import dev.nabla.Generator;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The random-generator states a training run depends on: the global generator (initial weights, Dropout by default)
 * and every generator a layer of the model owns, by the layer's path. Checkpoints save them so that a resumed run
 * draws the same dropout masks as an uninterrupted one; the trainer saves and restores them around a diagnostic
 * forward pass so that diagnosing does not change the run.
 */
final class RandomState {
    static final String GLOBAL = "global";

    private RandomState() {}

    static Map<String, Generator> generators(Module model) {
        Map<String, Generator> out = new LinkedHashMap<>();
        out.put(GLOBAL, Generator.global());
        model.namedModules().forEach((path, m) -> {
            if (m instanceof Dropout d && d.generator() != Generator.global()) out.put(path, d.generator());
        });
        return out;
    }

    static Map<String, long[]> capture(Module model) {
        Map<String, long[]> out = new LinkedHashMap<>();
        generators(model).forEach((k, g) -> out.put(k, g.getState()));
        return out;
    }

    static void restore(Module model, Map<String, long[]> states) {
        generators(model).forEach((k, g) -> {
            long[] s = states.get(k);
            if (s != null) g.setState(s);
        });
    }
}
