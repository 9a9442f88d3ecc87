package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradCheck;
import dev.nabla.nn.F.Reduction;
import dev.nabla.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Layers and losses against PyTorch's values (golden/nn.json, float64), and GradCheck for each. */
class NnGoldenTest {
    static final JsonNode NN = Golden.json("nn.json");

    static Stream<Arguments> layers() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : NN.get("layers"))
            out.add(Arguments.of(
                    i++ + ": " + c.get("kind").asText() + " " + c.get("config")
                            + (c.get("train").asBoolean() ? " train" : " eval"),
                    c));
        return out.stream();
    }

    static Stream<Arguments> losses() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : NN.get("losses"))
            out.add(Arguments.of(
                    i++ + ": " + c.get("kind").asText() + " " + c.get("config") + " "
                            + c.get("reduction").asText(),
                    c));
        return out.stream();
    }

    static Module layer(JsonNode c) {
        JsonNode k = c.get("config");
        Generator g = new Generator(0);
        Module m = switch (c.get("kind").asText()) {
            case "Linear" ->
                new Linear(
                        k.get("in_features").asInt(),
                        k.get("out_features").asInt(),
                        k.get("bias").asBoolean(),
                        g,
                        DType.FLOAT64);
            case "Conv2d" ->
                new Conv2d(
                        k.get("in_channels").asInt(),
                        k.get("out_channels").asInt(),
                        new int[] {k.get("kernel").asInt(), k.get("kernel").asInt()},
                        Conv2d.Options.defaults()
                                .stride(k.get("stride").asInt())
                                .padding(k.get("padding").asInt())
                                .dilation(k.get("dilation").asInt())
                                .bias(k.get("bias").asBoolean()),
                        g,
                        DType.FLOAT64);
            case "MaxPool2d" ->
                new MaxPool2d(
                        k.get("kernel").asInt(),
                        k.get("stride").asInt(),
                        k.get("padding").asInt(),
                        1);
            case "AvgPool2d" ->
                new AvgPool2d(
                        k.get("kernel").asInt(),
                        k.get("stride").asInt(),
                        k.get("padding").asInt());
            case "BatchNorm1d" -> new BatchNorm1d(k.get("num_features").asInt()).to(DType.FLOAT64);
            case "BatchNorm2d" -> new BatchNorm2d(k.get("num_features").asInt()).to(DType.FLOAT64);
            default -> throw new IllegalArgumentException(c.get("kind").asText());
        };
        m.loadStateDict(Golden.tensors(c.get("state_before"), DType.FLOAT64));
        m.train(c.get("train").asBoolean());
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerForwardAndBackwardMatchPyTorch(String name, JsonNode c) {
        Module m = layer(c);
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        Tensor y = m.forward(x);
        Golden.assertClose(name + " output", Golden.tensor(c.get("output"), DType.FLOAT64), y, 1e-10, 1e-12);
        y.backward(Golden.tensor(c.get("grad_output"), DType.FLOAT64));
        Golden.assertClose(
                name + " grad input", Golden.tensor(c.get("grad_input"), DType.FLOAT64), x.grad(), 1e-10, 1e-12);
        Map<String, Tensor> params = m.namedParameters();
        c.get("param_grads")
                .fields()
                .forEachRemaining(e -> Golden.assertClose(
                        name + " grad " + e.getKey(),
                        Golden.tensor(e.getValue(), DType.FLOAT64),
                        params.get(e.getKey()).grad(),
                        1e-10,
                        1e-12));
        Map<String, Tensor> after = m.stateDict();
        c.get("state_after")
                .fields()
                .forEachRemaining(e -> Golden.assertClose(
                        name + " state " + e.getKey(),
                        Golden.tensor(e.getValue(), DType.FLOAT64),
                        after.get(e.getKey()),
                        1e-10,
                        1e-12));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerPassesGradCheck(String name, JsonNode c) {
        Module m = layer(c);
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        GradCheck.Result r = GradCheck.check(xs -> m.forward(xs[0]), x);
        assertTrue(r.passed(), r.toString());
        JsonNode k = c.get("config");
        Tensor w = m.parameter("weight"), b = m.parameter("bias");
        Function<Tensor[], Tensor> f = switch (c.get("kind").asText()) {
            case "Linear" -> xs -> F.linear(xs[0], xs[1], xs.length > 2 ? xs[2] : null);
            case "Conv2d" -> {
                int s = k.get("stride").asInt(),
                        p = k.get("padding").asInt(),
                        d = k.get("dilation").asInt();
                yield xs -> F.conv2d(
                        xs[0], xs[1], xs.length > 2 ? xs[2] : null, new int[] {s, s}, new int[] {p, p}, new int[] {d, d
                        });
            }
            case "BatchNorm1d", "BatchNorm2d" ->
                c.get("train").asBoolean() ? xs -> F.batchNorm(xs[0], null, null, xs[1], xs[2], true, 0.1, 1e-5) : null;
            default -> null;
        };
        if (f == null) return;
        Tensor[] in = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        r = GradCheck.check(f, in);
        assertTrue(r.passed(), "parameters: " + r);
    }

    static Loss loss(JsonNode c) {
        JsonNode k = c.get("config");
        Reduction red = Reduction.valueOf(c.get("reduction").asText().toUpperCase());
        Tensor weight = k.has("weight") ? tensorOf(k.get("weight")) : null;
        double ls = k.has("label_smoothing") ? k.get("label_smoothing").asDouble() : 0;
        double scale = k.has("scale") ? k.get("scale").asDouble() : 1;
        return switch (c.get("kind").asText()) {
            case "MSELoss" -> new MSELoss(red);
            case "HalfSquaredErrorLoss" -> new HalfSquaredErrorLoss(red);
            case "CrossEntropyLoss" -> {
                CrossEntropyLoss ce = new CrossEntropyLoss(red, weight, ls);
                yield (x, t) -> ce.apply(x.mul(scale), t);
            }
            case "NLLLoss" -> {
                NLLLoss nll = new NLLLoss(red, weight);
                yield (x, t) -> nll.apply(x.logSoftmax(1), t);
            }
            case "BCELoss" -> new BCELoss(red);
            case "BCEWithLogitsLoss" ->
                new BCEWithLogitsLoss(red, k.has("pos_weight") ? tensorOf(k.get("pos_weight")) : null);
            case "HingeLoss" -> new HingeLoss(red);
            case "PerceptronLoss" -> new PerceptronLoss(red);
            default -> throw new IllegalArgumentException(c.get("kind").asText());
        };
    }

    private static Tensor tensorOf(JsonNode arr) {
        double[] v = new double[arr.size()];
        for (int i = 0; i < v.length; i++) v[i] = arr.get(i).asDouble();
        return Tensor.of(v);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void lossMatchesPyTorchAndPassesGradCheck(String name, JsonNode c) {
        Loss loss = loss(c);
        Tensor x = Golden.tensor(c.get("input"), DType.FLOAT64).requiresGrad_(true);
        Tensor t = Golden.tensor(c.get("target"), DType.FLOAT64);
        Tensor y = loss.apply(x, t);
        Golden.assertClose(name + " output", Golden.tensor(c.get("output"), DType.FLOAT64), y, 1e-10, 1e-12);
        y.backward(Golden.tensor(c.get("grad_output"), DType.FLOAT64));
        Golden.assertClose(
                name + " grad input", Golden.tensor(c.get("grad_input"), DType.FLOAT64), x.grad(), 1e-9, 1e-12);
        GradCheck.Result r = GradCheck.check(xs -> loss.apply(xs[0], t), x);
        assertTrue(r.passed(), r.toString());
    }

    @org.junit.jupiter.api.BeforeAll
    static void resetWorst() {
        Golden.worstRelative = 0;
    }

    @AfterAll
    static void report() {
        System.out.println("layers and losses (float64): largest relative difference from PyTorch (|expected| > 1e-3): "
                + Golden.worstRelative);
    }
}
