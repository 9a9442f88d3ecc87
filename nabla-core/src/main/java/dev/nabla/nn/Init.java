package dev.nabla.nn;

import dev.nabla.Generator;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;

/**
 * Weight initialisation, in place and outside the graph, from a seeded {@link Generator} (the global one when
 * none is given). Names and formulas follow {@code torch.nn.init}.
 */
public final class Init {
    private Init() {}

    /** Which fan scales the Kaiming initialisation. */
    public enum FanMode {
        /** Preserves the variance of the activations in the forward pass. */
        FAN_IN,
        /** Preserves the variance of the gradients in the backward pass. */
        FAN_OUT
    }

    /** fan_in = size(1)·receptive field, fan_out = size(0)·receptive field. */
    public static int[] fans(Tensor t) {
        if (t.rank() < 2)
            throw new IllegalArgumentException(
                    "init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape "
                            + Shape.str(t.shape()) + ")");
        int receptive = 1;
        for (int d = 2; d < t.rank(); d++) receptive *= t.size(d);
        return new int[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    /** The recommended gain for a nonlinearity: linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+a²)), selu 3/4. */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 0.75;
            default -> throw new IllegalArgumentException("init: unsupported nonlinearity '" + nonlinearity + "'");
        };
    }

    private static Tensor write(Tensor t, Tensor values) {
        try (var g = GradMode.noGrad()) {
            t.copy_(values.to(t.dtype()));
        }
        return t;
    }

    /** Fills t from U(a, b) drawn from g. Returns t. */
    public static Tensor uniform_(Tensor t, double a, double b, Generator g) {
        return write(
                t, Tensor.rand(g, dev.nabla.DType.FLOAT64, t.shape()).mul(b - a).add(a));
    }

    /** Fills t from U(a, b) with the global generator. Returns t. */
    public static Tensor uniform_(Tensor t, double a, double b) {
        return uniform_(t, a, b, Generator.global());
    }

    /** Fills t from N(mean, std²) drawn from g. Returns t. */
    public static Tensor normal_(Tensor t, double mean, double std, Generator g) {
        return write(
                t, Tensor.randn(g, dev.nabla.DType.FLOAT64, t.shape()).mul(std).add(mean));
    }

    /** Fills t from N(mean, std²) with the global generator. Returns t. */
    public static Tensor normal_(Tensor t, double mean, double std) {
        return normal_(t, mean, std, Generator.global());
    }

    /** Fills t with v (no gradient recorded). Returns t. */
    public static Tensor constant_(Tensor t, double v) {
        try (var g = GradMode.noGrad()) {
            return t.fill_(v);
        }
    }

    /** Fills t with zeros. Returns t. */
    public static Tensor zeros_(Tensor t) {
        return constant_(t, 0);
    }

    /** Fills t with ones. Returns t. */
    public static Tensor ones_(Tensor t) {
        return constant_(t, 1);
    }

    /** The seeds' rule: N(0, 1/fan_in) (LeCun normal). */
    public static Tensor fanInNormal_(Tensor t, Generator g) {
        return normal_(t, 0, Math.sqrt(1.0 / fans(t)[0]), g);
    }

    /** Xavier (Glorot) uniform initialisation. Returns t. */
    public static Tensor xavierUniform_(Tensor t, double gain, Generator g) {
        int[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform_(t, -bound, bound, g);
    }

    /** Xavier (Glorot) normal initialisation. Returns t. */
    public static Tensor xavierNormal_(Tensor t, double gain, Generator g) {
        int[] f = fans(t);
        return normal_(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), g);
    }

    /** He/Kaiming uniform: bound = gain·√(3/fan), gain from the nonlinearity with negative slope a. */
    public static Tensor kaimingUniform_(Tensor t, double a, FanMode mode, String nonlinearity, Generator g) {
        int[] f = fans(t);
        double std = calculateGain(nonlinearity, a) / Math.sqrt(mode == FanMode.FAN_IN ? f[0] : f[1]);
        double bound = Math.sqrt(3.0) * std;
        return uniform_(t, -bound, bound, g);
    }

    /** Kaiming-normal initialisation (He et al.), as PyTorch's kaiming_normal_. Returns t. */
    public static Tensor kaimingNormal_(Tensor t, double a, FanMode mode, String nonlinearity, Generator g) {
        int[] f = fans(t);
        return normal_(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(mode == FanMode.FAN_IN ? f[0] : f[1]), g);
    }

    /** PyTorch's default for Linear and Conv2d: weight kaiming_uniform(a=√5), bias U(−1/√fan_in, 1/√fan_in). */
    static void torchDefault(Tensor weight, Tensor bias, Generator g) {
        kaimingUniform_(weight, Math.sqrt(5), FanMode.FAN_IN, "leaky_relu", g);
        if (bias != null) {
            double bound = 1.0 / Math.sqrt(fans(weight)[0]);
            uniform_(bias, -bound, bound, g);
        }
    }
}
