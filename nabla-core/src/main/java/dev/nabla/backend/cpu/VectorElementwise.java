package dev.nabla.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API twins of the hot element-wise float32 loops in {@link CpuBackend}; loaded only through {@link Kernels}. */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private VectorElementwise() {}

    /** out[i] = max(x[xOff + i], 0) for i in [s, e), NaN kept. */
    static void relu(float[] x, int xOff, float[] out, int s, int e) {
        int i = s;
        FloatVector zero = FloatVector.zero(S);
        for (int upper = s + S.loopBound(e - s); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(out, i); // NaN compares false: kept
        }
        for (; i < e; i++) {
            float v = x[xOff + i];
            out[i] = v <= 0f ? 0f : v;
        }
    }

    /** Σ g[off .. off+n) where y > 0 (all when y is null). */
    static double maskedSum(float[] g, float[] y, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = off, end = off + n;
        for (int upper = off + S.loopBound(n); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, g, i);
            acc = y == null ? acc.add(v) : acc.add(v, FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f));
        }
        // lanes summed in a fixed order: reduceLanes leaves the order to the implementation, and the interpreted and the
        // compiled code differ, so a cold JVM (a resumed run) would get other bits than a warm one
        float[] lanes = new float[S.length()];
        acc.intoArray(lanes, 0);
        double s = 0;
        for (float l : lanes) s += l;
        for (; i < end; i++) if (y == null || y[i] > 0f) s += g[i];
        return s;
    }

    /** out[i] = y[yOff + i] > 0 ? g[gOff + i] : 0 for i in [s, e). */
    static void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int s, int e) {
        int i = s;
        FloatVector zero = FloatVector.zero(S);
        for (int upper = s + S.loopBound(e - s); i < upper; i += S.length()) {
            VectorMask<Float> pos = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, g, gOff + i), pos).intoArray(out, i);
        }
        for (; i < e; i++) out[i] = y[yOff + i] > 0f ? g[gOff + i] : 0f;
    }
}
