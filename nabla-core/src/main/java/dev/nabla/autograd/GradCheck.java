package dev.nabla.autograd;

import dev.nabla.DType;
import dev.nabla.Tensor;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Compares analytic gradients with central differences in float64, for any function of tensors, with PyTorch's
 * defaults (eps 1e-6, atol 1e-5, rtol 1e-3). The full Jacobian is compared: each output element is
 * backpropagated and each input element perturbed. On failure the report names the worst element.
 */
public final class GradCheck {
    /** Defaults: central-difference step, absolute and relative tolerance. */
    public static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

    private GradCheck() {}

    /** The outcome: whether it passed and, for the worst element, where it was and both values. */
    public record Result(
            boolean passed, int input, int[] index, int outputElement, double analytic, double numeric, double excess) {
        @Override
        public String toString() {
            if (input < 0) return "gradcheck passed (no differentiable inputs)";
            return (passed ? "gradcheck passed; worst element: " : "gradcheck FAILED: ") + "input " + input + " index "
                    + Arrays.toString(index) + ", output element " + outputElement + ": analytic " + analytic
                    + " vs numerical " + numeric
                    + (passed ? "" : " (exceeds atol + rtol*|numerical| by " + excess + ")");
        }
    }

    /** Compares autograd's gradient of f with central differences, with the default step and tolerances. */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, EPS, ATOL, RTOL, inputs);
    }

    /** Throws an AssertionError with the report when the check fails; returns the result otherwise. */
    public static Result assertPasses(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result r = check(f, inputs);
        if (!r.passed()) throw new AssertionError(r.toString());
        return r;
    }

    /** Compares autograd's gradient of f with central differences in float64, with the given step and tolerances. */
    public static Result check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            xs[i] = t.dtype().isFloatingPoint()
                    ? t.to(DType.FLOAT64).contiguous().detach().clone()
                    : t;
            if (t.dtype().isFloatingPoint() && t.requiresGrad()) xs[i].requiresGrad_(true);
        }
        Tensor y;
        try (var g = GradMode.enableGrad()) {
            y = f.apply(xs);
        }
        int m = y.numel();
        double[] y0 = y.to(DType.FLOAT64).contiguous().toDoubleArray();
        // analytic: one backward per output element
        double[][][] analytic = new double[xs.length][][];
        for (int i = 0; i < xs.length; i++) if (xs[i].requiresGrad()) analytic[i] = new double[m][xs[i].numel()];
        java.util.List<Integer> diffInputs = new java.util.ArrayList<>();
        for (int i = 0; i < xs.length; i++) if (xs[i].requiresGrad()) diffInputs.add(i);
        if (diffInputs.isEmpty()) return new Result(true, -1, new int[0], -1, 0, 0, 0);
        Tensor[] wrt = diffInputs.stream().map(i -> xs[i]).toArray(Tensor[]::new);
        for (int o = 0; o < m && y.requiresGrad(); o++) {
            Tensor e = Tensor.zeros(DType.FLOAT64, m);
            e.storage().set(o, 1.0);
            Tensor[] gs = Autograd.grad(
                    new Tensor[] {y}, wrt, new Tensor[] {e.reshape(y.shape()).to(y.dtype())}, true, false, true);
            for (int q = 0; q < wrt.length; q++)
                analytic[diffInputs.get(q)][o] =
                        gs[q].to(DType.FLOAT64).contiguous().toDoubleArray();
        }
        Result worst = null;
        double worstExcess = Double.NEGATIVE_INFINITY;
        for (int i : diffInputs) {
            Tensor x = xs[i];
            double[] data = x.storage().doubles();
            int n = x.numel();
            for (int j = 0; j < n; j++) {
                double orig = data[j];
                data[j] = orig + eps;
                double[] plus = eval(f, xs);
                data[j] = orig - eps;
                double[] minus = eval(f, xs);
                data[j] = orig;
                for (int o = 0; o < m; o++) {
                    double num = (plus[o] - minus[o]) / (2 * eps);
                    double ana = analytic[i][o][j];
                    double excess = Math.abs(ana - num) - (atol + rtol * Math.abs(num));
                    if (Double.isNaN(ana) != Double.isNaN(num)) excess = Double.POSITIVE_INFINITY;
                    if (excess > worstExcess) {
                        worstExcess = excess;
                        worst = new Result(excess <= 0, i, unravel(j, x.shape()), o, ana, num, excess);
                    }
                }
            }
        }
        if (worst == null) return new Result(true, diffInputs.get(0), new int[0], -1, 0, 0, 0);
        return worst;
    }

    /**
     * The second-order check (PyTorch's gradgradcheck): the first-order gradients of f for a fixed random
     * grad_output, computed with createGraph, must themselves pass {@link #check}, i.e. the backward of every op
     * in f is differentiable and its derivative is right.
     */
    public static Result checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(
                xs -> {
                    try (var g = GradMode.enableGrad()) {
                        java.util.List<Tensor> wrt = new java.util.ArrayList<>();
                        for (Tensor x : xs) if (x.requiresGrad()) wrt.add(x);
                        Tensor y = f.apply(xs);
                        if (!y.requiresGrad()) return Tensor.zeros(DType.FLOAT64, 0);
                        Tensor v = Tensor.randn(new dev.nabla.Generator(7), DType.FLOAT64, y.shape())
                                .to(y.dtype());
                        Tensor[] gs = Autograd.grad(
                                new Tensor[] {y}, wrt.toArray(Tensor[]::new), new Tensor[] {v}, true, true, true);
                        Tensor[] flat = new Tensor[gs.length];
                        for (int i = 0; i < gs.length; i++) flat[i] = gs[i].reshape(-1);
                        return flat.length == 1 ? flat[0] : Tensor.cat(flat, 0);
                    }
                },
                EPS,
                ATOL,
                RTOL,
                inputs);
    }

    private static double[] eval(Function<Tensor[], Tensor> f, Tensor[] xs) {
        try (var g = GradMode.noGrad()) {
            return f.apply(xs).to(DType.FLOAT64).contiguous().toDoubleArray();
        }
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }
}
