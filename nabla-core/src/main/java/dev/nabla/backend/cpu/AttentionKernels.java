package dev.nabla.backend.cpu;

import dev.nabla.backend.AttentionShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused scaled dot-product attention over float32 (FlashAttention's recomputation scheme, one query row at a time):
 * the forward keeps each row's scores in a small buffer and stores only the output and the row's log-sum-exp; the
 * backward recomputes the weights from them. The causal mask is the loop bound, never a tensor. Each (batch, head)
 * problem runs on one thread, so the bits do not depend on the thread count. The dot products and row updates run on
 * the Vector API ({@link #vectorized} true) or on their plain scalar twins (tested against each other).
 */
final class AttentionKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private AttentionKernels() {}

    /** Forward: out [batch, l, ev] and lse [batch, l]; mask [batch, l, s] (scaled dropout mask) or null. */
    static void forward(
            float[] q, float[] k, float[] v, float[] mask, AttentionShape a, float[] out, float[] lse, boolean vector) {
        Parallel.forEachDynamic(a.batch(), b -> {
            float[] p = new float[a.s()];
            for (int i = 0; i < a.l(); i++) row(q, k, v, mask, a, b, i, p, out, lse, vector);
        });
    }

    private static void row(
            float[] q,
            float[] k,
            float[] v,
            float[] mask,
            AttentionShape a,
            int b,
            int i,
            float[] p,
            float[] out,
            float[] lse,
            boolean vector) {
        int e = a.e(), ev = a.ev(), s = a.s(), last = a.lastKey(i);
        int qi = (b * a.l() + i) * e, oi = (b * a.l() + i) * ev;
        java.util.Arrays.fill(out, oi, oi + ev, 0f);
        if (last < 0) { // no key to attend to: NaN, as softmax over nothing
            java.util.Arrays.fill(out, oi, oi + ev, Float.NaN);
            lse[b * a.l() + i] = Float.NaN;
            return;
        }
        float scale = (float) a.scale();
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j <= last; j++) {
            p[j] = dot(q, qi, k, (b * s + j) * e, e, vector) * scale;
            max = Math.max(max, p[j]);
        }
        double sum = 0;
        for (int j = 0; j <= last; j++) {
            p[j] = (float) Math.exp(p[j] - max);
            sum += p[j];
        }
        float inv = (float) (1 / sum);
        int mi = (b * a.l() + i) * s;
        for (int j = 0; j <= last; j++) {
            float w = p[j] * inv * (mask == null ? 1f : mask[mi + j]);
            if (w != 0f) axpy(w, v, (b * s + j) * ev, out, oi, ev, vector);
        }
        lse[b * a.l() + i] = (float) (max + Math.log(sum));
    }

    /**
     * Backward: dq, dk, dv (zeroed here) from gOut, with the weights recomputed from lse. For row i: dW_ij = gOut_i·v_j
     * (· mask), D_i = gOut_i·out_i, dS_ij = P_ij·(dW_ij − D_i); dq_i += scale·dS_ij·k_j, dk_j += scale·dS_ij·q_i,
     * dv_j += P_ij·mask_ij·gOut_i.
     */
    static void backward(
            float[] q,
            float[] k,
            float[] v,
            float[] mask,
            float[] out,
            float[] lse,
            float[] gOut,
            AttentionShape a,
            float[] dq,
            float[] dk,
            float[] dv,
            boolean vector) {
        int e = a.e(), ev = a.ev(), s = a.s(), l = a.l();
        float scale = (float) a.scale();
        Parallel.forEachDynamic(a.batch(), b -> {
            java.util.Arrays.fill(dq, b * l * e, (b + 1) * l * e, 0f);
            java.util.Arrays.fill(dk, b * s * e, (b + 1) * s * e, 0f);
            java.util.Arrays.fill(dv, b * s * ev, (b + 1) * s * ev, 0f);
            for (int i = 0; i < l; i++) {
                int last = a.lastKey(i);
                if (last < 0) continue;
                int qi = (b * l + i) * e, oi = (b * l + i) * ev, mi = (b * l + i) * s;
                float rowLse = lse[b * l + i];
                float d = dot(gOut, oi, out, oi, ev, vector);
                for (int j = 0; j <= last; j++) {
                    int kj = (b * s + j) * e, vj = (b * s + j) * ev;
                    float pij = (float) Math.exp(dot(q, qi, k, kj, e, vector) * scale - rowLse);
                    float m = mask == null ? 1f : mask[mi + j];
                    float dw = dot(gOut, oi, v, vj, ev, vector) * m;
                    float ds = pij * (dw - d) * scale;
                    if (pij * m != 0f) axpy(pij * m, gOut, oi, dv, vj, ev, vector);
                    if (ds != 0f) {
                        axpy(ds, k, kj, dq, qi, e, vector);
                        axpy(ds, q, qi, dk, kj, e, vector);
                    }
                }
            }
        });
    }

    /** Σ x[xo + t]·y[yo + t] for t in [0, n): 8 lanes summed in a fixed order, then the tail. */
    static float dot(float[] x, int xo, float[] y, int yo, int n, boolean vector) {
        int t = 0;
        float sum = 0f;
        if (vector && n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int upper = S.loopBound(n); t < upper; t += S.length())
                acc = FloatVector.fromArray(S, x, xo + t).fma(FloatVector.fromArray(S, y, yo + t), acc);
            for (int lane = 0; lane < S.length(); lane++) sum += acc.lane(lane);
        }
        for (; t < n; t++) sum = Math.fma(x[xo + t], y[yo + t], sum);
        return sum;
    }

    /** y[yo + t] += alpha·x[xo + t] for t in [0, n). */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n, boolean vector) {
        int t = 0;
        if (vector) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            for (int upper = S.loopBound(n); t < upper; t += S.length())
                va.fma(FloatVector.fromArray(S, x, xo + t), FloatVector.fromArray(S, y, yo + t))
                        .intoArray(y, yo + t);
        }
        for (; t < n; t++) y[yo + t] = Math.fma(alpha, x[xo + t], y[yo + t]);
    }
}
