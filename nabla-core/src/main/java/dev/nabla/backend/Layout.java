package dev.nabla.backend;

import java.util.Arrays;

/** How a tensor reads its storage: shape, strides (in elements) and offset. Strides of 0 express broadcasting. */
public record Layout(int[] shape, int[] strides, int offset) {

    /** The row-major layout of shape at offset 0. */
    public static Layout contiguous(int[] shape) {
        return new Layout(shape, contiguousStrides(shape), 0);
    }

    /** The row-major strides of shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The number of elements. */
    public int numel() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** True when the elements are exactly storage[offset .. offset+numel) in row-major order. */
    public boolean isContiguous() {
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != acc) return false;
            acc *= shape[i];
        }
        return true;
    }

    /** The same layout with strides of 0 where shape is broadcast up to {@code target} (already validated). */
    public Layout broadcastTo(int[] target) {
        int[] st = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            if (i < lead) st[i] = 0;
            else st[i] = shape[i - lead] == 1 && target[i] != 1 ? 0 : strides[i - lead];
        }
        return new Layout(target, st, offset);
    }

    /** Physical storage positions of all elements in row-major logical order. */
    public int[] offsets() {
        int n = numel();
        int[] out = new int[n];
        if (n == 0) return out;
        int rank = shape.length;
        if (isContiguous()) {
            for (int i = 0; i < n; i++) out[i] = offset + i;
            return out;
        }
        int[] idx = new int[rank];
        int pos = offset;
        for (int i = 0; i < n; i++) {
            out[i] = pos;
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    pos += strides[d];
                    break;
                }
                pos -= strides[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Layout" + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l
                && Arrays.equals(shape, l.shape)
                && Arrays.equals(strides, l.strides)
                && offset == l.offset;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + Arrays.hashCode(strides) + offset;
    }
}
