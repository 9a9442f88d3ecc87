package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {

    @Test
    void trainAndEvalRecurseAndSwitchDropout() {
        Sequential s = new Sequential(new Linear(4, 4), new Dropout(0.5, new Generator(1)));
        s.eval();
        assertFalse(s.get(1).isTraining());
        Tensor x = Tensor.ones(2, 4);
        assertArrayEquals(s.forward(x).toFloatArray(), s.forward(x).toFloatArray(), "eval is deterministic");
        s.train();
        Tensor y = new Dropout(0.5, new Generator(1)).forward(Tensor.ones(1000));
        double kept = y.ne(0.0).toLong().sum().item();
        assertEquals(500, kept, 60);
        assertEquals(2.0, y.max().item(), 1e-6, "kept values are scaled by 1/(1-p)");
    }

    @Test
    void strictLoadingReportsMissingUnexpectedAndMismatchedKeysByName() {
        Sequential s = new Sequential(new Linear(2, 3));
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>(s.stateDict());
        sd.remove("0.bias");
        sd.put("1.weight", Tensor.zeros(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(sd));
        assertTrue(
                e.getMessage().contains("missing key(s): 0.bias")
                        && e.getMessage().contains("unexpected key(s): 1.weight"),
                e.getMessage());
        Module.LoadResult r = s.loadStateDict(sd, false);
        assertEquals(List.of("0.bias"), r.missingKeys());
        assertEquals(List.of("1.weight"), r.unexpectedKeys());
        Map<String, Tensor> bad = Map.of("0.weight", Tensor.zeros(3, 3), "0.bias", Tensor.zeros(3));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(bad));
        assertTrue(
                e2.getMessage().contains("size mismatch for 0.weight: copying a param with shape [3, 3]"),
                e2.getMessage());
    }

    @Test
    void defaultInitFollowsPyTorchsBounds() {
        Linear l = new Linear(100, 50);
        double bound = 1 / Math.sqrt(100);
        assertTrue(
                l.weight().abs().max().item() <= bound && l.bias().abs().max().item() <= bound);
        Tensor w = Tensor.zeros(200, 300);
        Init.kaimingNormal_(w, 0, Init.FanMode.FAN_IN, "relu", new Generator(1));
        assertEquals(Math.sqrt(2.0 / 300), w.std().item(), 0.003);
        Init.xavierUniform_(w, 1.0, new Generator(2));
        assertEquals(Math.sqrt(6.0 / 500), w.max().item(), 0.002);
        Init.fanInNormal_(w, new Generator(3));
        assertEquals(Math.sqrt(1.0 / 300), w.std().item(), 0.002);
        assertArrayEquals(
                new Linear(3, 2, true, new Generator(9), dev.nabla.DType.FLOAT32)
                        .weight()
                        .toFloatArray(),
                new Linear(3, 2, true, new Generator(9), dev.nabla.DType.FLOAT32)
                        .weight()
                        .toFloatArray(),
                "same seed, same weights");
    }

    @Test
    void classIndexOutOfRangeIsAClearError() {
        var e = assertThrows(
                IndexOutOfBoundsException.class,
                () -> new CrossEntropyLoss().apply(Tensor.zeros(3, 10), Tensor.of(new long[] {1, 12, 3})));
        assertEquals("nllLoss: target 12 is out of bounds for 10 classes (at flat index 1)", e.getMessage());
        var e2 = assertThrows(
                IllegalArgumentException.class,
                () -> new CrossEntropyLoss().apply(Tensor.zeros(3, 10), Tensor.zeros(3)));
        assertTrue(
                e2.getMessage()
                        .contains(
                                "crossEntropy (probability targets): target shape [3] must equal input shape [3, 10]"),
                e2.getMessage());
    }

    @Test
    void thresholdUnitComputesLogicGates() {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        assertArrayEquals(
                new float[] {0, 0, 0, 1},
                new ThresholdUnit(new double[] {1, 1}, 2).forward(x).toFloatArray());
        assertArrayEquals(
                new float[] {0, 1, 1, 1},
                new ThresholdUnit(new double[] {1, 1}, 1).forward(x).toFloatArray());
    }

    @Test
    void perceptronLearnsAndOrNandButNotXor() {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Map<String, float[]> gates = Map.of(
                "AND", new float[] {-1, -1, -1, 1}, "OR", new float[] {-1, 1, 1, 1}, "NAND", new float[] {1, 1, 1, -1});
        for (var g : gates.entrySet()) {
            Perceptron p = new Perceptron(2);
            Perceptron.FitResult r = p.fit(x, Tensor.of(g.getValue()), 0.1, 100);
            assertTrue(r.converged(), g.getKey() + ": " + r);
            assertArrayEquals(g.getValue(), p.forward(x).toFloatArray(), g.getKey());
        }
        Perceptron.FitResult xor = new Perceptron(2).fit(x, Tensor.of(new float[] {-1, 1, 1, -1}), 0.1, 100);
        assertFalse(xor.converged());
        assertTrue(xor.toString().startsWith("did not converge in 100 epochs"), xor.toString());
    }
}
