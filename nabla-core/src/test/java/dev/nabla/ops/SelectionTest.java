package dev.nabla.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.testing.Golden;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** topk, triu/tril and maskedFill against PyTorch (golden/seq.json "ops"); multinomial by its statistics. */
class SelectionTest {
    static Stream<Arguments> ops() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : Golden.json("seq.json").get("ops"))
            out.add(Arguments.of(c.get("op").asText() + " " + c.get("config"), c));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void matchesPyTorch(String name, JsonNode c) {
        JsonNode k = c.get("config");
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        Tensor y;
        switch (c.get("op").asText()) {
            case "topk" -> {
                Selection.TopK t = Selection.topk(
                        x,
                        k.get("k").asInt(),
                        k.get("dim").asInt(),
                        k.get("largest").asBoolean());
                assertArrayEquals(
                        Golden.tensor(c.get("indices"), DType.FLOAT64).toLongArray(),
                        t.indices().toLongArray());
                y = t.values();
            }
            case "triu" -> y = x.triu(k.get("diagonal").asInt());
            case "tril" -> y = x.tril(k.get("diagonal").asInt());
            case "masked_fill" ->
                y = x.maskedFill(
                        Golden.tensor(k.get("mask"), DType.FLOAT64),
                        k.get("value").asDouble());
            default -> throw new IllegalArgumentException(name);
        }
        Golden.assertClose(name + " output", Golden.tensor(c.get("output"), DType.FLOAT64), y, 0, 0);
        y.backward(Golden.tensor(c.get("grad_output"), DType.FLOAT64));
        Golden.assertClose(name + " grad", Golden.tensor(c.get("grad_input"), DType.FLOAT64), x.grad(), 0, 0);
    }

    @Test
    void topkPutsTheFirstIndexFirstOnTiesAndNanOnTop() {
        Selection.TopK t = Tensor.of(new float[] {1, 3, 3, Float.NaN, 0}, 5).topk(3, 0);
        assertArrayEquals(new long[] {3, 1, 2}, t.indices().toLongArray());
        var e = assertThrows(
                IllegalArgumentException.class, () -> Tensor.zeros(2, 3).topk(4, 1));
        assertTrue(e.getMessage().contains("k (4) is out of range for dimension 1 of size 3"), e.getMessage());
    }

    @Test
    void multinomialFollowsTheWeights() {
        Generator g = new Generator(5);
        Tensor p = Tensor.of(new double[] {1, 0, 3, 6}, 4); // unnormalised: 0.1, 0, 0.3, 0.6
        long[] draws = p.multinomial(20000, true, g).toLongArray();
        int[] counts = new int[4];
        for (long d : draws) counts[(int) d]++;
        assertEquals(0, counts[1]);
        assertEquals(0.1, counts[0] / 20000.0, 0.01);
        assertEquals(0.3, counts[2] / 20000.0, 0.015);
        assertEquals(0.6, counts[3] / 20000.0, 0.015);
        // without replacement: distinct indices, the zero-weight one never
        Tensor rows = Tensor.of(new double[][] {{1, 1, 1, 0, 1}, {5, 0, 1, 1, 1}});
        Tensor s = rows.multinomial(4, false, g);
        assertArrayEquals(new int[] {2, 4}, s.shape());
        for (int r = 0; r < 2; r++) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 4; i++) seen.add(s.toLongArray()[r * 4 + i]);
            assertEquals(4, seen.size());
            assertTrue(!seen.contains(r == 0 ? 3L : 1L), seen.toString());
        }
        // the same generator state, the same draws
        assertArrayEquals(
                p.multinomial(10, true, new Generator(9)).toLongArray(),
                p.multinomial(10, true, new Generator(9)).toLongArray());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Tensor.of(new double[] {1, -1}, 2).multinomial(1, true, g));
        assertTrue(e.getMessage().contains("element < 0 (row 0, column 1: -1.0)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rows.multinomial(5, false, g));
    }

    @Test
    void trilTimesTriuIsTheDiagonalAndMaskedFillRefusesAWrongMask() {
        Tensor x = Tensor.randn(new Generator(2), 4, 4);
        Tensor d = x.triu(0).mul(x.tril(0)).sqrt();
        Tensor expected = x.abs().mul(Tensor.eye(4));
        Golden.assertClose("diag", expected, d, 1e-6, 1e-7);
        var e = assertThrows(
                IllegalArgumentException.class, () -> x.maskedFill(Tensor.of(new float[] {1, 0, 1, 0}, 4), 0));
        assertTrue(e.getMessage().contains("mask must be a bool tensor"), e.getMessage());
    }
}
