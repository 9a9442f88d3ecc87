package dev.nabla.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.MnistDatasets;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.Safetensors;
import dev.nabla.models.MLP;
import dev.nabla.models.ReferenceCNN;
import dev.nabla.nn.AdaptiveAvgPool2d;
import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.ELU;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.F;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.GroupNorm;
import dev.nabla.nn.LayerNorm;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.LogSoftmax;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.MultiheadAttention;
import dev.nabla.nn.RMSNorm;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.SiLU;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Softmax;
import dev.nabla.nn.Softplus;
import dev.nabla.nn.Tanh;
import dev.nabla.nn.TransformerEncoderLayer;
import dev.nabla.onnx.proto.OnnxProto.ModelProto;
import dev.nabla.ops.Activations;
import dev.nabla.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export: every exported file runs in ONNX Runtime and gives Nabla's outputs, on real data (the reference CNN on
 * Fashion-MNIST test images) and for every exportable op on random inputs, at batch sizes other than the example's.
 */
class OnnxExportTest {
    @TempDir
    Path dir;

    /** A module made of a function, with parameters, for one op at a time. */
    static final class Fn extends Module {
        private final String name;
        private final BiFunction<Fn, Tensor, Tensor> body;

        Fn(String name, BiFunction<Fn, Tensor, Tensor> body, Map<String, Tensor> params) {
            this.name = name;
            this.body = body;
            params.forEach(this::param);
        }

        Fn(String name, BiFunction<Fn, Tensor, Tensor> body) {
            this(name, body, Map.of());
        }

        Tensor p(String n) {
            return parameter(n);
        }

        @Override
        public Tensor forward(Tensor x) {
            return body.apply(this, x);
        }

        @Override
        public String describe() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Generator G = new Generator(7);

    private static Tensor randn(int... shape) {
        return Tensor.randn(G, shape);
    }

    private static Tensor unaryInput() {
        return randn(3, 4, 5);
    }

