package dev.nabla;

/**
 * Removes the hook it was returned for (module forward hooks, tensor gradient hooks); closing it does the same
 * (try-with-resources). Removing twice is harmless.
 */
@FunctionalInterface
public interface HookHandle extends AutoCloseable {
    /** Removes the hook. */
    void remove();

    @Override
    default void close() {
        remove();
    }
}
