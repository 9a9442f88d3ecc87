package dev.nabla.nn;

import dev.nabla.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Modules held in a list, registered as children "0", "1", ... (PyTorch's {@code nn.ModuleList}): their parameters
 * belong to the owner, and the owner's forward decides how to run them.
 *
 * @param <M> the type of the modules held
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> modules = new ArrayList<>();

    /** A list holding these modules, in order. */
    @SafeVarargs
    public ModuleList(M... modules) {
        for (M m : modules) add(m);
    }

    /** Appends m as child "size()"; returns it. */
    public M add(M m) {
        modules.add(child(Integer.toString(modules.size()), m));
        return m;
    }

    /** Module i. */
    public M get(int i) {
        return modules.get(i);
    }

    /** The number of modules. */
    public int size() {
        return modules.size();
    }

    @Override
    public Iterator<M> iterator() {
        return List.copyOf(modules).iterator();
    }

    /** A ModuleList has no forward of its own (as in PyTorch): an error that says so. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(where() + ": a ModuleList has no forward; run its modules in the"
                + " owner's forward (for (var m : list) x = m.call(x)), or use Sequential");
    }
}
