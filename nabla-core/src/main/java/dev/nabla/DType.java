package dev.nabla;

/** Element types. float32 is the default; float64 is for checking; int64 holds labels and indices. */
public enum DType {
    BOOL("bool", 1),
    INT64("int64", 8),
    FLOAT32("float32", 4),
    FLOAT64("float64", 8);

    private final String torchName;
    private final int byteSize;

    DType(String torchName, int byteSize) {
        this.torchName = torchName;
        this.byteSize = byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The name PyTorch prints, e.g. {@code float32}. */
    public String torchName() {
        return torchName;
    }

    /** Type promotion as PyTorch does it for two tensors of these dtypes (bool < int64 < float32 < float64). */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    @Override
    public String toString() {
        return torchName;
    }
}
