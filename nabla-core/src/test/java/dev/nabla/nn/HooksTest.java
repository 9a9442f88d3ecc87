package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forward hooks and pre-hooks (PyTorch's semantics), and the summary built on them for any module. */
class HooksTest {
    /** A hand-written CNN block, no Sequential: conv -> relu -> pool, then a linear head. */
    static final class Custom extends Module {
        final Conv2d conv =
                child("conv", new Conv2d(1, 4, 3, Conv2d.Options.defaults().padding(1)));
        final ReLU relu = child("relu", new ReLU());
        final MaxPool2d pool = child("pool", new MaxPool2d(2));
        final Linear head = child("head", new Linear(4 * 4 * 4, 3));

        @Override
        public Tensor forward(Tensor x) {
            return head.call(pool.call(relu.call(conv.call(x))).flatten(1));
        }
    }

    @Test
    void hooksRunInOrderAroundForwardAndCanReplaceInputAndOutput() {
        Linear lin = new Linear(2, 2);
        List<String> log = new ArrayList<>();
        var pre = lin.registerForwardPreHook((m, in) -> {
            log.add("pre " + Shape.str(in.shape()));
            return in.mul(0.0); // replaces the input
        });
        var post = lin.registerForwardHook((m, in, out) -> {
            log.add("post " + Shape.str(out.shape()) + " input sum " + in.sum().item());
            return out.add(1.0); // replaces the output
        });
        Tensor y = lin.call(Tensor.ones(3, 2));
        assertEquals(List.of("pre [3, 2]", "post [3, 2] input sum 0.0"), log);
        Tensor expected = lin.bias().unsqueeze(0).expand(3, 2).add(1.0);
        assertEquals(expected.sum().item(), y.sum().item(), 1e-6, "bias (input zeroed) + 1");
        pre.remove();
        post.close();
        post.remove(); // twice is harmless
        log.clear();
        lin.call(Tensor.ones(3, 2));
        assertTrue(log.isEmpty(), "removed hooks do not run");
    }

    @Test
    void forwardCalledDirectlySkipsHooksAsInPyTorch() {
        Linear lin = new Linear(2, 2);
        int[] calls = {0};
        lin.registerForwardHook((m, in, out) -> {
            calls[0]++;
            return null;
        });
        lin.forward(Tensor.ones(1, 2));
        assertEquals(0, calls[0]);
        lin.call(Tensor.ones(1, 2));
        assertEquals(1, calls[0]);
    }

    @Test
    void summaryListsEveryLayerOfAHandWrittenModuleWithItsOutputShape() {
        String s = new Custom().summary(2, 1, 8, 8);
        assertTrue(s.contains("conv: Conv2d") && s.contains("[2, 4, 8, 8]"), s);
        assertTrue(s.contains("relu: ReLU"), s);
        assertTrue(s.contains("pool: MaxPool2d") && s.contains("[2, 4, 4, 4]"), s);
        assertTrue(s.contains("head: Linear") && s.contains("[2, 3]"), s);
        assertTrue(s.contains("Total params: 235"), s); // conv 4·1·3·3 + 4 = 40, head 64·3 + 3 = 195
        assertFalse(s.contains("Not seen running"), s);
    }

    @Test
    void summaryNamesTheLayersAForwardCalledWithoutHooks() {
        Module m = new Module() {
            final Linear a = child("a", new Linear(2, 2));
            final Linear b = child("b", new Linear(2, 2));

            @Override
            public Tensor forward(Tensor x) {
                return b.forward(a.call(x)); // b called directly
            }
        };
        String s = m.summary(1, 2);
        assertTrue(s.contains("a: Linear"), s);
        assertTrue(s.contains("Not seen running: b"), s);
    }

    @Test
    void theNonFiniteDiagnosisNamesTheLayerOfAHandWrittenModule() {
        Custom c = new Custom();
        c.head.weight().storage().floats()[5] = Float.NaN;
        assertEquals("head (Linear 64->3)", c.firstNonFiniteOutput(Tensor.ones(1, 1, 8, 8)));
    }
}
