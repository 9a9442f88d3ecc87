package dev.nabla.autograd;

/**
 * Whether ops record the graph, per thread. {@code try (var g = GradMode.noGrad()) { ... }} switches recording off
 * for a scope, as {@code torch.no_grad()}.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    /** Whether ops on this thread record the graph (false inside {@link #noGrad}). */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Sets the mode and returns a scope that restores the previous one on close. */
    public static Scope set(boolean enabled) {
        boolean[] cell = ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return () -> cell[0] = previous;
    }

    /** A scope in which no op records the graph. */
    public static Scope noGrad() {
        return set(false);
    }

    /** A scope in which ops record the graph again (inside a noGrad scope). */
    public static Scope enableGrad() {
        return set(true);
    }

    /** A try-with-resources scope that throws nothing on close. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
