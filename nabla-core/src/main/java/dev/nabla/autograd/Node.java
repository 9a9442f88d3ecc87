package dev.nabla.autograd;

import dev.nabla.Tensor;

/**
 * The grad function of one op output: the op's name, its inputs and the closure that maps the output gradient to
 * one gradient per input (null where an input needs none). The closure holds the saved tensors; the engine drops
 * it after use unless the graph is retained.
 */
public final class Node {
    private final String op;
    private final Tensor[] inputs;
    private Backward backward;
    private Tensor[] saved = new Tensor[0];
    private int[] savedVersions = new int[0];

    /** The gradient function of an op. */
    @FunctionalInterface
    public interface Backward {
        /** The gradients of the inputs (null where none flows) from the output's gradient. */
        Tensor[] apply(Tensor gradOutput);
    }

    /** A node for op with its inputs and gradient function. */
    public Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** The op's name (e.g. convolution_relu_max_pool2d). */
    public String op() {
        return op;
    }

    /** The op's inputs (null entries for absent ones). */
    public Tensor[] inputs() {
        return inputs;
    }

    /** PyTorch-style name, e.g. {@code MulBackward}. */
    public String name() {
        StringBuilder b = new StringBuilder();
        boolean up = true;
        for (char ch : op.toCharArray()) {
            if (ch == '_') {
                up = true;
                continue;
            }
            b.append(up ? Character.toUpperCase(ch) : ch);
            up = false;
        }
        return b + "Backward";
    }

    Backward backward() {
        return backward;
    }

    /** Remembers the tensors the backward reads and their versions now, to detect a later in-place change. */
    void save(Tensor[] tensors) {
        saved = tensors;
        savedVersions = new int[tensors.length];
        for (int i = 0; i < tensors.length; i++) savedVersions[i] = tensors[i] == null ? 0 : tensors[i].version();
    }

    /** PyTorch's error when a saved tensor was modified in place after the forward pass. */
    void checkSaved() {
        for (int i = 0; i < saved.length; i++) {
            Tensor t = saved[i];
            if (t != null && t.version() != savedVersions[i])
                throw new IllegalStateException(
                        "one of the variables needed for gradient computation has been modified by an inplace operation: ["
                                + t.dtype() + " " + dev.nabla.Shape.str(t.shape()) + "], saved by " + name()
                                + ", is at version " + t.version()
                                + "; expected version " + savedVersions[i]
                                + " instead. Hint: use the out-of-place form of the op, or clone() the tensor before changing it.");
        }
    }

    void release() {
        backward = null;
        saved = new Tensor[0];
        savedVersions = new int[0];
    }

    @Override
    public String toString() {
        return "<" + name() + ">";
    }
}
