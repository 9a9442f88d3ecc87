package dev.nabla.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.FileFormatException;
import dev.nabla.nn.Module;
import dev.nabla.onnx.proto.OnnxProto.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ONNX in and out: {@link #export} writes a model's forward pass as an ONNX file (opset 17) that ONNX Runtime,
 * TensorRT or a browser runs; {@link #load} reads an ONNX file (for example from {@code torch.onnx.export}) as a
 * Nabla module whose weights are trainable parameters.
 *
 * <pre>{@code
 * Onnx.export(model, Tensor.zeros(1, 1, 28, 28), Path.of("cnn.onnx"));   // any batch size runs the file
 * OnnxModel m = Onnx.load(Path.of("cnn.onnx"));
 * Tensor logits = m.call(images);
 * }</pre>
 *
 * Export traces one forward pass on the example input (in eval mode, without gradients): layers become their ONNX
 * ops (Linear: Gemm, Conv2d: Conv, BatchNorm: BatchNormalization, Dropout: removed, ...), the element-wise family,
 * matmul, reshapes, permutes, slices, concatenation and reductions become theirs; an op without an ONNX form is an
 * error naming the module it ran in. The traced graph is then checked: Nabla runs the written file (through
 * {@link #load}) on the example and on a second input of another batch size and other values, and export fails
 * when either differs from the model's output, which catches a value the trace froze (a tensor computed outside the
 * traced ops, such as a comparison or a random draw, or a shape tied to the example's batch size).
 */
public final class Onnx {
    private Onnx() {}

    /** The producer version written into exported files. */
    static final String VERSION = "0.1.0";

    /**
     * How a model is exported.
     *
     * @param inputName the graph input's name
     * @param outputName the graph output's name
     * @param dynamicBatch whether dimension 0 of the input and the output is the symbolic "batch" (any size)
     * @param verify whether to check the written graph against the model on the example and a second input
     */
    public record ExportOptions(String inputName, String outputName, boolean dynamicBatch, boolean verify) {
        /** Input "input", output "output", dynamic batch, verified. */
        public static ExportOptions defaults() {
            return new ExportOptions("input", "output", true, true);
        }

        /** These options with other input and output names. */
        public ExportOptions withNames(String input, String output) {
            return new ExportOptions(input, output, dynamicBatch, verify);
        }

        /** These options with a fixed (false) or symbolic (true) batch dimension. */
        public ExportOptions withDynamicBatch(boolean dynamic) {
            return new ExportOptions(inputName, outputName, dynamic, verify);
        }
    }

    /** Exports model, traced on example, to file (written atomically); see {@link #toModel}. */
    public static void export(Module model, Tensor example, Path file) throws IOException {
        export(model, example, file, ExportOptions.defaults());
    }

    /** Exports model, traced on example, to file (written atomically) with these options; returns what it wrote. */
    public static ModelProto export(Module model, Tensor example, Path file, ExportOptions options) throws IOException {
        ModelProto proto = toModel(model, example, options);
        AtomicFiles.write(file, proto.toByteArray());
        return proto;
    }

    /** The ONNX model of model's forward pass traced on example, verified unless options say not to. */
    public static ModelProto toModel(Module model, Tensor example, ExportOptions options) {
        OnnxExporter.Exported exported = OnnxExporter.export(model, example, options);
        if (options.verify()) verify(model, example, exported, options);
        return exported.model();
    }

    /** Reads an ONNX file as a module; its float initializers are the module's parameters, by their ONNX names. */
    public static OnnxModel load(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.setRecursionLimit(200);
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new FileFormatException(
                    file,
                    in.getTotalBytesRead(),
                    "not an ONNX model (protobuf ModelProto): " + e.getMessage() + " (file of " + bytes.length
                            + " bytes)",
                    e);
        }
        try {
            return new OnnxModel(proto);
        } catch (IllegalArgumentException e) {
            FileFormatException f = new FileFormatException(file, "graph", e.getMessage());
            f.initCause(e);
            throw f;
        }
    }

    /** A module that runs an ONNX model already in memory. */
    public static OnnxModel load(ModelProto proto) {
        return new OnnxModel(proto);
    }

    /** Nabla runs the exported graph on the example and on another input, and both must match the model. */
    private static void verify(Module model, Tensor example, OnnxExporter.Exported exported, ExportOptions options) {
        OnnxModel graph = new OnnxModel(exported.model());
        String hint = frozenHint(exported.constants());
        Tensor second = example;
        boolean real = example.dtype().isFloatingPoint(); // token ids keep their values, in another batch size
        if (options.dynamicBatch() && example.rank() > 0) {
            Tensor other = real ? example.mul(-0.75).add(0.25) : example;
            second = Tensor.cat(new Tensor[] {example, other}, 0);
        } else if (example.numel() > 0 && real) {
            second = example.mul(-0.75).add(0.25);
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var g = GradMode.noGrad()) {
            compare("the example input", model.call(example), run(graph, example, "the example input", hint), hint);
            String what = "a second input (" + Shape.str(second.shape()) + ", other values)";
            compare(what, model.call(second), run(graph, second, what, hint), hint);
        } finally {
            model.train(wasTraining);
        }
    }

    private static Tensor run(OnnxModel graph, Tensor x, String what, String hint) {
        try {
            return graph.call(x);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Onnx.export: the exported graph fails on " + what + ": " + e.getMessage() + hint, e);
        }
    }

    private static void compare(String what, Tensor expected, Tensor actual, String hint) {
        if (!java.util.Arrays.equals(expected.shape(), actual.shape()))
            throw new IllegalStateException("Onnx.export: the exported graph gives shape " + Shape.str(actual.shape())
                    + " on " + what + ", the model " + Shape.str(expected.shape()) + hint);
        double[] e = expected.toDouble().toDoubleArray(), a = actual.toDouble().toDoubleArray();
        double scale = 0, worst = 0;
        for (double v : e) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            if (Double.compare(e[i], a[i]) == 0) continue;
            double d = Math.abs(e[i] - a[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
        }
        if (worst > 1e-4 * Math.max(1, scale))
            throw new IllegalStateException("Onnx.export: the exported graph differs from the model on " + what
                    + " by up to " + worst + " (largest output " + scale + ")" + hint);
    }

    private static String frozenHint(java.util.List<String> constants) {
        String which = constants.isEmpty()
                ? ""
                : " Tensors the traced ops read but did not make, written as constants: "
                        + String.join("; ", constants.subList(0, Math.min(5, constants.size())))
                        + (constants.size() > 5 ? "; and " + (constants.size() - 5) + " more" : "")
                        + ".";
        return ". A value computed outside the traced ops (argmax, indexing with computed indices, a random draw, a"
                + " tensor created in forward) or a shape that depends on the batch size was frozen at the example's"
                + " value; write it with traced ops, or export with ExportOptions.withDynamicBatch(false) if only the"
                + " batch size is at fault." + which;
    }
}
