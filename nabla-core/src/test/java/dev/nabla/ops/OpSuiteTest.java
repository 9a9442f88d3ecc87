package dev.nabla.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradCheck;
import dev.nabla.testing.Golden;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The suites over {@link OpRegistry}: for every case of golden/ops.json (written by PyTorch 1.13 in float64),
 * forward and input gradients equal PyTorch's in float64 and, to float32 precision, in float32; GradCheck passes
 * for every differentiable case; element-wise ops equal their scalar float64 reference.
 */
class OpSuiteTest {
    @BeforeAll
    static void resetWorst() {
        dev.nabla.testing.Golden.worstRelative = 0;
    }

    @AfterAll
    static void reportWorst() {
        System.out.println(
                "ops (float64 and float32 forward and gradients): largest relative difference from PyTorch (|expected| > 1e-3): "
                        + dev.nabla.testing.Golden.worstRelative);
    }

    static JsonNode golden;

    @BeforeAll
    static void load() throws Exception {
        golden = loadGolden();
    }

    static JsonNode loadGolden() {
        return Golden.json("ops.json");
    }

    static Stream<Arguments> cases() throws Exception {
        JsonNode g = loadGolden();
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : g.get("cases"))
            out.add(Arguments.of(i++ + ": " + c.get("op").asText() + " " + c.get("args"), c));
        return out.stream();
    }

    static Tensor tensor(JsonNode t, DType floatType) {
        return Golden.tensor(t, floatType);
    }

    static Tensor applyView(Tensor t, String view) {
        if (view == null || view.equals("null")) return t;
        return switch (view) {
            case "t" -> t.transpose(-1, -2);
            case "step2" -> t.slice(-1, 0, t.size(-1), 2);
            default -> throw new IllegalArgumentException("unknown view " + view);
        };
    }

    record Built(Tensor[] leaves, Tensor[] views) {}

    static Built build(JsonNode c, DType dt) {
        JsonNode ins = c.get("inputs");
        Tensor[] leaves = new Tensor[ins.size()], views = new Tensor[ins.size()];
        for (int i = 0; i < leaves.length; i++) {
            JsonNode in = ins.get(i);
            leaves[i] = tensor(in, dt);
            if (in.get("grad").asBoolean()) leaves[i].requiresGrad_(true);
            views[i] = applyView(
                    leaves[i], in.get("view").isNull() ? null : in.get("view").asText());
        }
        return new Built(leaves, views);
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        Golden.assertClose(what, expected, actual, rtol, atol);
    }

    private static OpRegistry.OpInfo info(JsonNode c) {
        OpRegistry.OpInfo info = OpRegistry.OPS.get(c.get("op").asText());
        if (info == null) fail("op " + c.get("op").asText() + " of golden/ops.json is not in OpRegistry");
        return info;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndGradientsMatchPyTorchInFloat64(String name, JsonNode c) {
        check(c, DType.FLOAT64, 1e-9, 1e-11);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndGradientsMatchPyTorchInFloat32(String name, JsonNode c) {
        check(c, DType.FLOAT32, 2e-4, 2e-5);
    }

    private void check(JsonNode c, DType dt, double rtol, double atol) {
        OpRegistry.OpInfo info = info(c);
        Built b = build(c, dt);
        Tensor y = info.op().apply(b.views(), c.get("args"));
        Tensor expected = tensor(c.get("output"), dt);
        String outType = c.get("output").get("dtype").asText();
        if (outType.equals("float64")) assertEquals(dt, y.dtype(), "output dtype");
        else assertEquals(outType, y.dtype().torchName(), "output dtype");
        assertClose(c.get("op").asText() + " forward", expected, y, rtol, atol);
        if (!c.has("grads")) return;
        Tensor gout = tensor(c.get("grad_output"), dt);
        List<Tensor> wrt = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < b.leaves().length; i++)
            if (b.leaves()[i].requiresGrad()) {
                wrt.add(b.leaves()[i]);
                at.add(i);
            }
        Tensor[] gs =
                Autograd.grad(new Tensor[] {y}, wrt.toArray(Tensor[]::new), new Tensor[] {gout}, false, false, false);
        for (int k = 0; k < gs.length; k++) {
            JsonNode eg = c.get("grads").get(at.get(k));
            assertClose(
                    c.get("op").asText() + " grad of input " + at.get(k), tensor(eg, dt), gs[k], rtol * 5, atol * 5);
            assertEquals(dt, gs[k].dtype(), "gradient dtype");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradCheckPasses(String name, JsonNode c) {
        OpRegistry.OpInfo info = info(c);
        if (!info.differentiable() || !c.has("grads")) return;
        Built b = build(c, DType.FLOAT64);
        GradCheck.Result r = GradCheck.check(onViews(info, c), b.leaves());
        assertTrue(r.passed(), r.toString());
    }

    /** The case's op as a function of its leaves, each first put through the case's view (transpose, step). */
    private static java.util.function.Function<Tensor[], Tensor> onViews(OpRegistry.OpInfo info, JsonNode c) {
        JsonNode args = c.get("args"), ins = c.get("inputs");
        return xs -> {
            Tensor[] views = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++)
                views[i] = applyView(
                        xs[i],
                        ins.get(i).get("view").isNull()
                                ? null
                                : ins.get(i).get("view").asText());
            return info.op().apply(views, args);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void secondOrderGradCheckPasses(String name, JsonNode c) {
        OpRegistry.OpInfo info = info(c);
        if (!info.differentiable() || !c.has("grads")) return;
        Built b = build(c, DType.FLOAT64);
        java.util.function.Function<Tensor[], Tensor> f = onViews(info, c);
        if (ONCE_DIFFERENTIABLE.contains(
                info.name())) { // their backward runs on dedicated kernels: a second backward is refused, clearly
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    UnsupportedOperationException.class, () -> GradCheck.checkSecondOrder(f, b.leaves()));
            assertTrue(
                    ONCE_DIFFERENTIABLE.stream().anyMatch(op -> e.getMessage().startsWith(op + ": double backward"))
                            && e.getMessage().contains("not supported"),
                    e.getMessage()); // the fused op falls back to conv2d_relu + max_pool2d on some shapes, and
            // names the piece that refused
            return;
        }
        if ((info.name().equals("max") || info.name().equals("min")) && hasTies(b.leaves()[0]))
            return; // at a tie the first derivative jumps (the gradient is split among the tied elements): no second
        // derivative there
        GradCheck.Result r = GradCheck.checkSecondOrder(f, b.leaves());
        assertTrue(r.passed(), r.toString());
    }

    private static boolean hasTies(Tensor t) {
        double[] v = t.toDoubleArray();
        return java.util.Arrays.stream(v).distinct().count() < v.length;
    }

    /** Ops whose backward is a dedicated kernel and that refuse double backward (PyTorch supports it; see PARITY notes). */
    static final java.util.Set<String> ONCE_DIFFERENTIABLE =
            java.util.Set.of("conv2d", "conv2d_relu", "conv2d_relu_max_pool2d", "max_pool2d", "avg_pool2d");

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void elementwiseOpsMatchTheirScalarReference(String name, JsonNode c) {
        OpRegistry.OpInfo info = info(c);
        if (info.unaryRef() == null && info.binaryRef() == null) return;
        Built b = build(c, DType.FLOAT64);
        Tensor y = info.op().apply(b.views(), c.get("args"));
        double[] actual = y.toDoubleArray();
        if (info.unaryRef() != null) {
            double[] x = b.views()[0].toDoubleArray();
            for (int i = 0; i < x.length; i++)
                assertEquals(info.unaryRef().applyAsDouble(x[i]), actual[i], 1e-12 * (1 + Math.abs(actual[i])));
        } else {
            int[] shape = y.shape();
            double[] p = b.views()[0].expand(shape).toDoubleArray(),
                    q = b.views()[1].expand(shape).toDoubleArray();
            for (int i = 0; i < p.length; i++)
                assertEquals(info.binaryRef().applyAsDouble(p[i], q[i]), actual[i], 1e-12 * (1 + Math.abs(actual[i])));
        }
    }

    @Test
    void everyRegisteredOpHasGoldenCasesAndEveryCaseIsRegistered() {
        Set<String> seen = new HashSet<>();
        for (JsonNode c : golden.get("cases")) {
            assertTrue(OpRegistry.OPS.containsKey(c.get("op").asText()), "unregistered op " + c.get("op"));
            seen.add(c.get("op").asText());
        }
        Set<String> missing = new HashSet<>(OpRegistry.OPS.keySet());
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "registered ops without golden cases: " + missing);
    }
}
