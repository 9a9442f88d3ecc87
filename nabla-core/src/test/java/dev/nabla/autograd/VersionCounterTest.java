package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 4: an in-place change to a tensor that an op saved for its backward is detected, with PyTorch's
 * error naming the op, through views and detach() too (they share the version counter). Both cases below gave
 * silently wrong gradients before (2w, and 0).
 */
class VersionCounterTest {
    @Test
    void modifyingAFactorOfMulAfterTheForwardPassFailsTheBackward() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad_(true);
        Tensor w = Tensor.of(new double[] {4, 5, 6}, 3);
        Tensor y = x.mul(w);
        assertEquals(0, w.version());
        w.mul_(2);
        assertEquals(1, w.version());
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "one of the variables needed for gradient computation has been modified by an inplace operation: [float64 [3]], saved by MulBackward, is at version 1; expected version 0 instead"),
                e.getMessage());
    }

    @Test
    void aDetachedAliasOrAViewSharesTheVersion() {
        Tensor x = Tensor.of(new double[] {0.5, -1}, 2).requiresGrad_(true);
        Tensor e = x.exp();
        e.detach().zero_(); // the detached alias shares e's storage and its version counter
        IllegalStateException ex =
                assertThrows(IllegalStateException.class, () -> e.sum().backward());
        assertTrue(
                ex.getMessage().contains("saved by ExpBackward, is at version 1; expected version 0"), ex.getMessage());

        Tensor m = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor a = Tensor.of(new double[] {1, 1}, 1, 2).requiresGrad_(true);
        Tensor out = a.matmul(m);
        m.narrow(0, 1, 1).fill_(7); // a view of m: the same storage, so the same counter
        assertThrows(IllegalStateException.class, () -> out.sum().backward());
    }

    @Test
    void changesThatTheBackwardDoesNotReadAreFine() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad_(true);
        Tensor w = Tensor.of(new double[] {3, 4}, 2);
        Tensor y = x.add(w); // add saves nothing: its gradient does not depend on w, as in PyTorch
        w.add_(1.0);
        y.sum().backward();
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray());
        Tensor z = x.mul(w); // saved after the change: fine
        z.sum().backward();
        assertArrayEquals(new double[] {5, 6}, x.grad().toDoubleArray());
    }
}