    static Stream<Arguments> ops() {
        List<Arguments> cases = new ArrayList<>();
        BiFunction<String, BiFunction<Fn, Tensor, Tensor>, Void> on3d = (n, f) -> {
            cases.add(Arguments.of(new Fn(n, f), unaryInput()));
            return null;
        };
        on3d.apply("add scalar", (m, x) -> x.add(1.5));
        on3d.apply("sub scalar", (m, x) -> x.sub(0.25));
        on3d.apply("rsub", (m, x) -> x.rsub(1.0));
        on3d.apply("mul scalar", (m, x) -> x.mul(-2.0));
        on3d.apply("div scalar", (m, x) -> x.div(3.0));
        on3d.apply("pow scalar", (m, x) -> x.abs().add(0.5).pow(1.7));
        on3d.apply("neg", (m, x) -> x.neg());
        on3d.apply("exp", (m, x) -> x.exp());
        on3d.apply("log", (m, x) -> x.abs().add(1.0).log());
        on3d.apply("sqrt", (m, x) -> x.abs().sqrt());
        on3d.apply("abs", (m, x) -> x.abs());
        on3d.apply("sign", (m, x) -> x.sign());
        on3d.apply("relu", (m, x) -> x.relu());
        on3d.apply("sigmoid", (m, x) -> x.sigmoid());
        on3d.apply("tanh", (m, x) -> x.tanh());
        on3d.apply("softplus", (m, x) -> Activations.softplus(x));
        on3d.apply("gelu", (m, x) -> x.gelu());
        on3d.apply("gelu tanh", (m, x) -> x.gelu(true));
        on3d.apply("clamp", (m, x) -> x.clamp(-0.5, 0.5));
        on3d.apply("clampMin", (m, x) -> x.clampMin(-0.2));
        on3d.apply("reshape", (m, x) -> x.reshape(x.size(0), 20));
        on3d.apply("view -1", (m, x) -> x.view(x.size(0), -1, 2));
        on3d.apply("unsqueeze", (m, x) -> x.unsqueeze(2));
        on3d.apply("squeeze", (m, x) -> x.unsqueeze(1).squeeze(1));
        on3d.apply("expand", (m, x) -> x.narrow(1, 0, 1).expand(x.size(0), 3, 5));
        on3d.apply("permute", (m, x) -> x.permute(0, 2, 1));
        on3d.apply("transpose", (m, x) -> x.transpose(1, 2).contiguous());
        on3d.apply("slice", (m, x) -> x.slice(2, 1, 5, 2));
        on3d.apply("narrow", (m, x) -> x.narrow(1, 1, 2));
        on3d.apply("cat", (m, x) -> Tensor.cat(new Tensor[] {x, x.mul(2.0)}, 1));
        on3d.apply("sum dim", (m, x) -> x.sum(1));
        on3d.apply("sum dims keepdim", (m, x) -> x.sum(new int[] {1, 2}, true));
        on3d.apply("mean", (m, x) -> x.mean(2, false));
        on3d.apply("mean keepdim", (m, x) -> x.mean(new int[] {1, 2}, true));
        on3d.apply("max dim", (m, x) -> x.max(2, false));
        on3d.apply("min dim keepdim", (m, x) -> x.min(1, true));
        on3d.apply("softmax", (m, x) -> x.softmax(1));
        on3d.apply("log softmax", (m, x) -> x.logSoftmax(-1));
        on3d.apply("flatten 1", (m, x) -> x.flatten(1));
        on3d.apply("flatten 1..1", (m, x) -> x.flatten(1, 1));
        on3d.apply("to float64", (m, x) -> x.to(DType.FLOAT64).mul(2.0));
        on3d.apply("clone detach", (m, x) -> x.clone().detach().add(1.0));
        on3d.apply("functional dropout in eval", (m, x) -> F.dropout(x, 0.5, false, null));
        on3d.apply("mask from a comparison", (m, x) -> x.mul(x.gt(0.0).to(DType.FLOAT32)));
        on3d.apply("where", (m, x) -> Tensor.where(x.ge(0.1), x, x.mul(0.1)));
        on3d.apply(
                "ne and le",
                (m, x) -> x.ne(x.relu()).to(DType.FLOAT32).add(x.le(0.5).to(DType.FLOAT32)));
        on3d.apply("step", (m, x) -> x.step());
        Map<String, Tensor> b5 = Map.of("b", randn(5)), w = Map.of("w", randn(5, 6));
        cases.add(Arguments.of(new Fn("add broadcast", (m, x) -> x.add(m.p("b")), b5), unaryInput()));
        cases.add(Arguments.of(new Fn("mul broadcast", (m, x) -> x.mul(m.p("b")), b5), unaryInput()));
        cases.add(Arguments.of(
                new Fn("div by parameter", (m, x) -> x.div(m.p("b").abs().add(1.0)), b5), unaryInput()));
        cases.add(Arguments.of(new Fn("maximum", (m, x) -> x.maximum(m.p("b")), b5), unaryInput()));
        cases.add(Arguments.of(new Fn("minimum", (m, x) -> x.minimum(m.p("b")), b5), unaryInput()));
        cases.add(Arguments.of(new Fn("pow tensor", (m, x) -> x.abs().add(0.5).pow(m.p("b")), b5), unaryInput()));
        cases.add(Arguments.of(new Fn("matmul 3-D", (m, x) -> x.matmul(m.p("w")), w), unaryInput()));
        cases.add(Arguments.of(new Fn("matmul 2-D", (m, x) -> x.matmul(m.p("w")), w), randn(3, 5)));
        cases.add(Arguments.of(
                new Fn("weight transposed", (m, x) -> x.matmul(m.p("w").t()), w), randn(3, 6)));
        cases.add(Arguments.of(new Linear(5, 4), randn(3, 5)));
        cases.add(Arguments.of(new Linear(5, 4, false), randn(3, 5)));
        cases.add(Arguments.of(new Sequential(new Linear(5, 4), new ReLU()), unaryInput())); // linear of a 3-D input
        cases.add(Arguments.of(new Conv2d(3, 4, 3), randn(2, 3, 7, 6)));
        cases.add(Arguments.of(
                new Conv2d(
                        4, 6, 3, Conv2d.Options.defaults().stride(2).padding(1).groups(2)),
                randn(2, 4, 9, 8)));
        cases.add(Arguments.of(
                new Conv2d(
                        3,
                        2,
                        3,
                        Conv2d.Options.defaults().dilation(2).padding(2).bias(false)),
                randn(2, 3, 8, 8)));
        cases.add(Arguments.of(
                new Sequential(new Conv2d(2, 8, 3, Conv2d.Options.defaults().padding(1)), new ReLU(), new MaxPool2d(2)),
                randn(4, 2, 8, 8))); // the fused conv + ReLU + pool of training, traced unfused
        cases.add(Arguments.of(new MaxPool2d(3, 2, 1, 1), randn(2, 3, 9, 8)));
        cases.add(Arguments.of(new MaxPool2d(2, 2, 0, 1, true), randn(2, 3, 7, 7)));
        cases.add(Arguments.of(new AvgPool2d(2), randn(2, 3, 8, 6)));
        cases.add(Arguments.of(new AvgPool2d(3, 2, 1, false, false), randn(2, 3, 9, 8)));
        cases.add(Arguments.of(new AvgPool2d(3, 2, 1, false, true), randn(2, 3, 9, 8)));
        cases.add(Arguments.of(new AdaptiveAvgPool2d(1), randn(2, 3, 5, 7)));
        cases.add(Arguments.of(new AdaptiveAvgPool2d(2), randn(2, 3, 6, 4)));
        cases.add(Arguments.of(withStatistics(new BatchNorm2d(3)), randn(2, 3, 4, 5)));
        cases.add(Arguments.of(withStatistics(new BatchNorm1d(5)), randn(3, 5)));
        cases.add(Arguments.of(new Sequential(new Dropout(0.3), new Sigmoid(), new Tanh(), new GELU()), randn(3, 5)));
        cases.add(Arguments.of(new Sequential(new Flatten(), new Softmax(1)), randn(2, 3, 4)));
        cases.add(Arguments.of(new dev.nabla.nn.ThresholdUnit(new double[] {1, 1, -0.5}, 0.5), randn(4, 3)));
        // sequence layers
        cases.add(Arguments.of(withStatistics(new LayerNorm(5)), unaryInput()));
        cases.add(Arguments.of(
                new LayerNorm(new int[] {4, 5}, 1e-3, true, false, DType.FLOAT32), unaryInput())); // no bias
        cases.add(Arguments.of(new LayerNorm(new int[] {5}, 1e-5, false, false, DType.FLOAT32), unaryInput()));
        cases.add(Arguments.of(withStatistics(new RMSNorm(5)), unaryInput()));
        cases.add(Arguments.of(withStatistics(new GroupNorm(2, 4)), randn(2, 4, 3, 3)));
        cases.add(Arguments.of(new Sequential(new SiLU(), new LeakyReLU(0.2), new ELU(0.7)), unaryInput()));
        cases.add(Arguments.of(new Softplus(2.0, 3.0), unaryInput()));
        cases.add(Arguments.of(new MultiheadAttention(8, 2), randn(3, 5, 8)));
        cases.add(Arguments.of(
                new Fn("causal attention", (m, x) -> F.scaledDotProductAttention(x, x, x, null, 0, true, null, null)),
                randn(3, 5, 8)));
        cases.add(Arguments.of(
                new TransformerEncoderLayer(8, 2, 16, 0.1, true, 1e-5, true, true, G, DType.FLOAT32), randn(3, 5, 8)));
        cases.add(Arguments.of(
                new TransformerEncoderLayer(8, 2, 16, 0.1, false, 1e-5, true, false, G, DType.FLOAT32),
                randn(3, 5, 8)));
        cases.add(Arguments.of(new Embedding(10, 4), Tensor.randint(G, 0, 10, 3, 6)));
        cases.add(Arguments.of(new Embedding(10, 4, 0, G, DType.FLOAT32), Tensor.randint(G, 0, 10, 3, 6)));
        cases.add(Arguments.of(new dev.nabla.nn.Perceptron(3), randn(4, 3)));
        cases.add(Arguments.of(new Sequential(new Flatten(1, 2), new LogSoftmax(1)), randn(2, 3, 4, 2)));
        return cases.stream();
    }

