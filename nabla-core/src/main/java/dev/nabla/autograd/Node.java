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

    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    public Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

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

    void release() {
        backward = null;
    }

    @Override
    public String toString() {
        return "<" + name() + ">";
    }
}
