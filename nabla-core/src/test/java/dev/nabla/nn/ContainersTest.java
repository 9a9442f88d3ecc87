package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ModuleList, ModuleDict and registering free tensors and modules from outside, with PyTorch's names. */
class ContainersTest {
    static final class Owner extends Module {
        final ModuleList<Linear> layers = child("layers", new ModuleList<>(new Linear(3, 3), new Linear(3, 2)));
        final ModuleDict<Module> heads = child("heads", new ModuleDict<>());

        @Override
        public Tensor forward(Tensor x) {
            for (Linear l : layers) x = l.call(x);
            return heads.get("act").call(x);
        }
    }

    @Test
    void containersRegisterTheirModulesUnderPyTorchsNames() {
        Owner o = new Owner();
        o.heads.put("act", new ReLU());
        o.registerParameter("scale", Tensor.ones(2));
        o.registerBuffer("steps", Tensor.zeros(1));
        o.registerModule("extra", new Linear(2, 2));
        assertEquals(
                List.of( // PyTorch's order: own parameters and buffers, then the children's
                        "scale",
                        "steps",
                        "layers.0.weight",
                        "layers.0.bias",
                        "layers.1.weight",
                        "layers.1.bias",
                        "extra.weight",
                        "extra.bias"),
                List.copyOf(o.stateDict().keySet()));
        assertTrue(o.parameter("scale").requiresGrad());
        assertEquals(2, o.layers.size());
        assertSame(o.heads.get("act"), o.heads.asMap().get("act"));
        assertEquals(
                List.of(2, 2),
                List.of(
                        o.call(Tensor.ones(2, 3)).shape()[0],
                        o.call(Tensor.ones(2, 3)).shape()[1]));
        var e = assertThrows(UnsupportedOperationException.class, () -> o.layers.call(Tensor.ones(1, 3)));
        assertTrue(e.getMessage().startsWith("layers (ModuleList): a ModuleList has no forward"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> o.heads.put("a.b", new ReLU()));
    }
}
