package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradCheck;
import dev.nabla.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sequence layers against PyTorch (golden/seq.json, tools/torch-golden/gen_seq.py, float64): Conv1d,
 * ConvTranspose2d, embeddings, layer,
 * RMS and group normalisation, SiLU/LeakyReLU/ELU/Softplus, scaled dot-product attention, MultiheadAttention and
 * TransformerEncoderLayer: outputs, input and parameter gradients, and numerical gradient checks.
 */
class SequenceGoldenTest {
    static final JsonNode SEQ = Golden.json("seq.json");
    static final double RTOL = 1e-9, ATOL = 1e-11;

    static Stream<Arguments> layers() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : SEQ.get("layers"))
            out.add(Arguments.of(i++ + ": " + c.get("kind").asText() + " " + c.get("config"), c));
        return out.stream();
    }

    static Stream<Arguments> attention() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : SEQ.get("attention"))
            out.add(Arguments.of(c.get("kind").asText() + ": " + c.get("name").asText(), c));
        return out.stream();
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static Module layer(JsonNode c) {
        JsonNode k = c.get("config");
        Generator g = new Generator(0);
        DType d = DType.FLOAT64;
        Module m = switch (c.get("kind").asText()) {
            case "Embedding" ->
                new Embedding(
                        k.get("num").asInt(),
                        k.get("dim").asInt(),
                        k.has("padding_idx") ? k.get("padding_idx").asInt() : null,
                        g,
                        d);
            case "LayerNorm" ->
                new LayerNorm(
                        ints(k.get("shape")),
                        k.get("eps").asDouble(),
                        k.get("affine").asBoolean(),
                        true,
                        d);
            case "RMSNorm" ->
                new RMSNorm(
                        ints(k.get("shape")),
                        k.get("eps").isNull() ? null : k.get("eps").asDouble(),
                        true,
                        d);
            case "GroupNorm" ->
                new GroupNorm(
                        k.get("groups").asInt(),
                        k.get("channels").asInt(),
                        k.get("eps").asDouble(),
                        true,
                        d);
            case "Conv1d" ->
                new Conv1d(
                        k.get("cin").asInt(),
                        k.get("cout").asInt(),
                        k.get("k").asInt(),
                        k.get("stride").asInt(),
                        k.get("padding").asInt(),
                        k.get("dilation").asInt(),
                        k.get("groups").asInt(),
                        k.get("bias").asBoolean(),
                        g,
                        d);
            case "ConvTranspose2d" ->
                new ConvTranspose2d(
                        k.get("cin").asInt(),
                        k.get("cout").asInt(),
                        k.get("k").asInt(),
                        k.get("stride").asInt(),
                        k.get("padding").asInt(),
                        k.get("output_padding").asInt(),
                        k.get("groups").asInt(),
                        k.get("bias").asBoolean(),
                        k.get("dilation").asInt(),
                        g,
                        d);
            case "SiLU" -> new SiLU();
            case "LeakyReLU" -> new LeakyReLU(k.get("slope").asDouble());
            case "ELU" -> new ELU(k.get("alpha").asDouble());
            case "Softplus" ->
                new Softplus(k.get("beta").asDouble(), k.get("threshold").asDouble());
            default -> throw new IllegalArgumentException(c.get("kind").asText());
        };
        m.loadStateDict(Golden.tensors(c.get("state_before"), d));
        return m;
    }

    private static void assertParamGrads(String name, Module m, JsonNode grads) {
        Map<String, Tensor> params = m.namedParameters();
        assertEquals(grads.size(), params.size(), name + " parameters");
        grads.fields()
                .forEachRemaining(e -> Golden.assertClose(
                        name + " grad " + e.getKey(),
                        Golden.tensor(e.getValue(), DType.FLOAT64),
                        params.get(e.getKey()).grad(),
                        RTOL,
                        ATOL));
    }

    private static Tensor t(JsonNode n) {
        return Golden.tensor(n, DType.FLOAT64);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerForwardAndBackwardMatchPyTorch(String name, JsonNode c) {
        Module m = layer(c);
        Tensor x = t(c.get("input"));
        boolean floatInput = x.dtype().isFloatingPoint();
        if (floatInput) x.requiresGrad_(true);
        Tensor y = m.call(x);
        Golden.assertClose(name + " output", t(c.get("output")), y, RTOL, ATOL);
        y.backward(t(c.get("grad_output")));
        if (floatInput) Golden.assertClose(name + " grad input", t(c.get("grad_input")), x.grad(), RTOL, ATOL);
        assertParamGrads(name, m, c.get("param_grads"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerPassesGradCheck(String name, JsonNode c) {
        Module m = layer(c);
        Tensor x = t(c.get("input"));
        if (!x.dtype().isFloatingPoint()) { // embedding: with respect to the table
            Tensor w = m.parameter("weight");
            GradCheck.Result r = GradCheck.check(ws -> F.embedding(x, ws[0], null), w);
            assertTrue(r.passed(), r.toString());
            return;
        }
        // away from the kink at 0 of LeakyReLU and ELU (the golden inputs hold exact zeros for the forward check)
        Tensor smooth = Tensor.where(x.abs().lt(1e-3), x.add(0.1), x).detach().requiresGrad_(true);
        GradCheck.Result r = GradCheck.check(xs -> m.forward(xs[0]), smooth);
        assertTrue(r.passed(), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attention")
    void attentionMatchesPyTorch(String name, JsonNode c) {
        switch (c.get("kind").asText()) {
            case "sdpa" -> {
                Tensor q = t(c.get("q")).requiresGrad_(true),
                        k = t(c.get("k")).requiresGrad_(true),
                        v = t(c.get("v")).requiresGrad_(true);
                Tensor mask = c.get("mask").isNull() ? null : t(c.get("mask"));
                Double scale = c.get("scale").isNull() ? null : c.get("scale").asDouble();
                boolean causal = c.get("causal").asBoolean();
                Tensor y = F.scaledDotProductAttention(q, k, v, mask, 0, causal, scale, null);
                Golden.assertClose(name + " output", t(c.get("output")), y, RTOL, ATOL);
                y.backward(t(c.get("grad_output")));
                Golden.assertClose(name + " grad q", t(c.get("grad_q")), q.grad(), RTOL, ATOL);
                Golden.assertClose(name + " grad k", t(c.get("grad_k")), k.grad(), RTOL, ATOL);
                Golden.assertClose(name + " grad v", t(c.get("grad_v")), v.grad(), RTOL, ATOL);
                GradCheck.Result r = GradCheck.check(
                        xs -> F.scaledDotProductAttention(xs[0], xs[1], xs[2], mask, 0, causal, scale, null),
                        t(c.get("q")).requiresGrad_(true),
                        t(c.get("k")).requiresGrad_(true),
                        t(c.get("v")).requiresGrad_(true));
                assertTrue(r.passed(), r.toString());
            }
            case "mha" -> {
                JsonNode k = c.get("config");
                MultiheadAttention m = new MultiheadAttention(
                        k.get("embed").asInt(),
                        k.get("heads").asInt(),
                        0.0,
                        true,
                        k.get("batch_first").asBoolean(),
                        new Generator(0),
                        DType.FLOAT64);
                m.loadStateDict(Golden.tensors(c.get("state_before"), DType.FLOAT64));
                m.eval();
                Tensor q = t(c.get("query")).requiresGrad_(true),
                        key = t(c.get("key")).requiresGrad_(true),
                        v = t(c.get("value")).requiresGrad_(true);
                Tensor pad = c.get("key_padding_mask").isNull() ? null : t(c.get("key_padding_mask"));
                Tensor mask = c.get("attn_mask").isNull() ? null : t(c.get("attn_mask"));
                MultiheadAttention.Output o =
                        m.forward(q, key, v, pad, mask, c.get("causal").asBoolean(), true);
                Golden.assertClose(name + " output", t(c.get("output")), o.output(), RTOL, ATOL);
                Golden.assertClose(name + " weights", t(c.get("weights")), o.weights(), RTOL, ATOL);
                o.output().backward(t(c.get("grad_output")));
                Golden.assertClose(name + " grad query", t(c.get("grad_query")), q.grad(), RTOL, ATOL);
                Golden.assertClose(name + " grad key", t(c.get("grad_key")), key.grad(), RTOL, ATOL);
                Golden.assertClose(name + " grad value", t(c.get("grad_value")), v.grad(), RTOL, ATOL);
                assertParamGrads(name, m, c.get("param_grads"));
            }
            case "encoder" -> {
                JsonNode k = c.get("config");
                TransformerEncoderLayer m = new TransformerEncoderLayer(
                        k.get("d_model").asInt(),
                        k.get("nhead").asInt(),
                        k.get("ff").asInt(),
                        0.0,
                        k.get("gelu").asBoolean(),
                        1e-5,
                        true,
                        k.get("norm_first").asBoolean(),
                        new Generator(0),
                        DType.FLOAT64);
                m.loadStateDict(Golden.tensors(c.get("state_before"), DType.FLOAT64));
                Tensor x = t(c.get("input")).requiresGrad_(true);
                int l = x.size(1);
                boolean[] causal = new boolean[l * l];
                for (int i = 0; i < l; i++) for (int j = i + 1; j < l; j++) causal[i * l + j] = true;
                Tensor y = m.forward(x, Tensor.of(causal, l, l), null, false);
                Golden.assertClose(name + " output", t(c.get("output")), y, RTOL, ATOL);
                y.backward(t(c.get("grad_output")));
                Golden.assertClose(name + " grad input", t(c.get("grad_input")), x.grad(), RTOL, ATOL);
                assertParamGrads(name, m, c.get("param_grads"));
                // isCausal gives the same as the explicit causal mask
                m.zeroGrad();
                Tensor y2 = m.forward(t(c.get("input")), null, null, true);
                Golden.assertClose(name + " with isCausal", t(c.get("output")), y2, RTOL, ATOL);
            }
            default -> throw new IllegalArgumentException(c.get("kind").asText());
        }
    }

    static Stream<Arguments> recurrent() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : SEQ.get("recurrent"))
            out.add(Arguments.of(c.get("kind").asText() + ": " + c.get("name").asText(), c));
        return out.stream();
    }

    static Recurrent recurrentLayer(JsonNode c) {
        JsonNode k = c.get("config");
        int in = k.get("input").asInt(),
                h = k.get("hidden").asInt(),
                layers = k.get("layers").asInt();
        boolean bias = !k.has("bias") || k.get("bias").asBoolean();
        boolean bf = k.get("batch_first").asBoolean(),
                bi = k.get("bidirectional").asBoolean();
        Generator g = new Generator(0);
        DType d = DType.FLOAT64;
        Recurrent m = switch (c.get("kind").asText()) {
            case "RNN" -> new RNN(in, h, layers, k.get("relu").asBoolean(), bias, bf, 0, bi, g, d);
            case "LSTM" -> new LSTM(in, h, layers, bias, bf, 0, bi, g, d);
            case "GRU" -> new GRU(in, h, layers, bias, bf, 0, bi, g, d);
            default -> throw new IllegalArgumentException(c.get("kind").asText());
        };
        m.loadStateDict(Golden.tensors(c.get("state_before"), d));
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recurrent")
    void recurrentLayersMatchPyTorch(String name, JsonNode c) {
        Recurrent m = recurrentLayer(c);
        Tensor x = t(c.get("input")).requiresGrad_(true);
        Tensor h0 = c.get("h0").isNull() ? null : t(c.get("h0"));
        Tensor c0 = c.get("c0").isNull() ? null : t(c.get("c0"));
        int[] lengths = c.get("lengths").isNull() ? null : ints(c.get("lengths"));
        Recurrent.Output o = m.forward(x, h0, c0, lengths);
        Golden.assertClose(name + " output", t(c.get("output")), o.output(), RTOL, ATOL);
        Golden.assertClose(name + " h_n", t(c.get("h_n")), o.hN(), RTOL, ATOL);
        Tensor total = o.output()
                .mul(t(c.get("grad_output")))
                .sum()
                .add(o.hN().mul(t(c.get("grad_h_n"))).sum());
        if (!c.get("c_n").isNull()) {
            Golden.assertClose(name + " c_n", t(c.get("c_n")), o.cN(), RTOL, ATOL);
            total = total.add(o.cN().mul(t(c.get("grad_c_n"))).sum());
        }
        total.backward();
        Golden.assertClose(name + " grad input", t(c.get("grad_input")), x.grad(), RTOL, ATOL);
        assertParamGrads(name, m, c.get("param_grads"));
        assertEquals(
                List.copyOf(Golden.tensors(c.get("state_before"), DType.FLOAT64).keySet()),
                List.copyOf(m.stateDict().keySet()),
                "PyTorch's parameter names and order");
    }

    @Test
    void recurrentLayersPassGradCheckAndCheckTheirStates() {
        LSTM lstm = new LSTM(2, 3, 1, true, true, 0, true, new Generator(5), DType.FLOAT64);
        Tensor x = Tensor.randn(new Generator(6), DType.FLOAT64, 2, 4, 2).requiresGrad_(true);
        GradCheck.Result r = GradCheck.check(
                xs -> lstm.forward(xs[0], null, null, new int[] {4, 2}).output(), x);
        assertTrue(r.passed(), r.toString());
        GRU gru = new GRU(2, 3, 2, true, false, 0, false, new Generator(7), DType.FLOAT64);
        r = GradCheck.check(
                xs -> gru.forward(xs[0], xs[1], null, null).hN(),
                x.detach().requiresGrad_(true),
                Tensor.randn(new Generator(8), DType.FLOAT64, 2, 4, 3).requiresGrad_(true));
        assertTrue(r.passed(), r.toString());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> lstm.forward(x, Tensor.zeros(DType.FLOAT64, 1, 2, 3), null, null));
        assertTrue(e.getMessage().contains("expected h0 of shape [2, 2, 3]"), e.getMessage());
        var len = assertThrows(IllegalArgumentException.class, () -> lstm.forward(x, null, null, new int[] {5, 1}));
        assertTrue(len.getMessage().contains("length 5 of sequence 0 is outside 1..4"), len.getMessage());
    }

    @Test
    void stateDictKeysArePyTorchs() {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2);
        assertEquals(
                List.of(
                        "self_attn.in_proj_weight",
                        "self_attn.in_proj_bias",
                        "self_attn.out_proj.weight",
                        "self_attn.out_proj.bias",
                        "linear1.weight",
                        "linear1.bias",
                        "linear2.weight",
                        "linear2.bias",
                        "norm1.weight",
                        "norm1.bias",
                        "norm2.weight",
                        "norm2.bias"),
                List.copyOf(layer.stateDict().keySet()));
        for (JsonNode c : SEQ.get("attention"))
            if (c.get("kind").asText().equals("encoder"))
                assertEquals(
                        List.copyOf(layer.stateDict().keySet()),
                        List.copyOf(Golden.tensors(c.get("state_before"), DType.FLOAT64)
                                .keySet()));
    }

    @Test
    void embeddingPaddingRowStartsAtZeroAndBadIndicesAreNamed() {
        Embedding e = new Embedding(5, 3, -1, new Generator(1), DType.FLOAT32);
        assertArrayEquals(new float[3], e.weight().select(0, 4).toFloatArray());
        var ex = assertThrows(IndexOutOfBoundsException.class, () -> e.call(Tensor.of(new long[] {0, 5, 1}, 3)));
        assertTrue(ex.getMessage().contains("index 5 (at flat position 1"), ex.getMessage());
        var wrong = assertThrows(IllegalArgumentException.class, () -> e.call(Tensor.of(new float[] {0, 1}, 2)));
        assertTrue(wrong.getMessage().contains("indices must be int64"), wrong.getMessage());
    }

    @Test
    void attentionWeightsAreNullUnlessAskedAndMasksAreChecked() {
        MultiheadAttention m = new MultiheadAttention(4, 2);
        Tensor x = Tensor.randn(new Generator(3), 2, 3, 4);
        assertNull(m.forward(x, x, x, null, null, false, false).weights());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> m.forward(x, x, x, Tensor.of(new boolean[] {true, false}, 1, 2), null, false, false));
        assertTrue(e.getMessage().contains("key_padding_mask must be [N, S] = [2, 3]"), e.getMessage());
    }
}
