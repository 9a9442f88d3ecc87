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
     * erf would lose it for negative x); the exponential is {@link #expDeterministic}, so that the Vector API twin
     * ({@code VectorElementwise}) gives the same bits. The float64 path uses the exact series
     * ({@link dev.nabla.backend.Erf}): this one is for float32 only, where it is 2-3 float ulps.
     */
    static double normalCdf(double x) {
        if (Double.isNaN(x)) return x;
        double z = Math.abs(x) * INV_SQRT_2, t = 1 / (1 + 0.5 * z);
        double poly = 0.17087277;
        poly = -0.82215223 + t * poly;
        poly = 1.48851587 + t * poly;
        poly = -1.13520398 + t * poly;
        poly = 0.27886807 + t * poly;
        poly = -0.18628806 + t * poly;
        poly = 0.09678418 + t * poly;
        poly = 0.37409196 + t * poly;
        poly = 1.00002368 + t * poly;
        double erfc = t * expDeterministic(-z * z - 1.26551223 + t * poly);
        return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }

    static final double LOG2E = 1.4426950408889634, LN2_HI = 0.6931471803691238, LN2_LO = 1.9082149292705877e-10;
    static final double ROUND = 0x1.8p52; // adding and subtracting it rounds a double below 2^51 to an integer

    /**
     * eˣ for x ≤ 0 from exact IEEE operations only (so a Vector API twin gives the same bits, interpreted or
     * compiled): x = k·ln 2 + r with |r| ≤ ln 2 / 2 (Cody-Waite), e^r by its Taylor polynomial of degree 10 (relative
     * error below 1e-12), times 2^k built in the exponent bits; arguments below −700 give e^−700 (whose float is 0).
     */
    static double expDeterministic(double x) {
        double a = Math.max(x, -700.0);
        double k = (a * LOG2E + ROUND) - ROUND;
        double r = Math.fma(-k, LN2_HI, a);
        r = Math.fma(-k, LN2_LO, r);
        double p = 1.0 / 3628800;
        p = Math.fma(p, r, 1.0 / 362880);
        p = Math.fma(p, r, 1.0 / 40320);
        p = Math.fma(p, r, 1.0 / 5040);
        p = Math.fma(p, r, 1.0 / 720);
        p = Math.fma(p, r, 1.0 / 120);
        p = Math.fma(p, r, 1.0 / 24);
        p = Math.fma(p, r, 1.0 / 6);
        p = Math.fma(p, r, 0.5);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        return p * Double.longBitsToDouble(((long) k + 1023) << 52);
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
