package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.HookHandle;
import dev.nabla.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tensor.registerPostAccumulateGradHook: PyTorch's register_post_accumulate_grad_hook. */
class PostAccumulateGradHookTest {
    @Test
    void runsOncePerBackwardWithTheFinalGradientInBackwardOrder() {
        Tensor w1 = Tensor.of(new float[] {1, 2}, 2).requiresGrad_(true);
        Tensor w2 = Tensor.of(new float[] {3, 4}, 2).requiresGrad_(true);
        List<String> seen = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        w1.registerPostAccumulateGradHook(t -> {
            seen.add("w1");
            grads.add(t.grad().toFloatArray().clone());
        });
        w2.registerPostAccumulateGradHook(t -> seen.add("w2"));
        // w1 is used twice: its hook must see the sum of both paths, once
        Tensor h = w1.mul(w1).mul(w2);
        Tensor y = h.add(w1).sum();
        y.backward();
        assertEquals(2, seen.size(), seen.toString());
        assertTrue(seen.contains("w1") && seen.contains("w2"));
        assertArrayEquals(new float[] {2 * 1 * 3 + 1, 2 * 2 * 4 + 1}, grads.getFirst(), 1e-6f);
        assertArrayEquals(w1.grad().toFloatArray(), grads.getFirst(), 0f);
    }

    @Test
    void accumulatesAcrossBackwardsAndCanBeRemoved() {
        Tensor w = Tensor.of(new float[] {1}, 1).requiresGrad_(true);
        List<Float> seen = new ArrayList<>();
        HookHandle handle =
                w.registerPostAccumulateGradHook(t -> seen.add(t.grad().toFloatArray()[0]));
        w.mul(3).sum().backward();
        w.mul(3).sum().backward();
        assertEquals(List.of(3f, 6f), seen); // the second sees the accumulated gradient, as in PyTorch
        handle.remove();
        handle.remove(); // harmless
        w.mul(3).sum().backward();
        assertEquals(2, seen.size());
    }

    @Test
    void gradDoesNotRunThemAndNonLeavesRefuse() {
        Tensor w = Tensor.of(new float[] {2}, 1).requiresGrad_(true);
        List<String> seen = new ArrayList<>();
        w.registerPostAccumulateGradHook(t -> seen.add("hook"));
        Autograd.grad(w.mul(w).sum(), w);
        assertTrue(seen.isEmpty());
        Tensor nonLeaf = w.mul(2);
        var e = assertThrows(IllegalStateException.class, () -> nonLeaf.registerPostAccumulateGradHook(t -> {}));
        assertTrue(e.getMessage().contains("only leaf tensors"), e.getMessage());
    }
}
