package dev.nabla.backend.cpu;

import dev.nabla.backend.BinaryOp;
import dev.nabla.backend.UnaryOp;

/**
 * The plain float32 loops of the element-wise op codes: what runs without the Vector API, and the twins that
 * {@link VectorElementwise}'s kernels are tested against. Each result is the op's double definition rounded to float
 * ({@link UnaryOp#apply}, {@link BinaryOp#apply}); the arithmetic ops have their own loops, which C2 vectorises.
 */
final class ScalarElementwise {
    private ScalarElementwise() {}

    /** out[outOff + i] = op(x[xOff + i]) for i in [0, n). */
    static void unary(UnaryOp op, double p, double q, float[] x, int xOff, float[] out, int outOff, int n) {
        switch (op) {
            case NEG -> {
                for (int i = 0; i < n; i++) out[outOff + i] = -x[xOff + i];
            }
            case ABS -> {
                for (int i = 0; i < n; i++) out[outOff + i] = Math.abs(x[xOff + i]);
            }
            case SQRT -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) Math.sqrt(x[xOff + i]);
            }
            case GELU_ERF -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) (x[xOff + i] * normalCdf(x[xOff + i]));
            }
            case NORMAL_CDF -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) normalCdf(x[xOff + i]);
            }
            default -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) op.apply(x[xOff + i], p, q);
            }
        }
    }

    private static final double INV_SQRT_2 = 1 / Math.sqrt(2);

    /**
     * Φ(x) for float32 results: from erfc by the Chebyshev fit of Numerical Recipes (erfcc, W. H. Press et al., 2nd ed.,
     * §6.2), whose fractional error is below 1.2e-7 everywhere, so Φ keeps that relative accuracy in both tails (1 −
     * erf would lose it for negative x). The float64 path uses the exact series ({@link dev.nabla.backend.Erf}): this one
     * is for float32 only, where it is 2-3 float ulps and 20-50x faster than the series.
     */
    static double normalCdf(double x) {
        if (Double.isNaN(x)) return x;
        double z = Math.abs(x) * INV_SQRT_2, t = 1 / (1 + 0.5 * z);
        double erfc = t
                * Math.exp(
                        -z * z
                                - 1.26551223
                                + t
                                        * (1.00002368
                                                + t
                                                        * (0.37409196
                                                                + t
                                                                        * (0.09678418
                                                                                + t
                                                                                        * (-0.18628806
                                                                                                + t
                                                                                                        * (0.27886807
                                                                                                                + t
                                                                                                                        * (-1.13520398
                                                                                                                                + t
                                                                                                                                        * (1.48851587
                                                                                                                                                + t
                                                                                                                                                        * (-0.82215223
                                                                                                                                                                + t
                                                                                                                                                                        * 0.17087277)))))))));
        return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }

    /** out[outOff + i] = op(x[xOff + i], y[yOff + i]) for i in [0, n). */
    static void binary(BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] + y[yOff + i];
            }
            case SUB -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] - y[yOff + i];
            }
            case MUL -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] * y[yOff + i];
            }
            case DIV -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] / y[yOff + i];
            }
            default -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) op.apply(x[xOff + i], y[yOff + i]);
            }
        }
    }

    /** out[outOff + i] = op(x[xOff + i], y) for i in [0, n): the right operand broadcast. */
    static void binaryScalarRight(BinaryOp op, float[] x, int xOff, float y, float[] out, int outOff, int n) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] + y;
            }
            case SUB -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] - y;
            }
            case MUL -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] * y;
            }
            case DIV -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] / y;
            }
            default -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) op.apply(x[xOff + i], y);
            }
        }
    }

    /** out[outOff + i] = op(x, y[yOff + i]) for i in [0, n): the left operand broadcast. */
    static void binaryScalarLeft(BinaryOp op, float x, float[] y, int yOff, float[] out, int outOff, int n) {
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x + y[yOff + i];
            }
            case SUB -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x - y[yOff + i];
            }
            case MUL -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x * y[yOff + i];
            }
            case DIV -> {
                for (int i = 0; i < n; i++) out[outOff + i] = x / y[yOff + i];
            }
            default -> {
                for (int i = 0; i < n; i++) out[outOff + i] = (float) op.apply(x, y[yOff + i]);
            }
        }
    }
}
