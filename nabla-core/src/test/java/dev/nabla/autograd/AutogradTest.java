package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.DType;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void aChainOf100000OpsBackpropagatesWithoutStackOverflow() {
        Tensor x = Tensor.scalar(0.5, DType.FLOAT64).requiresGrad_(true);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = y.add(1.0);
        y = y.mul(y); // d/dx (x + 100000)^2 = 2 (x + 100000)
        y.backward();
        assertEquals(2 * 100_000.5, x.grad().item(), 1e-9);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = Tensor.ones(3).requiresGrad_(true);
        Tensor y;
        try (var g = GradMode.noGrad()) {
            y = x.mul(2.0).sum();
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void gradientsAccumulateAcrossTwoBackwardCallsUntilZeroGrad() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad_(true);
        x.mul(x).sum().backward(); // 2x
        x.mul(3.0).sum().backward(); // + 3
        assertArrayEquals(new double[] {5, 7, 9}, x.grad().toDoubleArray(), 1e-12);
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void backwardTwiceThroughAFreedGraphSaysSo() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad_(true);
        Tensor y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("retainGraph"), e.getMessage());
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad_(true);
        Tensor y = x.exp().sum();
        y.backward(Tensor.scalar(1.0, DType.FLOAT64), true);
        y.backward();
        assertArrayEquals(new double[] {2 * Math.E, 2 * Math.exp(2)}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void backwardOnANonScalarNeedsAGradient() {
        Tensor x = Tensor.ones(2, 2).requiresGrad_(true);
        Tensor y = x.mul(2.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(
                e.getMessage().contains("only for scalar outputs")
                        && e.getMessage().contains("[2, 2]"),
                e.getMessage());
        y.backward(Tensor.ones(2, 2));
        assertArrayEquals(new float[] {2, 2, 2, 2}, x.grad().toFloatArray());
    }

    @Test
    void gradientsOfBroadcastInputsAreSummedBackToTheirShape() {
        Tensor a = Tensor.ones(DType.FLOAT64, 3, 1).requiresGrad_(true);
        Tensor b = Tensor.ones(DType.FLOAT64, 4).requiresGrad_(true);
        a.mul(b).sum().backward();
        assertArrayEquals(new int[] {3, 1}, a.grad().shape());
        assertArrayEquals(new double[] {4, 4, 4}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {3, 3, 3, 3}, b.grad().toDoubleArray());
    }

    @Test
    void opsOnViewsBackpropagateIntoTheirBase() {
        Tensor base =
                Tensor.arange(0, 6, 1, DType.FLOAT64).reshape(2, 3).detach().requiresGrad_(true);
        Tensor v = base.transpose(0, 1).narrow(0, 1, 2); // rows 1..2 of the transpose = columns 1..2 of base
        v.mul(v).sum().backward();
        // d/dx x^2 = 2x on columns 1 and 2 of base, 0 on column 0
        assertArrayEquals(new double[] {0, 2, 4, 0, 8, 10}, base.grad().toDoubleArray(), 1e-12);
        assertSame(base.storage(), base.transpose(0, 1).storage(), "views share storage");
    }

    @Test
    void detachCutsTheGraphButSharesStorage() {
        Tensor x = Tensor.ones(2).requiresGrad_(true);
        Tensor d = x.mul(2.0).detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
    }

    @Test
    void jacobianOfASmallFunctionMatchesItsClosedForm() {
        // f(x) = [x0^2 * x1, 5 x0 + sin-free x1^3]; J = [[2 x0 x1, x0^2], [5, 3 x1^2]]
        Tensor x = Tensor.of(new double[] {1.5, -2.0});
        Tensor j = Autograd.jacobian(
                t -> Tensor.stack(
                        new Tensor[] {
                            t.select(0, 0).pow(2).mul(t.select(0, 1)),
                            t.select(0, 0).mul(5.0).add(t.select(0, 1).pow(3))
                        },
                        0),
                x);
        assertArrayEquals(new int[] {2, 2}, j.shape());
        assertArrayEquals(new double[] {2 * 1.5 * -2.0, 1.5 * 1.5, 5, 3 * 4.0}, j.toDoubleArray(), 1e-12);
    }

    @Test
    void jacobianOfMatrixVectorProductIsTheMatrix() {
        Tensor a = Tensor.randn(new dev.nabla.Generator(3), DType.FLOAT64, 3, 4);
        Tensor j = Autograd.jacobian(a::matmul, Tensor.randn(new dev.nabla.Generator(4), DType.FLOAT64, 4));
        assertTrue(j.allClose(a, 0, 1e-12));
    }

    @Test
    void gradAndVjpLeaveGradFieldsAlone() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad_(true);
        Tensor[] g = Autograd.grad(x.pow(3).sum(), x);
        assertArrayEquals(new double[] {3, 12, 27}, g[0].toDoubleArray(), 1e-12);
        assertNull(x.grad());
        Tensor[] r = Autograd.vjp(t -> t.mul(t), Tensor.of(new double[] {1, 2}), Tensor.of(new double[] {1, 10}));
        assertArrayEquals(new double[] {2, 40}, r[1].toDoubleArray(), 1e-12);
    }

    @Test
    void createGraphGivesSecondDerivatives() {
        Tensor x = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad_(true);
        Tensor y = x.pow(3);
        Tensor[] dy = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, true, true, false);
        Tensor[] d2y = Autograd.grad(dy[0], x);
        assertEquals(12.0, dy[0].item(), 1e-12);
        assertEquals(12.0, d2y[0].item(), 1e-12); // 6x
    }

    @Test
    void inPlaceOnALeafThatRequiresGradIsRefusedOutsideNoGrad() {
        Tensor w = Tensor.ones(2).requiresGrad_(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.add_(Tensor.ones(2)));
        assertTrue(e.getMessage().contains("add_") && e.getMessage().contains("leaf"), e.getMessage());
        try (var g = GradMode.noGrad()) {
            w.add_(Tensor.ones(2), -0.5);
        }
        assertArrayEquals(new float[] {0.5f, 0.5f}, w.toFloatArray());
    }

    @Test
    void gradCheckReportsTheWorstElementWhenAGradientIsWrong() {
        // a deliberately wrong backward: claims d/dx x^2 = x
        java.util.function.Function<Tensor[], Tensor> wrong = xs -> {
            Tensor x = xs[0];
            Tensor out = Tensor.wrap(
                    x.backend().map(dev.nabla.backend.UnaryOp.POW, 2, 0, x.storage(), x.layout(), x.dtype()),
                    x.shape());
            return Autograd.record("bad_square", out, g -> new Tensor[] {g.mul(x)}, x);
        };
        GradCheck.Result r =
                GradCheck.check(wrong, Tensor.of(new double[] {1.0, 3.0}).requiresGrad_(true));
        assertFalse(r.passed());
        assertEquals(0, r.input());
        assertArrayEquals(new int[] {1}, r.index());
        assertEquals(3.0, r.analytic(), 1e-9);
        assertEquals(6.0, r.numeric(), 1e-5);
        assertTrue(r.toString().contains("FAILED"), r.toString());
    }
}
