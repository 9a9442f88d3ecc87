package dev.nabla.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.Safetensors;
import dev.nabla.models.ReferenceCNN;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.onnx.proto.OnnxProto.ModelProto;
import dev.nabla.onnx.proto.OnnxProto.NodeProto;
import dev.nabla.optim.SGD;
import dev.nabla.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Import: files written by PyTorch's exporter (tools/torch-golden/gen_onnx.py) run in Nabla with PyTorch's outputs and
 * gradients, their weights are trainable parameters under PyTorch's names, and bad files are clear errors.
 */
class OnnxImportTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        var url = OnnxImportTest.class.getResource("/onnx/" + name);
        if (url == null) throw new IllegalStateException("missing test resource onnx/" + name);
        return Path.of(url.toURI());
    }

    @Test
    void pytorchsReferenceCnnGivesPyTorchsLogitsAndGradients() throws Exception {
        OnnxModel model = Onnx.load(resource("torch_reference_cnn.onnx"));
        Map<String, Tensor> batch = Safetensors.load(Golden.path("cnn_batch.safetensors"));
        // PyTorch's names, so the state dict loads into Nabla's own reference CNN
        assertEquals(
                List.copyOf(new ReferenceCNN().stateDict().keySet()),
                List.copyOf(model.stateDict().keySet()));
        Tensor logits = model.call(batch.get("input"));
        double worst = OrtRunner.assertClose("logits", batch.get("logits"), logits, 1e-5);
        Tensor loss = new CrossEntropyLoss().apply(logits, batch.get("target"));
        assertEquals(batch.get("loss").item(), loss.item(), 1e-5);
        loss.backward();
        for (var e : model.namedParameters().entrySet()) {
            Tensor grad = e.getValue().grad();
            assertNotNull(grad, e.getKey());
            OrtRunner.assertClose("grad " + e.getKey(), batch.get("grad." + e.getKey()), grad, 1e-5);
        }
        System.out.println("PyTorch's ONNX reference CNN in Nabla: largest logit difference " + worst);
        ReferenceCNN own = new ReferenceCNN();
        own.loadStateDict(model.stateDict());
        own.eval();
        try (var g = GradMode.noGrad()) {
            OrtRunner.assertClose("same weights in ReferenceCNN", logits.detach(), own.call(batch.get("input")), 1e-6);
        }
    }

    @Test
    void theLoadedModelFineTunesAsNablasOwnModelDoes() throws Exception {
        OnnxModel onnx = Onnx.load(resource("torch_reference_cnn.onnx"));
        ReferenceCNN own = new ReferenceCNN();
        own.loadStateDict(Safetensors.load(Golden.path("cnn_state.safetensors")));
        own.eval(); // the ONNX graph has no dropout
        Map<String, Tensor> batch = Safetensors.load(Golden.path("cnn_batch.safetensors"));
        double[] a = train(onnx, batch), b = train(own, batch);
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-4 * Math.abs(b[i]), "step " + i);
        assertTrue(a[a.length - 1] < a[0] * 0.7, Arrays.toString(a));
    }

    private static double[] train(dev.nabla.nn.Module model, Map<String, Tensor> batch) {
        SGD opt = new SGD(model.parameters(), 0.1);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        double[] losses = new double[10];
        for (int step = 0; step < losses.length; step++) {
            opt.zeroGrad();
            Tensor loss = ce.apply(model.call(batch.get("input")), batch.get("target"));
            loss.backward();
            opt.step();
            losses[step] = loss.item();
        }
        return losses;
    }

    @Test
    void pytorchsOtherOpsMatchPyTorch() throws Exception {
        OnnxModel model = Onnx.load(resource("torch_zoo.onnx"));
        Map<String, Tensor> io = Safetensors.load(resource("torch_zoo_io.safetensors"));
        assertEquals(3, io.get("input").size(0)); // exported with a batch of 4: the batch is symbolic
        OrtRunner.assertClose("zoo", io.get("output"), model.call(io.get("input")), 1e-5);
        assertTrue(
                model.namedBuffers().containsKey("bn1.running_mean"),
                model.namedBuffers().keySet().toString());
        assertTrue(model.namedParameters().containsKey("fc.weight"));
    }

    @Test
    void nablaExportsLoadBackWithTheirNamesAndValues() throws Exception {
        ReferenceCNN cnn = new ReferenceCNN();
        Path file = dir.resolve("cnn.onnx");
        Onnx.export(cnn, Tensor.zeros(1, 1, 28, 28), file);
        OnnxModel back = Onnx.load(file);
        Map<String, Tensor> a = cnn.stateDict(), b = back.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet())
            assertTrue(Arrays.equals(a.get(k).toFloatArray(), b.get(k).toFloatArray()), k);
    }

    @Test
    void aTruncatedFileIsAFileFormatErrorWithItsOffset() throws Exception {
        byte[] bytes = Files.readAllBytes(resource("torch_zoo.onnx"));
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        var e = assertThrows(FileFormatException.class, () -> Onnx.load(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.offset() > 0, e.getMessage());
        Path text = dir.resolve("text.onnx");
        Files.writeString(text, "not a model at all\n");
        assertThrows(FileFormatException.class, () -> Onnx.load(text));
    }

    @Test
    void anUnsupportedOpNamesTheNode() throws Exception {
        ModelProto p = ModelProto.parseFrom(Files.readAllBytes(resource("torch_zoo.onnx")));
        ModelProto.Builder b = p.toBuilder();
        NodeProto n = b.getGraph().getNode(3).toBuilder().setOpType("LSTM").build();
        b.getGraphBuilder().setNode(3, n);
        Path file = dir.resolve("lstm.onnx");
        Files.write(file, b.build().toByteArray());
        var e = assertThrows(FileFormatException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("ONNX node '" + n.getName() + "' (LSTM)"), e.getMessage());
        assertTrue(e.getMessage().contains("supported ops: Abs, Add"), e.getMessage());
    }

    @Test
    void aWrongInputShapeNamesTheExpectedShape() throws Exception {
        OnnxModel model = Onnx.load(resource("torch_reference_cnn.onnx"));
        var e = assertThrows(IllegalArgumentException.class, () -> model.call(Tensor.zeros(2, 3, 28, 28)));
        assertTrue(e.getMessage().contains("[*, 1, 28, 28]"), e.getMessage());
    }
}
