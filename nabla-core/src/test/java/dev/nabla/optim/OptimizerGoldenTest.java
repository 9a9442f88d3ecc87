package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MSELoss;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ten steps of each optimizer from PyTorch's initial weights (float32) end at PyTorch's weights to 1e-5 relative. */
class OptimizerGoldenTest {
    @BeforeAll
    static void resetWorst() {
        dev.nabla.testing.Golden.worstRelative = 0;
    }

    @AfterAll
    static void reportWorst() {
        System.out.println(
                "optimizers (float32 parameters after 10 steps): largest relative difference from PyTorch (|expected| > 1e-3): "
                        + dev.nabla.testing.Golden.worstRelative);
    }

    static final JsonNode NN = Golden.json("nn.json");

    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : NN.get("optimizers"))
            out.add(Arguments.of(c.get("optimizer").asText() + " " + c.get("config"), c));
        return out.stream();
    }

    private static double opt(JsonNode cfg, String key, double dflt) {
        return cfg.has(key)
                ? (cfg.get(key).isBoolean()
                        ? (cfg.get(key).asBoolean() ? 1 : 0)
                        : cfg.get(key).asDouble())
                : dflt;
    }

    static Optimizer make(String name, JsonNode k, List<Tensor> params) {
        List<ParamGroup> groups = List.of(ParamGroup.of(params));
        double lr = k.get("lr").asDouble(), wd = opt(k, "weight_decay", name.equals("AdamW") ? 0.01 : 0);
        return switch (name) {
            case "SGD" ->
                new SGD(groups, lr, opt(k, "momentum", 0), opt(k, "dampening", 0), opt(k, "nesterov", 0) != 0, wd);
            case "RMSprop" ->
                new RMSprop(
                        groups,
                        lr,
                        opt(k, "alpha", 0.99),
                        opt(k, "eps", 1e-8),
                        wd,
                        opt(k, "momentum", 0),
                        opt(k, "centered", 0) != 0);
            case "Adam" ->
                new Adam(
                        groups,
                        lr,
                        opt(k, "beta1", 0.9),
                        opt(k, "beta2", 0.999),
                        opt(k, "eps", 1e-8),
                        wd,
                        opt(k, "amsgrad", 0) != 0);
            case "AdamW" ->
                new AdamW(
                        groups,
                        lr,
                        opt(k, "beta1", 0.9),
                        opt(k, "beta2", 0.999),
                        opt(k, "eps", 1e-8),
                        wd,
                        opt(k, "amsgrad", 0) != 0);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void tenStepsMatchPyTorch(String name, JsonNode c) {
        Sequential model = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 2));
        model.loadStateDict(Golden.tensors(c.get("initial"), DType.FLOAT32));
        Optimizer opt = make(c.get("optimizer").asText(), c.get("config"), model.parameters());
        Tensor x = Golden.tensor(NN.get("optim_data").get("x"), DType.FLOAT32),
                y = Golden.tensor(NN.get("optim_data").get("y"), DType.FLOAT32);
        MSELoss mse = new MSELoss();
        for (int step = 0; step < 10; step++) {
            opt.zeroGrad();
            Tensor loss = mse.apply(model.forward(x), y);
            assertEquals(
                    c.get("losses").get(step).asDouble(),
                    loss.item(),
                    1e-5 * Math.abs(loss.item()) + 1e-7,
                    "loss at step " + step);
            loss.backward();
            opt.step();
        }
        Map<String, Tensor> fin = model.stateDict();
        c.get("final")
                .fields()
                .forEachRemaining(e -> Golden.assertClose(
                        name + " " + e.getKey(),
                        Golden.tensor(e.getValue(), DType.FLOAT32),
                        fin.get(e.getKey()),
                        1e-5,
                        1e-6));
    }

    @Test
    void optimizerStateRoundTripsThroughItsStateDict() {
        Sequential model = new Sequential(new Linear(4, 3));
        Adam a = new Adam(model.parameters(), 0.01);
        Tensor x = Tensor.randn(new dev.nabla.Generator(1), 5, 4);
        model.forward(x).square().mean().backward();
        a.step();
        Map<String, Tensor> sd = a.stateDict();
        assertTrue(
                sd.containsKey("state.0.exp_avg") && sd.containsKey("param_groups.0.lr"),
                sd.keySet().toString());
        Adam b = new Adam(model.parameters(), 0.5);
        b.loadStateDict(sd);
        assertEquals(0.01, b.paramGroups().get(0).get("lr"));
        assertArrayEquals(
                sd.get("state.0.exp_avg").toDoubleArray(),
                b.stateDict().get("state.0.exp_avg").toDoubleArray());
    }

    @Test
    void schedulesFollowTheirFormulas() {
        Sequential model = new Sequential(new Linear(2, 1));
        SGD sgd = new SGD(model.parameters(), 1.0);
        LRScheduler step = LRScheduler.stepLR(sgd, 2, 0.5);
        double[] seen = new double[5];
        for (int e = 0; e < 5; e++) {
            step.step();
            seen[e] = sgd.paramGroups().get(0).get("lr");
        }
        assertArrayEquals(new double[] {1, 0.5, 0.5, 0.25, 0.25}, seen, 1e-12);
        SGD s2 = new SGD(model.parameters(), 1.0);
        LRScheduler cos = LRScheduler.cosineAnnealingLR(s2, 4, 0.0);
        cos.step();
        cos.step();
        assertEquals(0.5, s2.paramGroups().get(0).get("lr"), 1e-12);
        SGD s3 = new SGD(model.parameters(), 1.0);
        LRScheduler.exponentialLR(s3, 0.9).step();
        assertEquals(0.9, s3.paramGroups().get(0).get("lr"), 1e-12);
        SGD s4 = new SGD(model.parameters(), 1.0);
        ReduceLROnPlateau plateau = new ReduceLROnPlateau(s4, true, 0.5, 1, 1e-4, 0, 0);
        assertFalse(plateau.step(1.0));
        assertFalse(plateau.step(1.0));
        assertTrue(plateau.step(1.0));
        assertEquals(0.5, s4.paramGroups().get(0).get("lr"), 1e-12);
    }

    @Test
    void biasesCanBeLeftOutOfWeightDecayAndL2IsAnExplicitTerm() {
        Sequential model = new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 1));
        List<ParamGroup> groups = Regularization.decayWeightsNotBiases(model, 0.1);
        assertEquals(2, groups.size());
        assertEquals(2, groups.get(0).params().size());
        assertEquals(0.1, groups.get(0).options().get("weight_decay"));
        assertEquals(0.0, groups.get(1).options().get("weight_decay"));
        new Adam(groups, 0.01, 0.9, 0.999, 1e-8, 0.5, false); // group options win over the default
        double expected = 0;
        for (var e : model.namedParameters().entrySet())
            if (e.getKey().endsWith("weight")) for (double v : e.getValue().toDoubleArray()) expected += v * v;
        assertEquals(expected, Regularization.l2Penalty(model).item(), 1e-5);
    }

    @Test
    void clippingAndPruning() {
        Tensor p = Tensor.zeros(2).requiresGrad_(true);
        p.setGrad(Tensor.of(new float[] {3, 4}));
        double norm = GradClip.clipGradNorm(List.of(p), 1.0);
        assertEquals(5.0, norm, 1e-6);
        assertEquals(1.0, p.grad().square().sum().sqrt().item(), 1e-5);
        p.setGrad(Tensor.of(new float[] {3, -4}));
        GradClip.clipGradValue(List.of(p), 0.5);
        assertArrayEquals(new float[] {0.5f, -0.5f}, p.grad().toFloatArray());
        Sequential m = new Sequential(new Linear(10, 10));
        long pruned = Regularization.pruneSmallWeights(m, 0.05);
        double zeros =
                m.namedParameters().get("0.weight").eq(0.0).toLong().sum().item();
        assertEquals(pruned, (long) zeros);
        assertTrue(pruned > 0);
    }
}
