package dev.nabla.data;

import dev.nabla.Generator;
import dev.nabla.Tensor;

/** The seeds' small data sets: logic gates, the XOR points, and noisy polynomial data. */
public final class Synthetic {
    private Synthetic() {}

    /** The four inputs of a two-input gate, [4, 2] in {0, 1}. */
    public static Tensor gateInputs() {
        return Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
    }

    /** Gate outputs in {0, 1} for AND, OR, NAND, NOR, XOR, for the rows of {@link #gateInputs}. */
    public static Tensor gateTargets(String gate) {
        float[] t = switch (gate.toUpperCase()) {
            case "AND" -> new float[] {0, 0, 0, 1};
            case "OR" -> new float[] {0, 1, 1, 1};
            case "NAND" -> new float[] {1, 1, 1, 0};
            case "NOR" -> new float[] {1, 0, 0, 0};
            case "XOR" -> new float[] {0, 1, 1, 0};
            default -> throw new IllegalArgumentException("unknown gate '" + gate + "' (AND, OR, NAND, NOR, XOR)");
        };
        return Tensor.of(t);
    }

    /** n points uniform in [−1, 1]², label (x1 ≥ 0) xor (x2 ≥ 0) as float 0/1 of shape [n, 1]. */
    public static TensorDataset xor(int n, Generator g) {
        Tensor x = Tensor.rand(g, n, 2).mul(2.0).sub(1.0);
        float[] xs = x.toFloatArray(), y = new float[n];
        for (int i = 0; i < n; i++) y[i] = (xs[2 * i] >= 0) != (xs[2 * i + 1] >= 0) ? 1f : 0f;
        return new TensorDataset(x, Tensor.of(y, n, 1));
    }

    /** x uniform in [lo, hi], y = Σ coefficients[k]·x^k + N(0, noise²); x and y of shape [n, 1]. */
    public static TensorDataset polynomial(
            int n, double[] coefficients, double lo, double hi, double noise, Generator g) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            double v = lo + (hi - lo) * g.nextDouble(), s = 0, p = 1;
            for (double c : coefficients) {
                s += c * p;
                p *= v;
            }
            x[i] = (float) v;
            y[i] = (float) (s + noise * g.nextGaussian());
        }
        return new TensorDataset(Tensor.of(x, n, 1), Tensor.of(y, n, 1));
    }
}
