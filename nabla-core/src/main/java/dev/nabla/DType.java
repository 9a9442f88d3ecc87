package dev.nabla;

/** Element types. float32 is the default; float64 is for checking; int64 holds labels and indices. */
public enum DType {
    /** true or false. */
    BOOL("bool", 1),
    /** 64-bit signed integers (labels, indices). */
    INT64("int64", 8),
    /** 32-bit IEEE floating point (the default). */
    FLOAT32("float32", 4),
    /** 64-bit IEEE floating point (for checking). */
    FLOAT64("float64", 8);

    private final String torchName;
    private final int byteSize;

    DType(String torchName, int byteSize) {
        this.torchName = torchName;
        this.byteSize = byteSize;
    }

    /** Whether values are float32 or float64. */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name PyTorch prints, e.g. {@code float32}. */
    public String torchName() {
        return torchName;
    }

    /** Type promotion as PyTorch does it for two tensors of these dtypes (bool &lt; int64 &lt; float32 &lt; float64). */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /**
     * PyTorch's result_type for two operands, given their dtypes and whether each is zero-dimensional: dtypes are
     * promoted within each priority class (tensors with dimensions, then 0-d tensors), and a lower class only counts
     * when it is of a higher category (bool &lt; integer &lt; floating): float32 [n] + float64 0-d is float32, int64 [n] +
     * float64 0-d is float64, bool [n] + bool [n] is bool.
     */
    public static DType resultType(DType a, boolean aZeroDim, DType b, boolean bZeroDim) {
        DType dims = null, zero = null;
        if (aZeroDim) zero = a;
        else dims = a;
        if (bZeroDim) zero = zero == null ? b : promote(zero, b);
        else dims = dims == null ? b : promote(dims, b);
        return combine(dims, zero);
    }

    private static DType combine(DType higher, DType lower) {
        if (higher == null) return lower;
        if (lower == null || higher.isFloatingPoint()) return higher;
        if (higher == BOOL || lower.isFloatingPoint()) return promote(higher, lower);
        return higher;
    }

    @Override
    public String toString() {
        return torchName;
    }
}