    private static Module withStatistics(Module bn) {
        try (var g = GradMode.noGrad()) {
            for (var e : bn.namedBuffers().entrySet())
                if (e.getKey().equals("running_mean"))
                    e.getValue().copy_(randn(e.getValue().shape()).mul(0.3));
                else if (e.getKey().equals("running_var"))
                    e.getValue().copy_(Tensor.rand(G, e.getValue().shape()).add(0.5));
            for (Tensor p : bn.parameters()) p.copy_(randn(p.shape()).mul(0.5).add(1.0));
        }
        return bn;
    }

    /**
     * A copy in target/onnx-exports, for Debian's ONNX checker: {@code /usr/bin/python3 tools/torch-golden/gen_onnx.py
     * --check nabla-onnx/target/onnx-exports/*.onnx}.
     */
    private static final java.util.concurrent.atomic.AtomicInteger KEPT =
            new java.util.concurrent.atomic.AtomicInteger();

    private static void keep(Path file, String name) throws java.io.IOException {
        Path out = Path.of("target", "onnx-exports");
        Files.createDirectories(out);
        Files.copy(
                file,
                out.resolve(name.replaceAll("[^A-Za-z0-9]+", "_") + "_" + KEPT.incrementAndGet() + ".onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void everyExportableOpRunsInOnnxRuntime(Module model, Tensor example) throws Exception {
        Path file = dir.resolve("op.onnx");
        Onnx.export(model, example, file);
        keep(file, model.describe());
        model.eval();
        try (var g = GradMode.noGrad()) {
            OrtRunner.assertClose("example", model.call(example), OrtRunner.run(file, "input", example), 2e-6);
            int[] bigger = example.shape();
            bigger[0] += 2; // another batch size: the batch dimension is symbolic
            Tensor other = example.dtype() == DType.INT64 ? Tensor.randint(G, 0, 10, bigger) : randn(bigger);
            OrtRunner.assertClose("batch " + bigger[0], model.call(other), OrtRunner.run(file, "input", other), 2e-6);
        }
    }

    @Test
    void referenceCnnOnFashionMnistTestImagesMatchesOnnxRuntime() throws Exception {
        ReferenceCNN model = new ReferenceCNN();
        model.loadStateDict(Safetensors.load(Golden.path("cnn_state.safetensors")));
        Path file = dir.resolve("cnn.onnx");
        Onnx.export(model, Tensor.zeros(1, 1, 28, 28), file);
        keep(file, "reference_cnn");
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(
                "Conv, Relu, MaxPool, Conv, Relu, MaxPool, Flatten, Gemm, Relu, Gemm",
                proto.getGraph().getNodeList().stream().map(n -> n.getOpType()).collect(Collectors.joining(", ")));
        assertEquals(17, proto.getOpsetImport(0).getVersion());
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
                proto.getGraph().getInitializerList().stream()
                        .map(t -> t.getName())
                        .toList());
        assertEquals(
                "batch",
                proto.getGraph()
                        .getInput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimParam());

        TensorDataset test = MnistDatasets.load(MnistDatasets.Variant.FASHION_MNIST, null, false);
        Tensor images = test.inputs().narrow(0, 0, 512);
        long[] labels = test.targets().narrow(0, 0, 512).toLongArray();
        model.eval();
        Tensor nabla, ort = OrtRunner.run(file, "input", images);
        try (var g = GradMode.noGrad()) {
            nabla = model.call(images);
        }
        double worst = OrtRunner.assertClose("logits of 512 test images", nabla, ort, 1e-5);
        long[] a = nabla.argmax(1, false).toLongArray(),
                b = ort.argmax(1, false).toLongArray();
        int agree = 0, correct = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) agree++;
            if (b[i] == labels[i]) correct++;
        }
        System.out.println("reference CNN, 512 Fashion-MNIST test images: ONNX Runtime vs Nabla, largest logit"
                + " difference " + worst + " of the largest logit, same class for " + agree + "/512");
        assertEquals(512, agree);
        assertTrue(correct >= 0);
        for (int n : new int[] {1, 7}) { // other batch sizes run the same file
            Tensor x = images.narrow(0, 0, n);
            try (var g = GradMode.noGrad()) {
                OrtRunner.assertClose("batch " + n, model.call(x), OrtRunner.run(file, "input", x), 1e-5);
            }
        }
    }

