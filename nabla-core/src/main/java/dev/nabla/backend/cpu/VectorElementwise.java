package dev.nabla.backend.cpu;

import dev.nabla.backend.BinaryOp;
import dev.nabla.backend.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
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
    static double maskedSum(float[] g, float[] y, int off, int n, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int i = off, end = off + n;
        for (int upper = off + S.loopBound(n); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, g, i);
            acc = y == null
                    ? acc.add(v)
                    : acc.add(v, FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f));
        }
        // lanes summed in a fixed order: reduceLanes leaves the order to the implementation, and the interpreted and
        // the compiled code differ, so a cold JVM (a resumed run) would get other bits than a warm one. lanes: the
        // caller's scratch of at least S.length() floats (one allocated here at each call: 1.5 MB a training step)
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < S.length(); l++) s += lanes[l];
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

    // ---------------------------------------------------------------- the element-wise op codes

    /** Whether {@link #unary} has a kernel for op (the others run {@link ScalarElementwise}'s loop). */
    static boolean has(UnaryOp op) {
        return switch (op) {
            // Only ops whose lanes are exact IEEE operations: the Vector API's transcendental functions (EXP, LOG,
            // TANH) are SVML intrinsics once C2 has compiled the loop but Java fallbacks before, and the two differ
            // by an ulp, so a run's bits would depend on JIT timing (measured: the same seed trained to 0.9099 in one
            // CI order and 0.9126 in the other). Those ops run ScalarElementwise's loops (Math's functions, which give
            // the same bits interpreted and compiled) until a deterministic polynomial version exists.
            // GELU_ERF and NORMAL_CDF are built from exact operations too (ScalarElementwise.expDeterministic).
            case NEG, ABS, SQRT, CLAMP, GELU_ERF, NORMAL_CDF -> true;
            default -> false;
        };
    }

    /** Whether {@link #binary} and the broadcast forms have a kernel for op. */
    static boolean has(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM -> true;
            default -> false;
        };
    }

    // Each op has its own loop: a vector passed to a helper that C2 does not inline is boxed on the heap, which makes
    // such a kernel slower than the scalar loop. The tails run the scalar twin, which gives the same bits for these
    // exact operations.

    /** out[outOff + i] = op(x[xOff + i]) for i in [0, n); only for ops that {@link #has(UnaryOp)} (exact ones). */
    static void unary(UnaryOp op, double p, double q, float[] x, int xOff, float[] out, int outOff, int n) {
        float fp = (float) p, fq = (float) q;
        int i = 0, upper = S.loopBound(n), L = S.length();
        switch (op) {
            case NEG -> {
                for (; i < upper; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                    v.neg().intoArray(out, outOff + i);
                }
            }
            case ABS -> {
                for (; i < upper; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                    v.abs().intoArray(out, outOff + i);
                }
            }
            case SQRT -> {
                for (; i < upper; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                    v.sqrt().intoArray(out, outOff + i);
                }
            }
            case CLAMP -> {
                for (; i < upper; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xOff + i);
                    v.max(fp).min(fq).intoArray(out, outOff + i);
                }
            }
            case GELU_ERF, NORMAL_CDF -> i = normalCdf(x, xOff, out, outOff, n, op == UnaryOp.GELU_ERF);
            default -> throw new IllegalArgumentException("no vector kernel for " + op);
        }
        // the tail on the scalar twin: every vectorised unary op is exact, so the bits do not depend on where a
        // thread's range ends
        ScalarElementwise.unary(op, p, q, x, xOff + i, out, outOff + i, n - i);
    }

    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;

    /**
     * Φ(x) (or x·Φ(x) for GELU) of 4 floats at a time in double lanes: ScalarElementwise.normalCdf's operations in the
     * same order (its polynomial exp included), so every lane has the scalar twin's bits. Returns where it stopped.
     */
    private static int normalCdf(float[] x, int xOff, float[] out, int outOff, int n, boolean gelu) {
        int i = 0, upper = F4.loopBound(n);
        for (; i < upper; i += 4) {
            DoubleVector v =
                    (DoubleVector) FloatVector.fromArray(F4, x, xOff + i).convertShape(VectorOperators.F2D, D4, 0);
            DoubleVector z = v.abs().mul(INV_SQRT_2);
            DoubleVector t = DoubleVector.broadcast(D4, 1.0).div(z.mul(0.5).add(1.0));
            DoubleVector poly = DoubleVector.broadcast(D4, 0.17087277);
            poly = t.mul(poly).add(-0.82215223);
            poly = t.mul(poly).add(1.48851587);
            poly = t.mul(poly).add(-1.13520398);
            poly = t.mul(poly).add(0.27886807);
            poly = t.mul(poly).add(-0.18628806);
            poly = t.mul(poly).add(0.09678418);
            poly = t.mul(poly).add(0.37409196);
            poly = t.mul(poly).add(1.00002368);
            DoubleVector arg = z.mul(z).neg().sub(1.26551223).add(t.mul(poly));
            // expDeterministic, written out (a vector passed to a helper C2 does not inline is boxed)
            DoubleVector a = arg.max(-700.0);
            DoubleVector k =
                    a.mul(ScalarElementwise.LOG2E).add(ScalarElementwise.ROUND).sub(ScalarElementwise.ROUND);
            DoubleVector r = k.neg().fma(DoubleVector.broadcast(D4, ScalarElementwise.LN2_HI), a);
            r = k.neg().fma(DoubleVector.broadcast(D4, ScalarElementwise.LN2_LO), r);
            DoubleVector p = DoubleVector.broadcast(D4, 1.0 / 3628800);
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0 / 362880));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0 / 40320));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0 / 5040));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0 / 720));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0 / 120));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0 / 24));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0 / 6));
            p = p.fma(r, DoubleVector.broadcast(D4, 0.5));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0));
            p = p.fma(r, DoubleVector.broadcast(D4, 1.0));
            LongVector bits =
                    ((LongVector) k.convert(VectorOperators.D2L, 0)).add(1023).lanewise(VectorOperators.LSHL, 52);
            DoubleVector erfc = t.mul(p.mul(bits.reinterpretAsDoubles()));
            DoubleVector half = erfc.mul(0.5);
            DoubleVector phi = half.neg()
                    .add(1.0)
                    .blend(half, v.compare(VectorOperators.GE, 0.0).not());
            DoubleVector y = gelu ? v.mul(phi) : phi;
            ((FloatVector) y.convertShape(VectorOperators.D2F, F4, 0)).intoArray(out, outOff + i);
        }
        return i;
    }

    private static final double INV_SQRT_2 = 1 / Math.sqrt(2);

    /** out[outOff + i] = op(x[xOff + i], y[yOff + i]) for i in [0, n). */
    static void binary(BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        int i = 0, upper = S.loopBound(n), L = S.length();
        switch (op) {
            case ADD -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i)
                            .add(FloatVector.fromArray(S, y, yOff + i))
                            .intoArray(out, outOff + i);
            }
            case SUB -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i)
                            .sub(FloatVector.fromArray(S, y, yOff + i))
                            .intoArray(out, outOff + i);
            }
            case MUL -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i)
                            .mul(FloatVector.fromArray(S, y, yOff + i))
                            .intoArray(out, outOff + i);
            }
            case DIV -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i)
                            .div(FloatVector.fromArray(S, y, yOff + i))
                            .intoArray(out, outOff + i);
            }
            case MAXIMUM -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i)
                            .max(FloatVector.fromArray(S, y, yOff + i))
                            .intoArray(out, outOff + i);
            }
            case MINIMUM -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i)
                            .min(FloatVector.fromArray(S, y, yOff + i))
                            .intoArray(out, outOff + i);
            }
            default -> throw new IllegalArgumentException("no vector kernel for " + op);
        }
        ScalarElementwise.binary(op, x, xOff + i, y, yOff + i, out, outOff + i, n - i);
    }

    /** out[outOff + i] = op(x[xOff + i], y) for i in [0, n). */
    static void binaryScalarRight(BinaryOp op, float[] x, int xOff, float y, float[] out, int outOff, int n) {
        int i = 0, upper = S.loopBound(n), L = S.length();
        FloatVector b = FloatVector.broadcast(S, y);
        switch (op) {
            case ADD -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i).add(b).intoArray(out, outOff + i);
            }
            case SUB -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i).sub(b).intoArray(out, outOff + i);
            }
            case MUL -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i).mul(b).intoArray(out, outOff + i);
            }
            case DIV -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i).div(b).intoArray(out, outOff + i);
            }
            case MAXIMUM -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i).max(b).intoArray(out, outOff + i);
            }
            case MINIMUM -> {
                for (; i < upper; i += L)
                    FloatVector.fromArray(S, x, xOff + i).min(b).intoArray(out, outOff + i);
            }
            default -> throw new IllegalArgumentException("no vector kernel for " + op);
        }
        ScalarElementwise.binaryScalarRight(op, x, xOff + i, y, out, outOff + i, n - i);
    }

    /** out[outOff + i] = op(x, y[yOff + i]) for i in [0, n). */
    static void binaryScalarLeft(BinaryOp op, float x, float[] y, int yOff, float[] out, int outOff, int n) {
        int i = 0, upper = S.loopBound(n), L = S.length();
        FloatVector a = FloatVector.broadcast(S, x);
        switch (op) {
            case ADD -> {
                for (; i < upper; i += L)
                    a.add(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
            }
            case SUB -> {
                for (; i < upper; i += L)
                    a.sub(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
            }
            case MUL -> {
                for (; i < upper; i += L)
                    a.mul(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
            }
            case DIV -> {
                for (; i < upper; i += L)
                    a.div(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
            }
            case MAXIMUM -> {
                for (; i < upper; i += L)
                    a.max(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
            }
            case MINIMUM -> {
                for (; i < upper; i += L)
                    a.min(FloatVector.fromArray(S, y, yOff + i)).intoArray(out, outOff + i);
            }
            default -> throw new IllegalArgumentException("no vector kernel for " + op);
        }
        ScalarElementwise.binaryScalarLeft(op, x, y, yOff + i, out, outOff + i, n - i);
    }
}
