package dev.nabla.backend;

/**
 * The element-wise functions of two arguments every backend implements ({@link Backend#zip}), as op codes. {@link #apply}
 * is the reference definition in double; {@link #applyLong} the exact one for two int64 inputs, where the op has one
 * ({@link #exactOnLongs}). Comparisons return 1 or 0.
 */
public enum BinaryOp {
    /** a + b. */
    ADD,
    /** a − b. */
    SUB,
    /** a · b. */
    MUL,
    /** a / b (true division). */
    DIV,
    /** a^b. */
    POW,
    /** max(a, b), NaN propagating. */
    MAXIMUM,
    /** min(a, b), NaN propagating. */
    MINIMUM,
    /** a == b. */
    EQ,
    /** a != b. */
    NE,
    /** a &lt; b. */
    LT,
    /** a &lt;= b. */
    LE,
    /** a &gt; b. */
    GT,
    /** a &gt;= b. */
    GE;

    /** The reference definition in double. */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MINIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    /** Whether two int64 inputs give an exact int64 result ({@link #applyLong}); division and powers do not. */
    public boolean exactOnLongs() {
        return this != DIV && this != POW;
    }

    /** The exact definition for two int64 inputs (only where {@link #exactOnLongs}). */
    public long applyLong(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case DIV, POW -> throw new UnsupportedOperationException(this + " has no exact int64 form");
        };
    }
}
