package dev.nabla.autograd;

import dev.nabla.Tensor;
import java.util.function.Supplier;

/**
 * The seam through which a model exporter (nabla-onnx's {@code Onnx.export}) sees a forward pass: every op that
 * records itself with {@link Autograd#record} is reported to the thread's {@link Tracer} with its inputs and output,
 * ops whose meaning depends on arguments beyond their tensors (permute's order, a reduction's dims) add them with
 * {@link #note}, and layers with a standard exchange form (linear, conv2d, softmax, batch norm, ...) report
 * themselves whole with {@link #composite}, their inner ops hidden. {@link #module} tells the tracer which module
 * runs, for node names and error messages.
 *
 * <p>Nothing is traced unless a tracer is installed with {@link #run}; the cost otherwise is one volatile read per op.
 * Fusion of conv, ReLU and pooling is off while tracing (the tracer sees the separate ops).
 */
public final class Tracing {
    private Tracing() {}

    /** What a tracer is told; implemented by exporters. */
    public interface Tracer {
        /** An op ran: its name (as in {@link Node#op}), its output and its inputs (null entries for absent ones). */
        void op(String op, Tensor out, Tensor[] inputs);

        /** Arguments of the op that made {@code out}, as alternating names and values (e.g. "dims", int[]). */
        void note(Tensor out, Object[] attributes);

        /**
         * A layer op with a standard exchange form runs: the tracer runs {@code body} (hiding its inner ops) and
         * records one op with these inputs and attributes; returns body's result.
         */
        Tensor composite(String op, Tensor[] inputs, Object[] attributes, Supplier<Tensor> body);

        /** A module at {@code path} ("" for the root) runs {@code body}; returns body's result. */
        Tensor module(String path, String description, Supplier<Tensor> body);
    }

    private static final ThreadLocal<Tracer> CURRENT = new ThreadLocal<>();
    private static volatile int tracing; // the number of threads tracing now: the fast path is one volatile read

    /** Runs body with tracer installed on this thread; returns body's result. */
    public static <T> T run(Tracer tracer, Supplier<T> body) {
        if (CURRENT.get() != null) throw new IllegalStateException("Tracing.run: this thread is already tracing");
        synchronized (Tracing.class) {
            tracing++;
        }
        CURRENT.set(tracer);
        try {
            return body.get();
        } finally {
            CURRENT.remove();
            synchronized (Tracing.class) {
                tracing--;
            }
        }
    }

    /** The tracer of this thread, or null when it is not tracing. */
    public static Tracer current() {
        return tracing == 0 ? null : CURRENT.get();
    }

    /** Whether this thread is tracing. */
    public static boolean active() {
        return current() != null;
    }

    /** Reports an op to this thread's tracer, if any: {@link Autograd#record} does so for every op it records. */
    public static void op(String op, Tensor out, Tensor[] inputs) {
        Tracer t = current();
        if (t != null) t.op(op, out, inputs);
    }

    /** Adds arguments (alternating names and values) to the traced op that made {@code out}; returns out. */
    public static Tensor note(Tensor out, Object... attributes) {
        Tracer t = current();
        if (t != null) t.note(out, attributes);
        return out;
    }

    /**
     * Runs a layer op whose exchange form is one op (e.g. "linear", "conv2d"): traced as one op with these inputs
     * and attributes (alternating names and values), its inner ops hidden. Without a tracer: {@code body.get()}.
     */
    public static Tensor composite(String op, Tensor[] inputs, Object[] attributes, Supplier<Tensor> body) {
        Tracer t = current();
        return t == null ? body.get() : t.composite(op, inputs, attributes, body);
    }

    /** Runs a module's forward, telling the tracer its path. Without a tracer: {@code body.get()}. */
    public static Tensor module(String path, String description, Supplier<Tensor> body) {
        Tracer t = current();
        return t == null ? body.get() : t.module(path, description, body);
    }
}
