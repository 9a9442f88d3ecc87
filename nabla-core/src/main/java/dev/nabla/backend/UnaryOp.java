package dev.nabla.backend;

/**
 * The element-wise functions of one argument every backend implements ({@link Backend#map}), as op codes rather than
 * Java lambdas, so that a backend can give each its own kernel (the CPU backend has Vector API kernels for the common
 * ones) and a device outside the JVM could implement them. {@link #apply} is the reference definition, in double;
 * {@code p} and {@code q} are the parameters of the ops that take them (named in each constant's comment).
 */
public enum UnaryOp {
    /** −x. */
    NEG,
    /** e^x. */
    EXP,
    /** ln x. */
    LOG,
    /** √x. */
    SQRT,
    /** |x|. */
    ABS,
    /** −1, 0 or 1 by sign (NaN kept). */
    SIGN,
    /** 1 / (1 + e^−x), computed without overflow. */
    SIGMOID,
    /** tanh x. */
    TANH,
    /** GELU, tanh approximation: x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))). */
    GELU_TANH,
    /** GELU, exact: x · Φ(x) = x/2 · (1 + erf(x/√2)). */
    GELU_ERF,
    /** Φ(x) = (1 + erf(x/√2)) / 2, the standard normal CDF (GELU's gradient uses it). */
    NORMAL_CDF,
    /** log(1 + e^x), as max(x, 0) + log1p(e^−|x|). */
    SOFTPLUS,
    /** x^p. */
    POW,
    /** min(max(x, p), q); NaN kept. */
    CLAMP,
    /** 1 where x &gt; 0, p where x == 0, else 0 (Heaviside). */
    STEP,
    /** 0 where x is infinite, else x (logsumexp's shift). */
    INF_TO_ZERO;
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI), INV_SQRT_2 = 1 / Math.sqrt(2);

    /** The reference definition: this op applied to x with parameters p and q, in double. */
    public double apply(double x, double p, double q) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
            case TANH -> Math.tanh(x);
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case GELU_ERF -> 0.5 * x * (1 + Erf.erf(x * INV_SQRT_2));
            case NORMAL_CDF -> 0.5 * (1 + Erf.erf(x * INV_SQRT_2));
            case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            case POW -> Math.pow(x, p);
            case CLAMP -> Double.isNaN(x) ? x : Math.min(Math.max(x, p), q);
            case STEP -> x > 0 ? 1.0 : x == 0 ? p : 0.0;
            case INF_TO_ZERO -> Double.isInfinite(x) ? 0.0 : x;
        };
    }
}