    @Test
    void charGptTakesTokenIdsAndMatchesOnnxRuntime() throws Exception {
        dev.nabla.models.CharGPT model = new dev.nabla.models.CharGPT(
                new dev.nabla.models.CharGPT.Config(20, 16, 32, 4, 2, 64, 0.1), new Generator(4), DType.FLOAT32);
        Path file = dir.resolve("chargpt.onnx");
        Onnx.export(model, Tensor.randint(G, 0, 20, 2, 16), file);
        keep(file, "chargpt");
        ModelProto p = ModelProto.parseFrom(Files.readAllBytes(file));
        var ops = p.getGraph().getNodeList().stream().map(n -> n.getOpType()).collect(Collectors.toSet());
        assertTrue(
                ops.containsAll(List.of("Gather", "LayerNormalization", "MatMul", "Softmax", "Erf")), ops.toString());
        Tensor ids = Tensor.randint(G, 0, 20, 5, 16);
        model.eval();
        try (var g = GradMode.noGrad()) {
            OrtRunner.assertClose("CharGPT logits", model.call(ids), OrtRunner.run(file, "input", ids), 1e-5);
        }
    }

    @Test
    void recurrentLayersExportUnrolledWithAFixedBatch() throws Exception {
        for (Module rnn : List.<Module>of(
                new dev.nabla.nn.LSTM(3, 4, 2, true, true, 0, true, new Generator(2), DType.FLOAT32),
                new dev.nabla.nn.GRU(3, 4, 1, true, true, 0, false, new Generator(3), DType.FLOAT32),
                new dev.nabla.nn.RNN(3, 4, 1, false, true, true, 0, false, new Generator(4), DType.FLOAT32))) {
            Tensor x = randn(2, 5, 3);
            Path file = dir.resolve("rnn.onnx");
            // the time steps are unrolled into the graph; the batch size is fixed (its shapes are in the reshapes)
            Onnx.export(rnn, x, file, Onnx.ExportOptions.defaults().withDynamicBatch(false));
            keep(file, rnn.getClass().getSimpleName());
            rnn.eval();
            try (var g = GradMode.noGrad()) {
                OrtRunner.assertClose(rnn.describe(), rnn.call(x), OrtRunner.run(file, "input", x), 1e-5);
            }
            var e = assertThrows(IllegalStateException.class, () -> Onnx.export(rnn, x, dir.resolve("dyn.onnx")));
            assertTrue(e.getMessage().contains("batch"), e.getMessage());
        }
    }

