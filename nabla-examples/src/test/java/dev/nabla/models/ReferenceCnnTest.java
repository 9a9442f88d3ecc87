package dev.nabla.models;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.Tensor;
import dev.nabla.io.Safetensors;
import dev.nabla.nn.*;
import dev.nabla.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference CNN with PyTorch's weights: same keys, logits, loss and every parameter gradient (float32). */
class ReferenceCnnTest {

    @Test
    void stateDictKeysArePyTorchs() throws Exception {
        Map<String, Tensor> torch = Safetensors.load(Golden.path("cnn_state.safetensors"));
        assertEquals(
                List.copyOf(torch.keySet()),
                List.copyOf(new ReferenceCNN().stateDict().keySet()));
        assertEquals(
                "classifier.0.weight",
                new ReferenceCNN().namedParameters().keySet().iterator().next());
    }

    @Test
    void logitsLossAndGradientsMatchPyTorch() throws Exception {
        ReferenceCNN model = new ReferenceCNN();
        model.loadStateDict(Safetensors.load(Golden.path("cnn_state.safetensors")));
        model.eval();
        Map<String, Tensor> batch = Safetensors.load(Golden.path("cnn_batch.safetensors"));
        Tensor logits = model.forward(batch.get("input"));
        Golden.assertClose("logits", batch.get("logits"), logits, 1e-4, 1e-5);
        Tensor loss = new CrossEntropyLoss().apply(logits, batch.get("target"));
        assertEquals(batch.get("loss").item(), loss.item(), 1e-5);
        loss.backward();
        double worst = 0;
        for (var e : model.namedParameters().entrySet()) {
            Tensor expected = batch.get("grad." + e.getKey());
            Golden.assertClose("grad " + e.getKey(), expected, e.getValue().grad(), 1e-3, 1e-6);
            double[] a = e.getValue().grad().toDoubleArray(), x = expected.toDoubleArray();
            double scale = 0;
            for (double v : x) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - x[i]) / scale);
        }
        System.out.println("reference CNN: largest gradient difference relative to the tensor's max |grad|: " + worst);
        assertTrue(worst < 1e-4, "worst " + worst);
    }

    @Test
    void stateDictRoundTripsThroughSafetensors(@TempDir Path dir) throws Exception {
        ReferenceCNN a = new ReferenceCNN();
        Path file = dir.resolve("cnn.safetensors");
        Safetensors.save(file, a.stateDict(), Map.of("format", "pt"));
        ReferenceCNN b = new ReferenceCNN();
        b.loadStateDict(Safetensors.load(file));
        a.eval();
        b.eval();
        Tensor x = Tensor.randn(new dev.nabla.Generator(3), 2, 1, 28, 28);
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    /**
     * Writes a Nabla-trained state dict and Nabla's logits for the fixture batch to target/nabla-written/, for
     * tools/torch-golden/check_nabla_file.py to load into PyTorch and compare (the other direction of the round trip).
     */
    @Test
    void writesAStateDictForPyTorchToLoad() throws Exception {
        ReferenceCNN model = new ReferenceCNN();
        model.loadStateDict(Safetensors.load(Golden.path("cnn_state.safetensors")));
        Map<String, Tensor> batch = Safetensors.load(Golden.path("cnn_batch.safetensors"));
        dev.nabla.optim.SGD sgd = new dev.nabla.optim.SGD(model.parameters(), 0.1);
        model.eval();
        new CrossEntropyLoss()
                .apply(model.forward(batch.get("input")), batch.get("target"))
                .backward();
        sgd.step(); // weights that only Nabla has computed
        Path out = Path.of("target", "nabla-written");
        Safetensors.save(out.resolve("cnn_state.safetensors"), model.stateDict());
        Safetensors.save(out.resolve("cnn_logits.safetensors"), Map.of("logits", model.forward(batch.get("input"))));
        assertEquals(
                model.stateDict().keySet(),
                Safetensors.load(out.resolve("cnn_state.safetensors")).keySet());
    }

    @Test
    void wrongInputNamesTheLayerPath() {
        ReferenceCNN model = new ReferenceCNN();
        Sequential c = (Sequential) model.children().get("classifier");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> c.get(7).forward(Tensor.zeros(128, 3200)));
        assertEquals("classifier.7 (Linear 3136->128): expected input [*, 3136], got [128, 3200]", e.getMessage());
        IllegalArgumentException e2 =
                assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(2, 3, 28, 28)));
        assertTrue(
                e2.getMessage()
                        .startsWith("classifier.0 (Conv2d 1->32 3x3): expected input [N, 1, H, W], got [2, 3, 28, 28]"),
                e2.getMessage());
    }

    // moved from nabla-core's ModuleTest with the model

    @Test
    void namedParametersUseDottedPathsInRegistrationOrder() {
        ReferenceCNN m = new ReferenceCNN();
        assertEquals(
                List.of(
                        "classifier.0.weight",
                        "classifier.0.bias",
                        "classifier.3.weight",
                        "classifier.3.bias",
                        "classifier.7.weight",
                        "classifier.7.bias",
                        "classifier.10.weight",
                        "classifier.10.bias"),
                List.copyOf(m.namedParameters().keySet()));
        assertEquals(32 * 9 + 32 + 64 * 32 * 9 + 64 + 3136 * 128 + 128 + 1280 + 10, m.parameterCount());
        assertTrue(m.namedModules().containsKey("classifier.7"));
        assertEquals(1, m.children().size());
    }

    @Test
    void toStringAndSummaryDescribeTheModel() {
        ReferenceCNN m = new ReferenceCNN();
        String s = m.toString();
        assertTrue(
                s.startsWith("ReferenceCNN(\n  (classifier): Sequential(\n    (0): Conv2d(1, 32, kernel_size=(3, 3)"),
                s);
        assertTrue(s.contains("(7): Linear(in_features=3136, out_features=128, bias=True)"), s);
        String summary = m.summary(1, 1, 28, 28);
        assertTrue(summary.contains("classifier.0: Conv2d") && summary.contains("[1, 32, 28, 28]"), summary);
        assertTrue(summary.contains("classifier.6: Flatten") && summary.contains("[1, 3136]"), summary);
        assertTrue(summary.contains("Total params: 421,642"), summary);
    }
}
