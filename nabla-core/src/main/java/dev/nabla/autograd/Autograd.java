package dev.nabla.autograd;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward engine (micrograd's, made iterative) and the functional API: {@link #grad}, {@link #vjp},
 * {@link #jacobian}. Gradients are summed back to each input's broadcast shape here, in one place.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * Attaches a grad function to {@code out} when grad mode is on and any input requires a gradient. Ops call
     * this right after computing their forward result, with their backward written next to it.
     */
    public static Tensor record(String op, Tensor out, Node.Backward backward, Tensor... inputs) {
        return record(op, out, null, backward, inputs);
    }

    /**
     * As {@link #record(String, Tensor, Node.Backward, Tensor...)}, naming the tensors the backward reads ({@code saved},
     * e.g. both factors of mul, the output of exp): their version counters are remembered, and a backward after one
     * of them was modified in place fails with PyTorch's error instead of silently using the new values.
     */
    public static Tensor record(String op, Tensor out, Tensor[] saved, Node.Backward backward, Tensor... inputs) {
        Tracing.op(op, out, inputs);
        // a view: remember its base (a deferred result is never a view, and asking would compute it)
        if (inputs.length > 0
                && inputs[0] != null
                && out != inputs[0]
                && out.pending() == null
                && inputs[0].pending() == null
                && out.storage() == inputs[0].storage())
            out.setViewBase(inputs[0].viewBase() != null ? inputs[0].viewBase() : inputs[0]);
        if (!GradMode.isEnabled() || !out.dtype().isFloatingPoint()) return out;
        boolean any = false;
        for (Tensor t : inputs)
            if (t != null && t.requiresGrad()) {
                any = true;
                break;
            }
        if (!any) return out;
        Node node = new Node(op, inputs, backward);
        if (saved != null) node.save(saved);
        out.attachGradFn(node);
        return out;
    }

    /** Readability helper for {@link #record(String, Tensor, Tensor[], Node.Backward, Tensor...)}: {@code saved(a, b)}. */
    public static Tensor[] saved(Tensor... tensors) {
        return tensors;
    }

    /**
     * Marks a gradient computed by a dedicated kernel (conv, pooling) as not differentiable again: when the backward
     * runs with createGraph, the result gets a node that refuses, with a message naming the op, to be backpropagated
     * through. First-order gradients with createGraph keep working; only a gradient of such a gradient fails.
     */
    public static Tensor onceDifferentiable(String op, Tensor grad, Tensor... inputs) {
        if (grad == null) return null;
        return record(
                op + "_backward",
                grad,
                gg -> {
                    throw new UnsupportedOperationException(
                            op + ": double backward (the gradient of its gradient, e.g. for a Hessian-vector product "
                                    + "or a gradient penalty) is not supported; its backward runs on dedicated kernels");
                },
                inputs);
    }

    /** Backpropagates from {@code root}, accumulating into the {@code grad} of every leaf that requires one. */
    public static void backward(Tensor root, Tensor gradient, boolean retainGraph, boolean createGraph) {
        if (!root.requiresGrad())
            throw new IllegalStateException(
                    "backward: element 0 of tensors does not require grad and does not have a grad_fn" + " (shape "
                            + Shape.str(root.shape())
                            + "); call requiresGrad_(true) on the leaves you differentiate with respect to");
        Tensor seed = seedGradient("backward", root, gradient);
        run(new Tensor[] {root}, new Tensor[] {seed}, retainGraph, createGraph, null);
    }

    private static Tensor seedGradient(String op, Tensor root, Tensor gradient) {
        if (gradient == null) {
            if (root.numel() != 1)
                throw new IllegalStateException(
                        op + ": grad can be implicitly created only for scalar outputs, but the output has shape "
                                + Shape.str(root.shape()) + "; pass a gradient of that shape (backward(gradient))");
            return Tensor.onesLike(root);
        }
        if (!java.util.Arrays.equals(gradient.shape(), root.shape()))
            throw new IllegalArgumentException(op + ": gradient has shape " + Shape.str(gradient.shape())
                    + " but the output has shape " + Shape.str(root.shape()));
        return gradient.to(root.dtype());
    }

    /**
     * Gradients of the sum of {@code outputs} (weighted by {@code gradOutputs}, null meaning ones for scalars) with
     * respect to {@code inputs}, without touching any {@code grad} field, as {@code torch.autograd.grad}. An input
     * the outputs do not depend on gets a zero gradient when {@code allowUnused}, an error otherwise.
     */
    public static Tensor[] grad(
            Tensor[] outputs,
            Tensor[] inputs,
            Tensor[] gradOutputs,
            boolean retainGraph,
            boolean createGraph,
            boolean allowUnused) {
        Tensor[] seeds = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            if (!outputs[i].requiresGrad())
                throw new IllegalStateException(
                        "grad: output " + i + " does not require grad and does not have a grad_fn");
            seeds[i] = seedGradient("grad", outputs[i], gradOutputs == null ? null : gradOutputs[i]);
        }
        for (int i = 0; i < inputs.length; i++)
            if (!inputs[i].requiresGrad())
                throw new IllegalStateException(
                        "grad: input " + i + " (shape " + Shape.str(inputs[i].shape()) + ") does not require grad");
        Tensor[] result = run(outputs, seeds, retainGraph, createGraph, inputs);
        for (int i = 0; i < inputs.length; i++) {
            if (result[i] == null) {
                if (!allowUnused)
                    throw new IllegalStateException("grad: input " + i + " (shape " + Shape.str(inputs[i].shape())
                            + ") was not used in the graph of the outputs; pass allowUnused=true to get zeros");
                result[i] = Tensor.zerosLike(inputs[i]);
            }
        }
        return result;
    }

    /** d(output)/d(inputs) for a scalar output. */
    public static Tensor[] grad(Tensor output, Tensor... inputs) {
        return grad(new Tensor[] {output}, inputs, null, false, false, false);
    }

    /** Vector-Jacobian product vᵀ·J of f at x: returns f(x) and the product, as {@code torch.autograd.functional.vjp}. */
    public static Tensor[] vjp(java.util.function.Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        Tensor xi = x.detach().requiresGrad_(true);
        Tensor y;
        try (var g = GradMode.enableGrad()) {
            y = f.apply(xi);
        }
        if (!y.requiresGrad()) return new Tensor[] {y, Tensor.zerosLike(x)};
        Tensor[] r = grad(new Tensor[] {y}, new Tensor[] {xi}, new Tensor[] {v}, false, false, true);
        return new Tensor[] {y.detach(), r[0]};
    }

    /**
     * The Jacobian of f at x, of shape {@code f(x).shape ++ x.shape}, built row by row from vector-Jacobian
     * products, as {@code torch.autograd.functional.jacobian}.
     */
    public static Tensor jacobian(java.util.function.Function<Tensor, Tensor> f, Tensor x) {
        Tensor xi = x.detach().requiresGrad_(true);
        Tensor y;
        try (var g = GradMode.enableGrad()) {
            y = f.apply(xi);
        }
        int m = y.numel(), n = x.numel();
        Tensor[] rows = new Tensor[m];
        for (int i = 0; i < m; i++) {
            if (!y.requiresGrad()) {
                rows[i] = Tensor.zeros(x.dtype(), n);
                continue;
            }
            Tensor e = Tensor.zeros(y.dtype(), m);
            e.storage().set(i, 1.0);
            Tensor[] r =
                    grad(new Tensor[] {y}, new Tensor[] {xi}, new Tensor[] {e.reshape(y.shape())}, true, false, true);
            rows[i] = r[0].reshape(n);
        }
        int[] shape = new int[y.rank() + x.rank()];
        System.arraycopy(y.shape(), 0, shape, 0, y.rank());
        System.arraycopy(x.shape(), 0, shape, y.rank(), x.rank());
        if (m == 0) return Tensor.zeros(x.dtype(), shape);
        return Tensor.stack(rows, 0).reshape(shape);
    }

    /** Sums g over the dims along which {@code shape} was broadcast, so that the result has exactly {@code shape}. */
    public static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (java.util.Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        if (lead < 0)
            throw new IllegalStateException("autograd: gradient of shape " + Shape.str(gs)
                    + " cannot be reduced to input shape " + Shape.str(shape));
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < gs.length; d++) {
            if (d < lead) dims.add(d);
            else if (shape[d - lead] == 1 && gs[d] != 1) dims.add(d);
            else if (shape[d - lead] != gs[d])
                throw new IllegalStateException("autograd: gradient of shape " + Shape.str(gs)
                        + " does not broadcast to input shape " + Shape.str(shape));
        }
        Tensor r = dims.isEmpty()
                ? g
                : g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return r.reshape(shape);
    }

    /** The engine: reverse topological order over the graph of the roots, without recursion. */
    private static Tensor[] run(
            Tensor[] roots, Tensor[] seeds, boolean retainGraph, boolean createGraph, Tensor[] inputs) {
        List<Tensor> order = topologicalOrder(roots);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        for (int i = 0; i < roots.length; i++) grads.merge(roots[i], seeds[i], Tensor::add);
        Map<Tensor, Integer> wanted = new IdentityHashMap<>();
        if (inputs != null) for (int i = 0; i < inputs.length; i++) wanted.put(inputs[i], i);
        Tensor[] captured = inputs == null ? null : new Tensor[inputs.length];
        try (var mode = GradMode.set(createGraph)) {
            for (int idx = order.size() - 1; idx >= 0; idx--) {
                Tensor t = order.get(idx);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                if (inputs != null) {
                    Integer at = wanted.get(t);
                    if (at != null) captured[at] = g;
                } else if (t.isLeaf() || t.retainsGrad()) {
                    t.accumulateGrad(g);
                    if (t.isLeaf()) t.runPostAccumulateGradHooks();
                }
                Node node = t.gradFn();
                if (node == null) continue;
                Node.Backward fn = node.backward();
                if (fn == null)
                    throw new IllegalStateException(
                            "backward: trying to backward through the graph a second time (or to reach "
                                    + "saved tensors of " + node.name()
                                    + " after they were freed); pass retainGraph=true to the first backward call");
                node.checkSaved();
                Tensor[] gs = fn.apply(g);
                if (!retainGraph) node.release();
                Tensor[] ins = node.inputs();
                for (int i = 0; i < ins.length; i++) {
                    Tensor in = ins[i];
                    if (in == null || gs[i] == null || !in.requiresGrad()) continue;
                    Tensor gi = sumToShape(gs[i], in.shape());
                    if (gi.dtype() != in.dtype()) gi = gi.to(in.dtype());
                    grads.merge(in, gi, Tensor::add);
                }
            }
        }
        return captured;
    }

    private static List<Tensor> topologicalOrder(Tensor[] roots) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        for (Tensor r : roots) {
            if (seen.containsKey(r)) continue;
            seen.put(r, Boolean.TRUE);
            stack.push(new Object[] {r, 0});
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Tensor t = (Tensor) frame[0];
                int next = (Integer) frame[1];
                Tensor[] ins = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
                boolean pushed = false;
                while (next < ins.length) {
                    Tensor in = ins[next++];
                    if (in != null && in.requiresGrad() && !seen.containsKey(in)) {
                        seen.put(in, Boolean.TRUE);
                        frame[1] = next;
                        stack.push(new Object[] {in, 0});
                        pushed = true;
                        break;
                    }
                }
                if (!pushed) {
                    stack.pop();
                    order.add(t);
                }
            }
        }
        return order;
    }
}