    @Test
    void mlpOnFashionMnistTestImagesMatchesOnnxRuntime() throws Exception {
        MLP model = new MLP(784, 64, 32, 10);
        Path file = dir.resolve("mlp.onnx");
        Onnx.export(model, Tensor.zeros(2, 1, 28, 28), file);
        keep(file, "mlp");
        Tensor x = MnistDatasets.load(MnistDatasets.Variant.FASHION_MNIST, null, false)
                .inputs()
                .narrow(0, 100, 64);
        try (var g = GradMode.noGrad()) {
            OrtRunner.assertClose("MLP on 64 test images", model.call(x), OrtRunner.run(file, "input", x), 1e-5);
        }
    }

    @Test
    void namedInputOutputAndFixedBatch() throws Exception {
        Linear model = new Linear(3, 2);
        Path file = dir.resolve("fixed.onnx");
        Onnx.export(
                model,
                randn(4, 3),
                file,
                Onnx.ExportOptions.defaults().withNames("features", "scores").withDynamicBatch(false));
        ModelProto p = ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals("features", p.getGraph().getInput(0).getName());
        assertEquals("scores", p.getGraph().getOutput(0).getName());
        assertEquals(
                4,
                p.getGraph()
                        .getInput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimValue());
        Tensor x = randn(4, 3);
        try (var g = GradMode.noGrad()) {
            OrtRunner.assertClose("fixed batch", model.call(x), OrtRunner.run(file, "features", x), 1e-6);
        }
    }

