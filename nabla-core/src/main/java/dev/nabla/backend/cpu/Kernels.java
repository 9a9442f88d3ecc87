package dev.nabla.backend.cpu;

import java.lang.management.ManagementFactory;

/**
 * Chooses between the Vector API kernels and the scalar ones, once, as Apache Lucene does: the Vector API
 * kernels need the jdk.incubator.vector module (else NoClassDefFoundError) and the C2 compiler (else they run
 * hundreds of times slower). When either is missing, one line on stderr says so and the scalar kernels run.
 * The system property {@code nabla.simd=false} forces the scalar kernels (used to test them).
 */
public final class Kernels {
    private static final boolean VECTOR = decide();

    private Kernels() {}

    /** True when the Vector API kernels are in use. */
    public static boolean vectorized() {
        return VECTOR;
    }

    /** Floats per vector in the GEMM and convolution kernels: 16, 8, or 1 when scalar. */
    public static int vectorLanes() {
        return VECTOR ? (VectorGemm.WIDE ? 16 : 8) : 1;
    }

    private static boolean decide() {
        if (!Boolean.parseBoolean(System.getProperty("nabla.simd", "true"))) return false;
        String why = null;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
            why =
                    "the module jdk.incubator.vector is not loaded (on the class path, run java with --add-modules jdk.incubator.vector; "
                            + "on the module path, the dev.nabla module brings it)";
        else if (!hasC2()) why = "the C2 JIT compiler is disabled";
        if (why == null) {
            try {
                Class.forName("dev.nabla.backend.cpu.VectorGemm");
                return true;
            } catch (Throwable t) {
                why = "the Vector API could not be loaded (" + t + ")";
            }
        }
        System.err.println("nabla: using scalar kernels because " + why + "; expect training 2-3x slower");
        return false;
    }

    /**
     * The value of a HotSpot option (e.g. {@code TypeProfileLevel}) as the JVM runs it, or null where it cannot be read
     * (another JVM, no jdk.management module).
     */
    static String vmOption(String name) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? null : bean.getVMOption(name).getValue();
        } catch (Throwable t) {
            return null;
        }
    }

    private static boolean hasC2() {
        if ("false".equals(vmOption("UseCompiler"))) return false;
        String level = vmOption("TieredStopAtLevel");
        try {
            return level == null || Integer.parseInt(level) >= 4 || "false".equals(vmOption("TieredCompilation"));
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** out[outOff + i] = op(x[xOff + i]) for i in [0, n): the Vector API kernel when there is one, else the scalar loop. */
    static void unary(
            dev.nabla.backend.UnaryOp op, double p, double q, float[] x, int xOff, float[] out, int outOff, int n) {
        if (VECTOR && VectorElementwise.has(op)) VectorElementwise.unary(op, p, q, x, xOff, out, outOff, n);
        else ScalarElementwise.unary(op, p, q, x, xOff, out, outOff, n);
    }

    /** out[outOff + i] = op(x[xOff + i], y[yOff + i]) for i in [0, n). */
    static void binary(
            dev.nabla.backend.BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        if (VECTOR && VectorElementwise.has(op)) VectorElementwise.binary(op, x, xOff, y, yOff, out, outOff, n);
        else ScalarElementwise.binary(op, x, xOff, y, yOff, out, outOff, n);
    }

    /** out[outOff + i] = op(x[xOff + i], y) for i in [0, n). */
    static void binaryScalarRight(
            dev.nabla.backend.BinaryOp op, float[] x, int xOff, float y, float[] out, int outOff, int n) {
        if (VECTOR && VectorElementwise.has(op)) VectorElementwise.binaryScalarRight(op, x, xOff, y, out, outOff, n);
        else ScalarElementwise.binaryScalarRight(op, x, xOff, y, out, outOff, n);
    }

    /** out[outOff + i] = op(x, y[yOff + i]) for i in [0, n). */
    static void binaryScalarLeft(
            dev.nabla.backend.BinaryOp op, float x, float[] y, int yOff, float[] out, int outOff, int n) {
        if (VECTOR && VectorElementwise.has(op)) VectorElementwise.binaryScalarLeft(op, x, y, yOff, out, outOff, n);
        else ScalarElementwise.binaryScalarLeft(op, x, y, yOff, out, outOff, n);
    }

    /** max(x, 0) over [s, e) (out indexed from 0, x from xOff). */
    static void relu(float[] x, int xOff, float[] out, int s, int e) {
        if (VECTOR) {
            VectorElementwise.relu(x, xOff, out, s, e);
            return;
        }
        for (int i = s; i < e; i++) {
            float v = x[xOff + i];
            out[i] = v <= 0f ? 0f : v;
        }
    }

    /** y > 0 ? g : 0 over [s, e). */
    static void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int s, int e) {
        if (VECTOR) {
            VectorElementwise.reluBackward(g, gOff, y, yOff, out, s, e);
            return;
        }
        for (int i = s; i < e; i++) out[i] = y[yOff + i] > 0f ? g[gOff + i] : 0f;
    }

    /**
     * Σ g[off .. off+n) where y > 0 (all of them when y is null), accumulated in float lanes; lanes: scratch of at least
     * 16 floats.
     */
    static double maskedSum(float[] g, float[] y, int off, int n, float[] lanes) {
        if (VECTOR) return VectorElementwise.maskedSum(g, y, off, n, lanes);
        double s = 0;
        for (int i = off; i < off + n; i++) if (y == null || y[i] > 0f) s += g[i];
        return s;
    }
}
