package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

class WarmUpTest {
    @Test
    void theWarmUpLeavesTheGlobalGeneratorAsItWas() throws Exception {
        dev.nabla.Nabla.manualSeed(5);
        long[] before = Generator.global().getState();
        WarmUp.start().join(10_000);
        assertArrayEquals(before, Generator.global().getState(), "no draw from the global generator");
        Tensor a = Tensor.rand(Generator.global(), 3);
        dev.nabla.Nabla.manualSeed(5);
        assertArrayEquals(Tensor.rand(Generator.global(), 3).toFloatArray(), a.toFloatArray());
    }
}