    @Test
    void exportLeavesTheModelInItsModeAndWritesNothingElse() throws Exception {
        ReferenceCNN model = new ReferenceCNN();
        model.train();
        Onnx.export(model, Tensor.zeros(2, 1, 28, 28), dir.resolve("a.onnx"));
        assertTrue(model.isTraining());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("a.onnx")), files.toList());
        }
    }

    @Test
    void anOpWithoutOnnxFormNamesTheOpAndTheModule() {
        Sequential model = new Sequential(
                new Linear(4, 4), new Fn("Gatherer", (m, x) -> x.indexSelect(1, Tensor.of(new long[] {2, 0}, 2))));
        var e = assertThrows(
                IllegalArgumentException.class, () -> Onnx.toModel(model, randn(2, 4), Onnx.ExportOptions.defaults()));
        assertTrue(e.getMessage().contains("op 'index_select' in module '1' (Gatherer)"), e.getMessage());
        assertTrue(e.getMessage().contains("supported ops: "), e.getMessage());
    }

    @Test
    void aValueFrozenByTheTraceIsCaughtBeforeTheFileIsWritten() {
        // argmax is not a traced op: its result would be a constant of the example's values
        Fn model = new Fn("Picker", (m, x) -> x.mul(x.argmax(1, true).to(DType.FLOAT32)));
        Path file = dir.resolve("frozen.onnx");
        var e = assertThrows(IllegalStateException.class, () -> Onnx.export(model, randn(3, 4), file));
        assertTrue(e.getMessage().contains("frozen"), e.getMessage());
        assertTrue(
                e.getMessage().contains("(int64 [3, 1], read by to_copy in module (root) (Picker))"), e.getMessage());
        assertFalse(Files.exists(file));
        // and a shape tied to the example's batch size
        Fn batchBound = new Fn("Flattener", (m, x) -> x.reshape(-1).reshape(x.size(0), -1));
        var e2 = assertThrows(
                IllegalStateException.class, () -> Onnx.export(batchBound, randn(3, 4), dir.resolve("b.onnx")));
        assertTrue(e2.getMessage().contains("batch"), e2.getMessage());
    }

    @Test
    void functionalDropoutInTrainingModeIsRefused() {
        Fn model = new Fn("Noisy", (m, x) -> F.dropout(x, 0.5, true, new Generator(1)));
        var e = assertThrows(
                IllegalArgumentException.class, () -> Onnx.toModel(model, randn(3, 4), Onnx.ExportOptions.defaults()));
        assertTrue(e.getMessage().contains("dropout in training mode"), e.getMessage());
    }
}
