package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Optimizers refuse the arguments PyTorch refuses (negative lr, eps, weight decay, momentum, alpha; betas outside
 * [0, 1)) and also NaN and infinities, which PyTorch's {@code 0.0 <= lr} lets through for +inf and which turn every
 * weight into NaN on the first step (issue 9: {@code nabla train --lr NaN} wrote all-NaN weights and exited 0).
 */
class OptimizerValidationTest {
    private static List<Tensor> params() {
        return List.of(Tensor.of(new float[] {1, 2}, 2).requiresGrad_(true));
    }

    private static void refused(String expectedInMessage, Supplier<Optimizer> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void badLearningRatesAreRefusedByEveryOptimizer() {
        for (double lr : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e-3}) {
            refused("invalid learning rate: " + lr, () -> new SGD(params(), lr));
            refused("invalid learning rate: " + lr, () -> new Adam(params(), lr));
            refused("invalid learning rate: " + lr, () -> new AdamW(params(), lr));
            refused("invalid learning rate: " + lr, () -> new RMSprop(params(), lr));
        }
        assertDoesNotThrow(() -> new SGD(params(), 0.0)); // PyTorch accepts lr = 0
    }

    @Test
    void badBetasEpsWeightDecayMomentumAndAlphaAreRefused() {
        refused(
                "Adam: invalid beta parameter at index 0: 1.0",
                () -> new Adam(List.of(new ParamGroup(params())), 1e-3, 1.0, 0.999, 1e-8, 0, false));
        refused(
                "invalid beta parameter at index 1: -0.1",
                () -> new Adam(List.of(new ParamGroup(params())), 1e-3, 0.9, -0.1, 1e-8, 0, false));
        refused(
                "invalid beta parameter at index 0: NaN",
                () -> new AdamW(List.of(new ParamGroup(params())), 1e-3, Double.NaN, 0.999, 1e-8, 0, false));
        refused(
                "invalid epsilon value: -1.0E-8",
                () -> new Adam(List.of(new ParamGroup(params())), 1e-3, 0.9, 0.999, -1e-8, 0, false));
        refused("invalid weight_decay value: -1.0", () -> new Adam(params(), 1e-3, -1));
        refused(
                "invalid weight_decay value: NaN",
                () -> new SGD(List.of(new ParamGroup(params())), 0.1, 0, 0, false, Double.NaN));
        refused("invalid momentum value: -0.5", () -> new SGD(params(), 0.1, -0.5));
        refused(
                "invalid alpha value: -0.99",
                () -> new RMSprop(List.of(new ParamGroup(params())), 0.01, -0.99, 1e-8, 0, 0, false));
    }

    @Test
    void aBadOptionInOneGroupNamesTheGroup() {
        List<ParamGroup> groups = List.of(new ParamGroup(params()), new ParamGroup(params()).with("lr", Double.NaN));
        refused("in parameter group 1", () -> new SGD(groups, 0.1, 0, 0, false, 0));
    }

    @Test
    void valuesSetLaterAreCheckedBeforeTheyCanReachTheWeights() {
        Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad_(true);
        Adam adam = new Adam(List.of(w), 1e-3);
        assertThrows(IllegalArgumentException.class, () -> adam.setLr(Double.NaN));
        adam.paramGroups().get(0).set("lr", Double.POSITIVE_INFINITY); // e.g. a schedule that diverged
        w.sum().backward();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, adam::step);
        assertTrue(e.getMessage().contains("invalid learning rate: Infinity"), e.getMessage());
        assertArrayEquals(new float[] {1, 2}, w.toFloatArray(), "the refused step left the weights alone");
        Map<String, Tensor> state = new Adam(List.of(w), 1e-3).stateDict();
        state.put("param_groups.0.beta1", Tensor.scalar(1.5, dev.nabla.DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w), 1e-3).loadStateDict(state));
    }
}
