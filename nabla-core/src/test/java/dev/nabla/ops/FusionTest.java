package dev.nabla.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.F;
import dev.nabla.optim.SGD;
import dev.nabla.testing.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ops fuse themselves (conv2d -> relu -> 2x2 max-pool), whoever calls them. The reference for each case is the
 * same chain with fusion prevented: clone() stores the conv output, and relu/max-pool of a stored tensor run alone.
 */
class FusionTest {
    private static final int[] ONE = {1, 1}, PAD = {1, 1};

    private record Case(Tensor x, Tensor w, Tensor b) {
        static Case make(long seed) {
            Generator g = new Generator(seed);
            return new Case(
                    Tensor.randn(g, 4, 3, 8, 6).requiresGrad_(true),
                    Tensor.randn(g, 5, 3, 3, 3).mul(0.3).detach().requiresGrad_(true),
                    Tensor.randn(g, 5).mul(0.1).detach().requiresGrad_(true));
        }

        Tensor conv() {
            return F.conv2d(x, w, b, ONE, PAD, ONE);
        }
    }

    private static List<Tensor> grads(Case c, Tensor out, Tensor upstream) {
        out.backward(upstream);
        List<Tensor> g = List.of(c.x.grad(), c.w.grad(), c.b.grad());
        c.x.zeroGrad();
        c.w.zeroGrad();
        c.b.zeroGrad();
        return g;
    }

    @Test
    void convReluPoolInAHandWrittenChainIsOneFusedOpWithTheSeparateOpsValuesAndGradients() {
        Case c = Case.make(1);
        Tensor fused = F.maxPool2d(c.conv().relu(), 2);
        assertEquals("convolution_relu_max_pool2d", fused.gradFn().op(), "the chain ran as the fused op");
        Tensor separate = F.maxPool2d(c.conv().clone().relu(), 2);
        assertEquals("max_pool2d", separate.gradFn().op());
        assertArrayEquals(separate.toFloatArray(), fused.toFloatArray(), "same values, bit for bit");
        Tensor up = Tensor.randn(new Generator(9), fused.shape());
        List<Tensor> gf = grads(c, fused, up), gs = grads(c, separate, up);
        for (int i = 0; i < 3; i++) Golden.assertClose("gradient " + i, gs.get(i), gf.get(i), 1e-5, 1e-5);
    }

    @Test
    void convReluWithoutPoolIsFusedToo() {
        Case c = Case.make(2);
        Tensor fused = c.conv().relu();
        assertEquals("convolution_relu", fused.gradFn().op());
        Tensor separate = c.conv().clone().relu();
        assertArrayEquals(separate.toFloatArray(), fused.toFloatArray());
        Tensor up = Tensor.randn(new Generator(8), fused.shape());
        List<Tensor> gf = grads(c, fused.sum(1).mul(1.0).sum().add(fused.mul(up).sum()), null),
                gs =
                        grads(
                                c,
                                separate.sum(1)
                                        .mul(1.0)
                                        .sum()
                                        .add(separate.mul(up).sum()),
                                null);
        for (int i = 0; i < 3; i++) Golden.assertClose("gradient " + i, gs.get(i), gf.get(i), 1e-5, 1e-5);
    }

    @Test
    void theIntermediateResultsStayReadableAndCorrect() {
        Case c = Case.make(3);
        Tensor y = c.conv(), r = y.relu(), p = F.maxPool2d(r, 2);
        Tensor yRef = c.conv().clone();
        assertArrayEquals(yRef.toFloatArray(), y.toFloatArray(), "the conv output, computed when read");
        assertArrayEquals(yRef.relu().toFloatArray(), r.toFloatArray(), "the relu output, computed when read");
        assertEquals(p.numel() * 4, r.numel());
        // and used twice (a residual-style graph): the gradient sums over both paths
        Tensor both = y.relu().sum().add(y.mul(2.0).sum());
        List<Tensor> g = grads(c, both, null);
        Tensor yr = c.conv().clone();
        List<Tensor> gRef = grads(c, yr.relu().sum().add(yr.mul(2.0).sum()), null);
        for (int i = 0; i < 3; i++) Golden.assertClose("gradient " + i, gRef.get(i), g.get(i), 1e-5, 1e-5);
    }

    @Test
    void aPendingResultIsComputedBeforeAnInPlaceWriteToItsInputs() {
        Case c = Case.make(4);
        Tensor expected = c.conv().clone();
        Tensor y = c.conv();
        assertNotNull(y.pending(), "conv2d's output is deferred");
        new SGD(List.of(c.w), 0.5).zeroGrad();
        try (var ng = GradMode.noGrad()) {
            c.w.add_(1.0); // an in-place write to the weight while y is pending
        }
        assertNull(y.pending(), "the write computed y first");
        assertArrayEquals(
                expected.toFloatArray(), y.toFloatArray(), "y holds the values of the weights it was asked with");
    }

    @Test
    void aResultFusedAwayRefusesToBeReadAfterItsInputsChanged() {
        Case c = Case.make(5);
        Tensor y = c.conv();
        Tensor p = F.maxPool2d(y.relu(), 2);
        p.sum().backward();
        new SGD(List.of(c.w, c.b), 0.1).step();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::toFloatArray);
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("modified in place"), e.getMessage());
    }

    @Test
    void aResultThatRetainsItsGradientKeepsItsOwnNode() {
        Case c = Case.make(6);
        Tensor y = c.conv();
        y.retainGrad();
        Tensor r = y.relu();
        assertEquals("relu", r.gradFn().op(), "not fused: y must receive its gradient");
        r.sum().backward();
        assertNotNull(y.grad());
    }

    @Test
    void inferenceUnderNoGradFusesAndMatches() {
        Case c = Case.make(7);
        Tensor ref = F.maxPool2d(c.conv().clone().relu(), 2);
        try (var ng = GradMode.noGrad()) {
            Tensor y = c.conv(), p = F.maxPool2d(y.relu(), 2);
            assertNotNull(y.pending(), "the conv output was never stored");
            assertArrayEquals(ref.toFloatArray(), p.toFloatArray());
        }
    }
}
