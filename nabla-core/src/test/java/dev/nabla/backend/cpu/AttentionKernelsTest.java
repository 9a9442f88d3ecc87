package dev.nabla.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.backend.AttentionShape;
import dev.nabla.nn.F;
import dev.nabla.ops.Attention;
import dev.nabla.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused attention kernel: its Vector API form against its scalar twin, the fused op against the composition of
 * ops in float64 (outputs and gradients, with causal masks and dropout masks), and the same bits on 1 and 2 threads.
 */
class AttentionKernelsTest {
    @ParameterizedTest(name = "batch {0}, L {1}, S {2}, E {3}, Ev {4}, causal {5}")
    @CsvSource({"3, 5, 7, 16, 8, false", "2, 6, 6, 13, 19, true", "4, 9, 4, 8, 8, true", "1, 1, 1, 3, 2, false"})
    void vectorKernelsEqualTheirScalarTwinsAndTheCompositionOfOps(
            int batch, int l, int s, int e, int ev, boolean causal) {
        Generator g = new Generator(batch * 100L + l);
        Tensor q = Tensor.randn(g, batch, l, e), k = Tensor.randn(g, batch, s, e), v = Tensor.randn(g, batch, s, ev);
        Tensor mask = Tensor.bernoulli(g, 0.8, batch, l, s).div(0.8);
        AttentionShape a = new AttentionShape(batch, l, s, e, ev, 1 / Math.sqrt(e), causal);
        float[] ov = new float[batch * l * ev], os = new float[batch * l * ev];
        float[] lv = new float[batch * l], ls = new float[batch * l];
        AttentionKernels.forward(
                q.toFloatArray(), k.toFloatArray(), v.toFloatArray(), mask.toFloatArray(), a, ov, lv, true);
        AttentionKernels.forward(
                q.toFloatArray(), k.toFloatArray(), v.toFloatArray(), mask.toFloatArray(), a, os, ls, false);
        Golden.assertClose("vector vs scalar out", Tensor.of(os, os.length), Tensor.of(ov, ov.length), 1e-5, 1e-6);
        float[] go = Tensor.randn(g, batch * l * ev).toFloatArray();
        float[][] vec = grads(q, k, v, mask, ov, lv, go, a, true), sca = grads(q, k, v, mask, os, ls, go, a, false);
        for (int i = 0; i < 3; i++)
            Golden.assertClose(
                    "vector vs scalar grad " + i,
                    Tensor.of(sca[i], sca[i].length),
                    Tensor.of(vec[i], vec[i].length),
                    1e-4,
                    1e-5);

        // the fused op against the composition of ops in float64, with the same dropout mask
        Tensor q64 = q.toDouble().requiresGrad_(true),
                k64 = k.toDouble().requiresGrad_(true),
                v64 = v.toDouble().requiresGrad_(true);
        Tensor scores = q64.matmul(k64.transpose(-2, -1)).mul(1 / Math.sqrt(e));
        if (causal) scores = scores.add(Tensor.ones(DType.FLOAT64, l, s).tril(0).log());
        Tensor expected = scores.softmax(-1).mul(mask.toDouble()).matmul(v64);
        Tensor gOut = Tensor.of(go, batch, l, ev);
        expected.backward(gOut.toDouble());
        Tensor q32 = q.detach().requiresGrad_(true),
                k32 = k.detach().requiresGrad_(true),
                v32 = v.detach().requiresGrad_(true);
        Tensor fused = Attention.fused(q32, k32, v32, mask, causal, 1 / Math.sqrt(e));
        Golden.assertClose("fused vs composite", expected, fused, 1e-5, 1e-6);
        fused.backward(gOut);
        Golden.assertClose("dq", q64.grad(), q32.grad(), 1e-4, 1e-5);
        Golden.assertClose("dk", k64.grad(), k32.grad(), 1e-4, 1e-5);
        Golden.assertClose("dv", v64.grad(), v32.grad(), 1e-4, 1e-5);
    }

    private static float[][] grads(
            Tensor q,
            Tensor k,
            Tensor v,
            Tensor mask,
            float[] out,
            float[] lse,
            float[] go,
            AttentionShape a,
            boolean vec) {
        float[] dq = new float[q.numel()], dk = new float[k.numel()], dv = new float[v.numel()];
        AttentionKernels.backward(
                q.toFloatArray(),
                k.toFloatArray(),
                v.toFloatArray(),
                mask.toFloatArray(),
                out,
                lse,
                go,
                a,
                dq,
                dk,
                dv,
                vec);
        return new float[][] {dq, dk, dv};
    }

    @ParameterizedTest(name = "causal {0}")
    @CsvSource({"true", "false"})
    void theBitsDoNotDependOnTheThreadCountAndMatchTheUnfusedPath(boolean causal) {
        Generator g = new Generator(11);
        Tensor q = Tensor.randn(g, 2, 4, 9, 16), k = Tensor.randn(g, 2, 4, 9, 16), v = Tensor.randn(g, 2, 4, 9, 16);
        int before = Nabla.numThreads();
        try {
            Nabla.setNumThreads(1);
            float[] one = F.scaledDotProductAttention(q, k, v, null, 0, causal, null, null)
                    .toFloatArray();
            Nabla.setNumThreads(2);
            float[] two = F.scaledDotProductAttention(q, k, v, null, 0, causal, null, null)
                    .toFloatArray();
            assertArrayEquals(one, two);
        } finally {
            Nabla.setNumThreads(before);
        }
        // views with an offset (narrow) are read from their own elements
        Tensor wide = Tensor.randn(g, 2, 4, 9, 32);
        Tensor qv = wide.narrow(3, 16, 16), kv = wide.narrow(3, 0, 16);
        Golden.assertClose(
                "narrowed views",
                F.scaledDotProductAttention(qv.clone(), kv.clone(), v, null, 0, causal, null, null),
                F.scaledDotProductAttention(qv, kv, v, null, 0, causal, null, null),
                0,
                0);
        Tensor heads = Tensor.randn(g, 2, 9, 4, 16).transpose(1, 2); // offset 0 but not row-major: MHA's layout
        Golden.assertClose(
                "transposed view",
                F.scaledDotProductAttention(heads.clone(), k, v, null, 0, causal, null, null),
                F.scaledDotProductAttention(heads, k, v, null, 0, causal, null, null),
                0,
                0);
        Tensor rows = Tensor.randn(g, 3, 2, 4, 9, 16).select(0, 2); // contiguous, offset 2·4·9·16
        Golden.assertClose(
                "selected view",
                F.scaledDotProductAttention(rows.clone(), k, v, null, 0, causal, null, null),
                F.scaledDotProductAttention(rows, k, v, null, 0, causal, null, null),
                0,
                0);
        // a bool mask takes the composition of ops: the same values as the fused kernel with the causal flag
        if (causal) {
            Tensor keep = Tensor.ones(DType.FLOAT32, 9, 9).tril(0).gt(0.0);
            Tensor viaMask = F.scaledDotProductAttention(q, k, v, keep, 0, false, null, null);
            Tensor fused = F.scaledDotProductAttention(q, k, v, null, 0, true, null, null);
            Golden.assertClose("mask path vs fused", viaMask, fused, 1e-5, 1e-6);
            assertTrue(Attention.fusable(q, k, v));
        }
    }
}
