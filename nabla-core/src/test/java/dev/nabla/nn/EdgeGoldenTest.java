package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradCheck;
import dev.nabla.nn.F.Reduction;
import dev.nabla.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PyTorch's answers at the edges (golden/edges.json, from tools/torch-golden/gen_edges.py), issue 10 items 1, 2 and 6:
 * BCE with logits at logits of exactly 0, BCE at p = 0, 1 and 1e-30, and the output sizes PyTorch refuses.
 */
class EdgeGoldenTest {
    static final JsonNode EDGES = Golden.json("edges.json");

    /** The cases of one section of edges.json, each named "index: what" for the test report. */
    private static Stream<Arguments> cases(String section, java.util.function.Function<JsonNode, String> what) {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : EDGES.get(section)) out.add(Arguments.of(i++ + ": " + what.apply(c), c));
        return out.stream();
    }

    static Stream<Arguments> losses() {
        return cases(
                "losses",
                c -> c.get("kind").asText() + " " + c.get("reduction").asText()
                        + (c.path("pos_weight").isObject() ? " pos_weight" : ""));
    }

    private static Reduction reduction(JsonNode c) {
        return switch (c.get("reduction").asText()) {
            case "none" -> Reduction.NONE;
            case "sum" -> Reduction.SUM;
            default -> Reduction.MEAN;
        };
    }

    private static Tensor apply(JsonNode c, Tensor x, Tensor t) {
        if (c.get("kind").asText().equals("bce")) return F.binaryCrossEntropy(x, t, reduction(c));
        Tensor pw = c.path("pos_weight").isObject() ? Golden.tensor(c.get("pos_weight"), DType.FLOAT64) : null;
        return F.binaryCrossEntropyWithLogits(x, t, pw, reduction(c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void lossValuesAndGradientsMatchPyTorchAtTheEdges(String name, JsonNode c) {
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        Tensor t = Golden.tensor(c.get("target"), DType.FLOAT64).requiresGrad_(true);
        Tensor out = apply(c, x, t);
        Golden.assertClose(name + " output", Golden.tensor(c.get("output"), DType.FLOAT64), out, 1e-12, 1e-12);
        out.backward(Tensor.onesLike(out));
        Golden.assertClose(
                name + " grad input", Golden.tensor(c.get("grad_input"), DType.FLOAT64), x.grad(), 1e-12, 1e-12);
        Golden.assertClose(
                name + " grad target", Golden.tensor(c.get("grad_target"), DType.FLOAT64), t.grad(), 1e-12, 1e-12);
    }

    @org.junit.jupiter.api.Test
    void theNewBackwardsPassGradCheckAndSecondOrderChecksAwayFromTheClamps() {
        Tensor logits = Tensor.of(new double[] {0.0, -1.5, 2.0, 0.3}, 4).requiresGrad_(true);
        Tensor target = Tensor.of(new double[] {1.0, 0.0, 0.5, 1.0}, 4);
        assertTrue(GradCheck.check(x -> F.binaryCrossEntropyWithLogits(x[0], target, null, Reduction.SUM), logits)
                .passed());
        Tensor p = Tensor.of(new double[] {0.2, 0.5, 0.9, 0.7}, 4).requiresGrad_(true);
        assertTrue(GradCheck.check(x -> F.binaryCrossEntropy(x[0], target, Reduction.SUM), p)
                .passed());
        // second derivative of BCE-with-logits: d²/dx² = σ(x)(1 − σ(x)), 0.25 at x = 0
        Tensor x0 = Tensor.of(new double[] {0.0}, 1).requiresGrad_(true);
        Tensor l = F.binaryCrossEntropyWithLogits(x0, Tensor.of(new double[] {1.0}, 1), null, Reduction.SUM);
        Tensor g = Autograd.grad(new Tensor[] {l}, new Tensor[] {x0}, null, true, true, false)[0];
        assertEquals(-0.5, g.item(), 1e-15);
        Tensor h = Autograd.grad(new Tensor[] {g.sum()}, new Tensor[] {x0}, null, false, false, false)[0];
        assertEquals(0.25, h.item(), 1e-15);
    }

    static Stream<Arguments> hvps() {
        return cases("hvp", c -> c.get("loss").asText());
    }

    /** Issue 10 item 3: the Hessian-vector product of cross-entropy was off by 1.33 relative (exp's backward used a detached output). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hvps")
    void hessianVectorProductsMatchPyTorch(String name, JsonNode c) {
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        long[] labels = new long[c.get("labels").size()];
        for (int i = 0; i < labels.length; i++)
            labels[i] = c.get("labels").get(i).asLong();
        Tensor y = Tensor.of(labels);
        Tensor loss = switch (c.get("loss").asText()) {
            case "cross_entropy" -> new CrossEntropyLoss().apply(x, y);
            case "bce_with_logits" ->
                F.binaryCrossEntropyWithLogits(
                        x, y.reshape(3, 1).gt(Tensor.arange(4)).to(DType.FLOAT64), null, Reduction.MEAN);
            default ->
                x.tanh()
                        .mul(x.sigmoid())
                        .add(x.gelu())
                        .add(x.gelu(true))
                        .add(x.exp().sqrt())
                        .sum();
        };
        Tensor g = Autograd.grad(new Tensor[] {loss}, new Tensor[] {x}, null, true, true, false)[0];
        Golden.assertClose(name + " grad", Golden.tensor(c.get("grad"), DType.FLOAT64), g, 1e-12, 1e-12);
        Tensor hv = Autograd.grad(
                new Tensor[] {g.mul(Golden.tensor(c.get("v"), DType.FLOAT64)).sum()},
                new Tensor[] {x},
                null,
                false,
                false,
                false)[0];
        Golden.assertClose(
                name + " Hessian-vector product", Golden.tensor(c.get("hvp"), DType.FLOAT64), hv, 1e-10, 1e-12);
    }

    static Stream<Arguments> moreLosses() {
        return cases(
                "more_losses",
                c -> c.get("kind").asText() + " " + c.get("config") + " "
                        + c.get("reduction").asText());
    }

    /** Issue 10 item 10: L1, SmoothL1 (β, and β = 0), Huber (δ), HingeEmbedding, MultiMargin (p 1 and 2, class weights), KLDiv (log targets too). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("moreLosses")
    void moreLossesMatchPyTorch(String name, JsonNode c) {
        JsonNode k = c.get("config");
        Reduction r = Reduction.valueOf(c.get("reduction").asText().toUpperCase(java.util.Locale.ROOT));
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        Tensor t = Golden.tensor(c.get("target"), DType.FLOAT64);
        Loss loss = switch (c.get("kind").asText()) {
            case "L1Loss" -> new L1Loss(r);
            case "SmoothL1Loss" -> new SmoothL1Loss(k.get("beta").asDouble(), r);
            case "HuberLoss" -> new HuberLoss(k.get("delta").asDouble(), r);
            case "HingeEmbeddingLoss" -> new HingeEmbeddingLoss(k.get("margin").asDouble(), r);
            case "MultiMarginLoss" ->
                new MultiMarginLoss(
                        k.get("p").asInt(),
                        k.get("margin").asDouble(),
                        k.has("weight") ? Tensor.of(StreamSupportDoubles.of(k.get("weight"))) : null,
                        r);
            default -> new KLDivLoss(r, k.get("log_target").asBoolean());
        };
        Tensor out = loss.apply(x, t);
        Golden.assertClose(name + " output", Golden.tensor(c.get("output"), DType.FLOAT64), out, 1e-12, 1e-12);
        out.backward(Tensor.onesLike(out));
        Golden.assertClose(
                name + " grad input", Golden.tensor(c.get("grad_input"), DType.FLOAT64), x.grad(), 1e-12, 1e-12);
        boolean kink = c.get("kind").asText().equals("MultiMarginLoss")
                || (k.has("beta") && k.get("beta").asDouble() == 0); // sampled at d = 0: no derivative there
        if (!kink)
            assertTrue(
                    dev.nabla.autograd.GradCheck.check(
                                    xs -> loss.apply(xs[0], t), x.detach().requiresGrad_(true))
                            .passed(),
                    name + " gradcheck");
    }

    static Stream<Arguments> classLosses() {
        return cases(
                "class_losses",
                c -> c.get("kind").asText() + " " + c.get("config").toString().replaceAll("\\{\"shape.*?\\]\\}", "[..]")
                        + " " + c.get("reduction").asText());
    }

    /** Issue 10 item 9: ignoreIndex, class weights with label smoothing (and over [N, C, H, W]), probability targets with weights, BCE weights. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("classLosses")
    void classLossOptionsMatchPyTorch(String name, JsonNode c) {
        JsonNode k = c.get("config");
        Reduction r = Reduction.valueOf(c.get("reduction").asText().toUpperCase(java.util.Locale.ROOT));
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        Tensor t = Golden.tensor(c.get("target"), DType.FLOAT64);
        Tensor w = k.path("weight").isArray()
                ? Tensor.of(StreamSupportDoubles.of(k.get("weight")))
                : k.path("weight").isObject() ? Golden.tensor(k.get("weight"), DType.FLOAT64) : null;
        long ignore = k.path("ignore_index").asLong(F.IGNORE_INDEX);
        Tensor out = switch (c.get("kind").asText()) {
            case "cross_entropy" ->
                new CrossEntropyLoss(r, w, k.path("label_smoothing").asDouble(0), ignore).apply(x, t);
            case "nll_loss" -> new NLLLoss(r, w, ignore).apply(x, t);
            case "bce" -> new BCELoss(r, w).apply(x, t);
            default -> new BCEWithLogitsLoss(r, Tensor.of(StreamSupportDoubles.of(k.get("pos_weight"))), w).apply(x, t);
        };
        Golden.assertClose(name + " output", Golden.tensor(c.get("output"), DType.FLOAT64), out, 1e-12, 1e-12);
        out.backward(Tensor.onesLike(out));
        Golden.assertClose(
                name + " grad input", Golden.tensor(c.get("grad_input"), DType.FLOAT64), x.grad(), 1e-12, 1e-12);
    }

    static Stream<Arguments> layers() {
        return cases("layers", c -> c.get("kind").asText() + " " + c.get("config"));
    }

    /** Issue 10 item 8: Conv2d groups (depthwise too), MaxPool2d and AvgPool2d ceilMode, AvgPool2d countIncludePad, AdaptiveAvgPool2d. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerOptionsMatchPyTorch(String name, JsonNode c) {
        JsonNode k = c.get("config");
        Module m = switch (c.get("kind").asText()) {
            case "Conv2d" -> {
                Conv2d conv = new Conv2d(
                        k.get("in").asInt(),
                        k.get("out").asInt(),
                        new int[] {k.get("kernel").asInt(), k.get("kernel").asInt()},
                        Conv2d.Options.defaults()
                                .stride(k.get("stride").asInt())
                                .padding(k.get("padding").asInt())
                                .groups(k.get("groups").asInt()),
                        new dev.nabla.Generator(0),
                        DType.FLOAT64);
                conv.loadStateDict(java.util.Map.of(
                        "weight",
                        Golden.tensor(c.get("weight"), DType.FLOAT64),
                        "bias",
                        Golden.tensor(c.get("bias"), DType.FLOAT64)));
                yield conv;
            }
            case "MaxPool2d" ->
                new MaxPool2d(
                        k.get("kernel").asInt(),
                        k.get("stride").asInt(),
                        k.get("padding").asInt(),
                        1,
                        k.get("ceil_mode").asBoolean());
            case "AvgPool2d" ->
                new AvgPool2d(
                        k.get("kernel").asInt(),
                        k.get("stride").asInt(),
                        k.get("padding").asInt(),
                        k.get("ceil_mode").asBoolean(),
                        k.get("count_include_pad").asBoolean());
            default ->
                new AdaptiveAvgPool2d(
                        k.get("out").get(0).asInt(), k.get("out").get(1).asInt());
        };
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        Tensor y = m.forward(x);
        Golden.assertClose(name + " output", Golden.tensor(c.get("output"), DType.FLOAT64), y, 1e-12, 1e-12);
        y.backward(Golden.tensor(c.get("grad_output"), DType.FLOAT64));
        Golden.assertClose(
                name + " grad input", Golden.tensor(c.get("grad_input"), DType.FLOAT64), x.grad(), 1e-12, 1e-12);
        if (m instanceof Conv2d conv) {
            Golden.assertClose(
                    name + " grad weight",
                    Golden.tensor(c.get("grad_weight"), DType.FLOAT64),
                    conv.weight().grad(),
                    1e-12,
                    1e-12);
            Golden.assertClose(
                    name + " grad bias",
                    Golden.tensor(c.get("grad_bias"), DType.FLOAT64),
                    conv.bias().grad(),
                    1e-12,
                    1e-12);
            // Sequential's fused paths fall back to the grouped form: the same values
            Tensor fused = new Sequential(conv, new ReLU()).forward(Golden.tensor(c.get("input"), DType.FLOAT64));
            Golden.assertClose(name + " conv+relu", y.detach().relu(), fused, 1e-12, 1e-12);
        }
    }

    /** JSON number arrays as double[]. */
    private static final class StreamSupportDoubles {
        static double[] of(JsonNode a) {
            double[] d = new double[a.size()];
            for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
            return d;
        }
    }

    static Stream<Arguments> outputSizeErrors() {
        return cases("output_size_errors", c -> c.get("module").asText() + " on " + c.get("input_shape"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputSizeErrors")
    void outputSizesTooSmallAreRefusedAsPyTorchRefusesThem(String name, JsonNode c) {
        assertTrue(c.get("raises").asBoolean(), "PyTorch raises for " + name);
        int[] shape = new int[c.get("input_shape").size()];
        for (int i = 0; i < shape.length; i++)
            shape[i] = c.get("input_shape").get(i).asInt();
        Module m = switch (c.get("module").asText()) {
            case "MaxPool2d(2)" -> new MaxPool2d(2);
            case "AvgPool2d(2)" -> new AvgPool2d(2);
            default -> new Conv2d(1, 1, 3, Conv2d.Options.defaults().stride(2));
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(shape)));
        String torchWords = c.get("message").asText().contains("Output size is too small")
                ? "Output size is too small"
                : "Kernel size can't be greater than actual input size";
        assertTrue(
                e.getMessage().contains(torchWords),
                name + ": " + e.getMessage() + " (PyTorch: " + c.get("message").asText() + ")");
    }
}
