package dev.nabla.nn;

import dev.nabla.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Modules held by name in insertion order, registered as children under those names (PyTorch's
 * {@code nn.ModuleDict}).
 *
 * @param <M> the type of the modules held
 */
public final class ModuleDict<M extends Module> extends Module {
    private final Map<String, M> modules = new LinkedHashMap<>();

    /** An empty dict. */
    public ModuleDict() {}

    /** Adds m under name (no dots; not already used); returns it. */
    public M put(String name, M m) {
        modules.put(name, child(name, m));
        return m;
    }

    /** The module under name, or null. */
    public M get(String name) {
        return modules.get(name);
    }

    /** The modules by name, in insertion order (read-only). */
    public Map<String, M> asMap() {
        return Collections.unmodifiableMap(modules);
    }

    /** A ModuleDict has no forward of its own (as in PyTorch): an error that says so. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(
                where() + ": a ModuleDict has no forward; run its modules in the owner's forward");
    }
}
