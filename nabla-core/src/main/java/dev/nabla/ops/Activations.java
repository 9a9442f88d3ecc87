package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradMode;
import dev.nabla.autograd.Tracing;
import dev.nabla.backend.UnaryOp;

/** relu, sigmoid, tanh, gelu (erf and tanh forms), softmax, logSoftmax and the Heaviside step. */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private Activations() {}

    /** max(x, 0); the gradient at exactly 0 is 0, as PyTorch defines it. */
    public static Tensor relu(Tensor x) {
        Tensor fused = Fusion.relu(x);
        if (fused != null) return fused;
        requireFloat("relu", x);
        Tensor out = Tensor.wrap(x.backend().relu(x.storage(), x.layout()), x.shape());
        return Autograd.record("relu", out, Autograd.saved(out), g -> new Tensor[] {reluBackward(g, out.detach())}, x);
    }

    /** g where out > 0, else 0. */
    static Tensor reluBackward(Tensor g, Tensor out) {
        if (GradMode.isEnabled()) return g.mul(out.gt(0.0)); // keeps the graph for higher-order gradients
        if (!java.util.Arrays.equals(g.shape(), out.shape()))
            g = g.expand(out.shape()).contiguous();
        return Tensor.wrap(g.backend().reluBackward(g.storage(), g.layout(), out.storage(), out.layout()), out.shape());
    }

    /** 1 / (1 + exp(-x)), element-wise; backward from the output. */
    public static Tensor sigmoid(Tensor x) {
        requireFloat("sigmoid", x);
        Tensor out = Elementwise.map(x, UnaryOp.SIGMOID);
        return Autograd.record(
                "sigmoid",
                out,
                Autograd.saved(out),
                g -> new Tensor[] {g.mul(out.mul(out.rsub(1.0)))},
                x); // from out itself: twice differentiable
    }

    /** tanh(x), element-wise; backward from the output (1 - y²). */
    public static Tensor tanh(Tensor x) {
        requireFloat("tanh", x);
        Tensor out = Elementwise.map(x, UnaryOp.TANH);
        return Autograd.record(
                "tanh",
                out,
                Autograd.saved(out),
                g -> new Tensor[] {g.mul(out.mul(out).rsub(1.0))},
                x);
    }

    /**
     * GELU: x·Φ(x) with the exact normal CDF, or its tanh approximation. The backward is written with differentiable
     * ops (Φ through {@link #normalCdf}), so GELU has second derivatives too.
     */
    public static Tensor gelu(Tensor x, boolean tanhApproximation) {
        requireFloat("gelu", x);
        return Tracing.composite(
                "gelu", new Tensor[] {x}, new Object[] {"tanh", tanhApproximation}, () -> geluOf(x, tanhApproximation));
    }

    private static Tensor geluOf(Tensor x, boolean tanhApproximation) {
        if (tanhApproximation) {
            Tensor out = Elementwise.map(x, UnaryOp.GELU_TANH);
            return Autograd.record(
                    "gelu",
                    out,
                    Autograd.saved(x),
                    g -> {
                        // d/dx = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²), t = tanh(√(2/π)·(x +
                        // 0.044715·x³))
                        Tensor x2 = x.mul(x);
                        Tensor t = x.add(x2.mul(x).mul(0.044715))
                                .mul(SQRT_2_OVER_PI)
                                .tanh();
                        Tensor d = t.add(1.0)
                                .mul(0.5)
                                .add(x.mul(0.5)
                                        .mul(t.mul(t).rsub(1.0))
                                        .mul(x2.mul(3 * 0.044715).add(1.0).mul(SQRT_2_OVER_PI)));
                        return new Tensor[] {g.mul(d)};
                    },
                    x);
        }
        Tensor out = Elementwise.map(x, UnaryOp.GELU_ERF);
        return Autograd.record(
                "gelu",
                out,
                Autograd.saved(x),
                g -> new Tensor[] {g.mul(normalCdf(x).add(x.mul(normalPdf(x))))},
                x); // Φ(x) + x·φ(x)
    }

    /** Φ(x), the standard normal CDF; its gradient φ(x) = e^{−x²/2}/√(2π) is made of differentiable ops. */
    static Tensor normalCdf(Tensor x) {
        Tensor out = Elementwise.map(x, UnaryOp.NORMAL_CDF);
        return Autograd.record("normal_cdf", out, g -> new Tensor[] {g.mul(normalPdf(x))}, x);
    }

    /** erf(x) = 2·Φ(x·√2) − 1, element-wise (ONNX's Erf); differentiable through {@link #normalCdf}. */
    public static Tensor erf(Tensor x) {
        requireFloat("erf", x);
        return normalCdf(x.mul(Math.sqrt(2))).mul(2.0).sub(1.0);
    }

    private static Tensor normalPdf(Tensor x) {
        return x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI);
    }

    /**
     * softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^{−|x|}) (no overflow, no threshold); the gradient is
     * sigmoid(x) everywhere, 1/2 at exactly 0, and is itself differentiable. The losses on logits build on it.
     */
    public static Tensor softplus(Tensor x) {
        requireFloat("softplus", x);
        Tensor out = Elementwise.map(x, UnaryOp.SOFTPLUS);
        return Autograd.record("softplus", out, Autograd.saved(x), g -> new Tensor[] {g.mul(x.sigmoid())}, x);
    }

    /** exp(x) / sum(exp(x)) along dim, computed after subtracting the max for stability. */
    public static Tensor softmax(Tensor x, int dim) {
        requireFloat("softmax", x);
        int d = Shape.dim("softmax", dim, x.rank());
        return Tracing.composite("softmax", new Tensor[] {x}, new Object[] {"dim", d}, () -> softmaxOf(x, d));
    }

    private static Tensor softmaxOf(Tensor x, int d) {
        if (x.rank() == 0) return Tensor.onesLike(x).add(x.mul(0.0));
        if (x.numel() == 0) return x.mul(1.0); // an empty result of the same shape, as PyTorch
        Tensor shifted = x.sub(x.detach().max(d, true).clampMin(-Double.MAX_VALUE));
        Tensor e = shifted.exp();
        return e.div(e.sum(d, true));
    }

    /** x - logsumexp(x) along dim, numerically stable. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        requireFloat("logSoftmax", x);
        int d = Shape.dim("logSoftmax", dim, x.rank());
        return Tracing.composite("log_softmax", new Tensor[] {x}, new Object[] {"dim", d}, () -> logSoftmaxOf(x, d));
    }

    private static Tensor logSoftmaxOf(Tensor x, int d) {
        if (x.rank() == 0) return x.mul(0.0);
        if (x.numel() == 0) return x.mul(1.0);
        Tensor shifted = x.sub(x.detach().max(d, true).clampMin(-Double.MAX_VALUE));
        return shifted.sub(shifted.exp().sum(d, true).log());
    }

    /** 1 where x > 0, {@code atZero} where x == 0, else 0. Not differentiable: the result needs no gradient. */
    public static Tensor heaviside(Tensor x, double atZero) {
        return Tracing.composite(
                "step",
                new Tensor[] {x},
                new Object[] {"atZero", atZero},
                () -> Elementwise.map(x, x.dtype() == DType.BOOL ? DType.FLOAT32 : x.dtype(), UnaryOp.STEP, atZero, 0));
    }

    private static void requireFloat(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException(
                    op + ": expected a floating point tensor, got " + x.dtype() + " of shape " + Shape.str(x.shape()));
    }
}
