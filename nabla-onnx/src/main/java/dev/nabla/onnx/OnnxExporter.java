package dev.nabla.onnx;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.autograd.Tracing;
import dev.nabla.nn.Module;
import dev.nabla.onnx.proto.OnnxProto.AttributeProto;
import dev.nabla.onnx.proto.OnnxProto.GraphProto;
import dev.nabla.onnx.proto.OnnxProto.ModelProto;
import dev.nabla.onnx.proto.OnnxProto.NodeProto;
import dev.nabla.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.nabla.onnx.proto.OnnxProto.TensorProto;
import dev.nabla.onnx.proto.OnnxProto.TensorShapeProto;
import dev.nabla.onnx.proto.OnnxProto.TypeProto;
import dev.nabla.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Export by tracing: the model runs once on the example input with this tracer installed ({@link Tracing}); every op
 * and layer op it reports becomes ONNX nodes (opset {@value #OPSET}), parameters and buffers become initializers under
 * their state-dict names, any other tensor the traced ops read becomes a constant initializer.
 */
final class OnnxExporter implements Tracing.Tracer {
    /** The opset written: 17, the newest that Debian's onnx 1.12 checker and PyTorch 1.13 know. */
    static final int OPSET = 17;
    /** IR version 8 (ONNX 1.10 to 1.12). */
    static final int IR_VERSION = 8;

    /** The ops this exporter writes, by the name the tracer reports (for the error on any other op). */
    static final List<String> SUPPORTED = List.of(
            "linear",
            "conv2d",
            "max_pool2d",
            "avg_pool2d",
            "adaptive_avg_pool2d",
            "batch_norm",
            "dropout",
            "flatten",
            "softmax",
            "log_softmax",
            "gelu",
            "relu",
            "sigmoid",
            "tanh",
            "softplus",
            "add",
            "sub",
            "mul",
            "div",
            "pow",
            "neg",
            "exp",
            "log",
            "sqrt",
            "abs",
            "sign",
            "clamp",
            "maximum",
            "minimum",
            "mm",
            "matmul",
            "view",
            "squeeze",
            "unsqueeze",
            "expand",
            "permute",
            "slice",
            "cat",
            "sum",
            "mean",
            "max",
            "min",
            "clone",
            "detach",
            "to_copy",
            "compare",
            "where",
            "step",
            "layer_norm",
            "silu",
            "leaky_relu",
            "elu",
            "embedding");

    /** One traced op: what ran, on what, with which arguments, inside which module. */
    private record Traced(
            String op, Tensor out, Tensor[] inputs, Map<String, Object> attributes, String path, String module) {}

    private final List<Traced> traced = new ArrayList<>();
    private final List<String[]> modules = new ArrayList<>(); // the stack of running modules: {path, description}
    private int hidden; // > 0 inside a composite op, whose inner ops are not traced

    // ------------------------------------------------------------------ the tracer

    @Override
    public void op(String op, Tensor out, Tensor[] inputs) {
        if (hidden == 0) traced.add(new Traced(op, out, inputs.clone(), new HashMap<>(), path(), description()));
    }

    @Override
    public void note(Tensor out, Object[] attributes) {
        if (hidden > 0) return;
        for (int i = traced.size() - 1; i >= 0; i--)
            if (traced.get(i).out == out) {
                for (int k = 0; k < attributes.length; k += 2)
                    traced.get(i).attributes.put((String) attributes[k], attributes[k + 1]);
                return;
            }
    }

    @Override
    public Tensor composite(String op, Tensor[] inputs, Object[] attributes, Supplier<Tensor> body) {
        if (hidden > 0) return body.get();
        hidden++;
        Tensor out;
        try {
            out = body.get();
        } finally {
            hidden--;
        }
        Map<String, Object> a = new HashMap<>();
        for (int k = 0; k < attributes.length; k += 2) a.put((String) attributes[k], attributes[k + 1]);
        traced.add(new Traced(op, out, inputs.clone(), a, path(), description()));
        return out;
    }

    @Override
    public Tensor module(String path, String description, Supplier<Tensor> body) {
        if (hidden > 0) return body.get();
        modules.add(new String[] {path, description});
        try {
            return body.get();
        } finally {
            modules.remove(modules.size() - 1);
        }
    }

    private String path() {
        return modules.isEmpty() ? "" : modules.get(modules.size() - 1)[0];
    }

    private String description() {
        return modules.isEmpty() ? "" : modules.get(modules.size() - 1)[1];
    }

    // ------------------------------------------------------------------ tracing a model

    /** Traces model on example (in eval mode, without gradients) and returns the ONNX model. */
    /**
     * The exported model, and the tensors of more than one element that the traced ops read but no traced op made
     * (written as constants), each described with the op and module that read it first.
     */
    record Exported(ModelProto model, List<String> constants) {}

    static Exported export(Module model, Tensor example, Onnx.ExportOptions options) {
        if (!example.dtype().isFloatingPoint() && example.dtype() != DType.INT64)
            throw new IllegalArgumentException("Onnx.export: the example input must be floating point (or int64 token"
                    + " ids), got " + example.dtype() + " of shape " + Shape.str(example.shape()));
        boolean wasTraining = model.isTraining();
        model.eval();
        OnnxExporter tracer = new OnnxExporter();
        Tensor out;
        try (var g = GradMode.noGrad()) {
            out = Tracing.run(tracer, () -> model.call(example));
        } finally {
            model.train(wasTraining);
        }
        Map<Tensor, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((n, t) -> names.putIfAbsent(t, n));
        model.namedBuffers().forEach((n, t) -> names.putIfAbsent(t, n));
        Graph graph = tracer.new Graph(names, example, out, options);
        ModelProto proto = graph.build(model);
        return new Exported(proto, List.copyOf(graph.frozen));
    }

    /** The ONNX graph written from the traced ops. */
    private final class Graph {
        private final Map<Tensor, String> stateNames; // parameters and buffers by identity
        private final Map<Tensor, String> values = new IdentityHashMap<>(); // the value name of each tensor now
        private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
        private final List<NodeProto> nodes = new ArrayList<>();
        private final Map<String, Integer> nodeCounts = new HashMap<>();
        private final Tensor input, output;
        private final Onnx.ExportOptions options;
        private int constants, temporaries;
        private final List<String> frozen = new ArrayList<>();
        private Traced at; // the op being written, for names and errors

        Graph(Map<Tensor, String> stateNames, Tensor input, Tensor output, Onnx.ExportOptions options) {
            this.stateNames = stateNames;
            this.input = input;
            this.output = output;
            this.options = options;
        }

        ModelProto build(Module model) {
            values.put(input, options.inputName());
            for (Traced t : traced) {
                at = t;
                String name = write(t);
                values.put(t.out, name);
            }
            at = null;
            String result = name(output);
            boolean produced = false;
            for (NodeProto n : nodes) produced |= n.getOutputList().contains(result);
            if (produced && !result.equals(options.outputName())) { // the last value takes the output's name
                for (int i = 0; i < nodes.size(); i++) {
                    NodeProto.Builder b = nodes.get(i).toBuilder();
                    for (int k = 0; k < b.getInputCount(); k++)
                        if (b.getInput(k).equals(result)) b.setInput(k, options.outputName());
                    for (int k = 0; k < b.getOutputCount(); k++)
                        if (b.getOutput(k).equals(result)) b.setOutput(k, options.outputName());
                    nodes.set(i, b.build());
                }
            } else if (!result.equals(options.outputName())) { // the input or a constant itself
                nodes.add(NodeProto.newBuilder()
                        .setOpType("Identity")
                        .setName("output/Identity")
                        .addInput(result)
                        .addOutput(options.outputName())
                        .build());
            }
            GraphProto.Builder g = GraphProto.newBuilder()
                    .setName(model.getClass().getSimpleName())
                    .addAllNode(nodes)
                    .addAllInitializer(initializers.values())
                    .addInput(valueInfo(options.inputName(), input))
                    .addOutput(valueInfo(options.outputName(), output));
            return ModelProto.newBuilder()
                    .setIrVersion(IR_VERSION)
                    .setProducerName("nabla")
                    .setProducerVersion(Onnx.VERSION)
                    .addOpsetImport(
                            OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setGraph(g)
                    .build();
        }

        private ValueInfoProto valueInfo(String name, Tensor t) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
                if (i == 0 && options.dynamicBatch()) d.setDimParam("batch");
                else d.setDimValue(shape[i]);
                s.addDim(d);
            }
            return ValueInfoProto.newBuilder()
                    .setName(name)
                    .setType(TypeProto.newBuilder()
                            .setTensorType(TypeProto.Tensor.newBuilder()
                                    .setElemType(OnnxTensors.elementType(t.dtype()))
                                    .setShape(s)))
                    .build();
        }

        // -------------------------------------------------------------- values

        /** The value name of a tensor an op reads: traced, the input, a parameter or buffer, else a constant. */
        private String name(Tensor t) {
            String n = values.get(t);
            if (n != null) return n;
            String state = stateNames.get(t);
            if (state != null) {
                initializers.put(state, OnnxTensors.toProto(state, t));
                values.put(t, state);
                return state;
            }
            String c = constant(t);
            if (t.numel() > 1)
                frozen.add(c + " (" + t.dtype() + " " + Shape.str(t.shape()) + ", read by " + at.op + " in module "
                        + (at.path.isEmpty() ? "(root)" : "'" + at.path + "'") + " (" + at.module + "))");
            return c;
        }

        /** The tensor's value name, converted to dtype when it has another (constants are written in dtype). */
        private String name(Tensor t, DType dtype) {
            if (t.dtype() == dtype) return name(t);
            if (!values.containsKey(t) && !stateNames.containsKey(t)) return constant(t.to(dtype));
            return node("Cast", new String[] {name(t)}, attr("to", OnnxTensors.elementType(dtype)));
        }

        private String constant(Tensor t) {
            String n = "const_" + constants++;
            initializers.put(n, OnnxTensors.toProto(n, t));
            values.put(t, n);
            return n;
        }

        private String ints(long... v) {
            String n = "const_" + constants++;
            initializers.put(n, OnnxTensors.toProto(n, Tensor.of(v, v.length)));
            return n;
        }

        private String scalar(double v, DType dtype) {
            return constant(Tensor.scalar(v, dtype));
        }

        /** Adds a node with one output; returns the output's name. */
        private String node(String opType, String[] inputs, AttributeProto... attributes) {
            String base = (at == null || at.path.isEmpty() ? "" : at.path + "/") + opType;
            int k = nodeCounts.merge(base, 1, Integer::sum);
            String nodeName = k == 1 ? base : base + "_" + k;
            String out = "t" + temporaries++;
            nodes.add(NodeProto.newBuilder()
                    .setOpType(opType)
                    .setName(nodeName)
                    .addAllInput(Arrays.asList(inputs))
                    .addOutput(out)
                    .addAllAttribute(Arrays.asList(attributes))
                    .build());
            return out;
        }

        // -------------------------------------------------------------- ops

        private String write(Traced t) {
            Tensor[] in = t.inputs;
            DType dt = t.out.dtype();
            return switch (t.op) {
                case "add" -> binary("Add", t);
                case "sub" -> binary("Sub", t);
                case "mul" -> binary("Mul", t);
                case "div" -> binary("Div", t);
                case "maximum" -> binary("Max", t);
                case "minimum" -> binary("Min", t);
                case "pow" ->
                    in.length == 2
                            ? binary("Pow", t)
                            : node("Pow", new String[] {name(in[0], dt), scalar(number(t, "exponent"), dt)});
                case "neg" -> unary("Neg", t);
                case "exp" -> unary("Exp", t);
                case "log" -> unary("Log", t);
                case "sqrt" -> unary("Sqrt", t);
                case "abs" -> unary("Abs", t);
                case "sign" -> unary("Sign", t);
                case "relu" -> unary("Relu", t);
                case "sigmoid" -> unary("Sigmoid", t);
                case "tanh" -> unary("Tanh", t);
                case "softplus" -> unary("Softplus", t);
                case "clone", "detach" -> name(in[0]); // the same values: no node
                case "to_copy" -> node("Cast", new String[] {name(in[0])}, attr("to", OnnxTensors.elementType(dt)));
                case "clamp" -> {
                    double lo = number(t, "min"), hi = number(t, "max");
                    yield node("Clip", new String[] {
                        name(in[0]),
                        Double.isInfinite(lo) ? "" : scalar(lo, in[0].dtype()),
                        Double.isInfinite(hi) ? "" : scalar(hi, in[0].dtype())
                    });
                }
                case "compare" -> compare(t);
                case "layer_norm" -> layerNorm(t);
                case "silu" -> {
                    String xs = name(in[0]);
                    yield node("Mul", new String[] {xs, node("Sigmoid", new String[] {xs})});
                }
                case "leaky_relu" ->
                    node("LeakyRelu", new String[] {name(in[0])}, attr("alpha", (float) number(t, "alpha")));
                case "elu" -> node("Elu", new String[] {name(in[0])}, attr("alpha", (float) number(t, "alpha")));
                case "embedding" -> node("Gather", new String[] {name(in[1]), name(in[0])}, attr("axis", 0));
                case "where" -> node("Where", new String[] {name(in[0]), name(in[1], dt), name(in[2], dt)});
                case "step" -> step(in[0], number(t, "atZero"), dt);
                case "mm", "matmul" -> node("MatMul", new String[] {name(in[0], dt), name(in[1], dt)});
                case "view", "squeeze", "unsqueeze" -> reshape(in[0], t.out.shape());
                case "flatten" -> {
                    int s = integer(t, "start"), e = integer(t, "end");
                    yield s == 1 && e == in[0].rank() - 1
                            ? node("Flatten", new String[] {name(in[0])}, attr("axis", 1))
                            : reshape(in[0], t.out.shape());
                }
                case "expand" -> expand(in[0], t.out.shape());
                case "permute" -> node("Transpose", new String[] {name(in[0])}, attr("perm", intArray(t, "perm")));
                case "slice" -> {
                    int d = integer(t, "dim"), start = integer(t, "start"), end = integer(t, "end");
                    int step = integer(t, "step");
                    yield node("Slice", new String[] {name(in[0]), ints(start), ints(end), ints(d), ints(step)});
                }
                case "cat" -> {
                    String[] names = new String[in.length];
                    for (int i = 0; i < in.length; i++) names[i] = name(in[i], dt);
                    yield node("Concat", names, attr("axis", integer(t, "dim")));
                }
                case "sum" -> {
                    long[] axes = axes(t);
                    yield node("ReduceSum", new String[] {name(in[0]), ints(axes)}, attr("keepdims", keepDims(t)));
                }
                case "mean", "max", "min" -> {
                    String op = t.op.equals("mean") ? "ReduceMean" : t.op.equals("max") ? "ReduceMax" : "ReduceMin";
                    yield node(op, new String[] {name(in[0])}, attr("axes", axes(t)), attr("keepdims", keepDims(t)));
                }
                case "softmax" -> node("Softmax", new String[] {name(in[0])}, attr("axis", integer(t, "dim")));
                case "log_softmax" -> node("LogSoftmax", new String[] {name(in[0])}, attr("axis", integer(t, "dim")));
                case "gelu" -> gelu(in[0], Boolean.TRUE.equals(t.attributes.get("tanh")));
                case "linear" -> linear(in[0], in[1], in[2]);
                case "conv2d" -> conv2d(t);
                case "max_pool2d" -> maxPool2d(t);
                case "avg_pool2d" -> avgPool2d(t);
                case "adaptive_avg_pool2d" -> adaptiveAvgPool2d(t);
                case "batch_norm" -> batchNorm(t);
                case "dropout" -> {
                    if (Boolean.TRUE.equals(t.attributes.get("training")))
                        throw unsupported(
                                "dropout in training mode (the model is put in eval mode for export; a functional"
                                        + " dropout called with training = true stays random)");
                    yield name(in[0]); // removed, as PyTorch's exporter does
                }
                default -> throw unsupported("op '" + t.op + "'");
            };
        }

        private IllegalArgumentException unsupported(String what) {
            return new IllegalArgumentException("Onnx.export: " + what + " in module "
                    + (at.path.isEmpty() ? "(root)" : "'" + at.path + "'") + " (" + at.module
                    + ") has no ONNX export; supported ops: " + String.join(", ", new TreeSet<>(SUPPORTED)));
        }

        private String unary(String op, Traced t) {
            return node(op, new String[] {name(t.inputs[0])});
        }

        private String binary(String op, Traced t) {
            DType dt = t.out.dtype();
            return node(op, new String[] {name(t.inputs[0], dt), name(t.inputs[1], dt)});
        }

        /**
         * Reshape to shape; a leading dimension equal to the input's is written as 0 (ONNX: "keep this dimension"),
         * so that the batch size stays free.
         */
        private String reshape(Tensor x, int[] shape) {
            long[] s = new long[shape.length];
            for (int i = 0; i < shape.length; i++) s[i] = shape[i];
            if (options.dynamicBatch() && shape.length > 0 && x.rank() > 0 && shape[0] == x.size(0)) s[0] = 0;
            return node("Reshape", new String[] {name(x), ints(s)});
        }

        /** Expand with 1 wherever the input keeps its size (ONNX broadcasts both ways), so the batch stays free. */
        private String expand(Tensor x, int[] shape) {
            long[] s = new long[shape.length];
            int lead = shape.length - x.rank();
            for (int i = 0; i < shape.length; i++) s[i] = i >= lead && x.size(i - lead) == shape[i] ? 1 : shape[i];
            return node("Expand", new String[] {name(x), ints(s)});
        }

        /** eq, ne, lt, le, gt, ge: both sides in one dtype (a constant takes the other side's). */
        private String compare(Traced t) {
            Tensor a = t.inputs[0], b = t.inputs[1];
            DType dt = traced(a) && !traced(b)
                    ? a.dtype()
                    : traced(b) && !traced(a) ? b.dtype() : DType.promote(a.dtype(), b.dtype());
            String[] in = {name(a, dt), name(b, dt)};
            String op = (String) attribute(t, "op");
            return switch (op) {
                case "eq" -> node("Equal", in);
                case "ne" -> node("Not", new String[] {node("Equal", in)});
                case "lt" -> node("Less", in);
                case "le" -> node("LessOrEqual", in);
                case "gt" -> node("Greater", in);
                case "ge" -> node("GreaterOrEqual", in);
                default -> throw unsupported("comparison '" + op + "'");
            };
        }

        /** Whether t is a value of the graph (the input, a traced result, a parameter), not a constant. */
        private boolean traced(Tensor t) {
            return values.containsKey(t) || stateNames.containsKey(t);
        }

        /** Heaviside: 1 where x > 0, atZero where x == 0, else 0, in dtype. */
        private String step(Tensor x, double atZero, DType dt) {
            String xs = name(x, dt), zero = scalar(0, dt);
            int to = OnnxTensors.elementType(dt);
            String positive = node("Cast", new String[] {node("Greater", new String[] {xs, zero})}, attr("to", to));
            if (atZero == 0) return positive;
            String atZeros = node("Cast", new String[] {node("Equal", new String[] {xs, zero})}, attr("to", to));
            return node("Add", new String[] {positive, node("Mul", new String[] {atZeros, scalar(atZero, dt)})});
        }

        private String gelu(Tensor x, boolean tanh) {
            DType dt = x.dtype();
            String xs = name(x);
            String inner;
            if (tanh) { // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
                String cube = node("Mul", new String[] {node("Mul", new String[] {xs, xs}), xs});
                String sum = node("Add", new String[] {xs, node("Mul", new String[] {cube, scalar(0.044715, dt)})});
                inner = node("Tanh", new String[] {node("Mul", new String[] {sum, scalar(Math.sqrt(2 / Math.PI), dt)})
                });
            } else { // 0.5·x·(1 + erf(x/√2))
                inner = node("Erf", new String[] {node("Div", new String[] {xs, scalar(Math.sqrt(2), dt)})});
            }
            String onePlus = node("Add", new String[] {inner, scalar(1, dt)});
            return node("Mul", new String[] {node("Mul", new String[] {xs, onePlus}), scalar(0.5, dt)});
        }

        private String linear(Tensor x, Tensor w, Tensor b) {
            if (x.rank() == 2) {
                String[] in = b == null ? new String[] {name(x), name(w)} : new String[] {name(x), name(w), name(b)};
                return node("Gemm", in, attr("transB", 1));
            }
            String wt = node("Transpose", new String[] {name(w)}, attr("perm", new long[] {1, 0}));
            String y = node("MatMul", new String[] {name(x), wt});
            return b == null ? y : node("Add", new String[] {y, name(b)});
        }

        private void requireBatched(Traced t) {
            if (t.inputs[0].rank() != 4)
                throw unsupported(t.op + " of an unbatched input (shape " + Shape.str(t.inputs[0].shape())
                        + "; export with a batch dimension)");
        }

        private String conv2d(Traced t) {
            requireBatched(t);
            Tensor w = t.inputs[1], b = t.inputs[2];
            int[] pad = intArray(t, "padding");
            String[] in = b == null
                    ? new String[] {name(t.inputs[0]), name(w)}
                    : new String[] {name(t.inputs[0]), name(w), name(b)};
            return node(
                    "Conv",
                    in,
                    attr("kernel_shape", new long[] {w.size(2), w.size(3)}),
                    attr("strides", longs(intArray(t, "stride"))),
                    attr("pads", new long[] {pad[0], pad[1], pad[0], pad[1]}),
                    attr("dilations", longs(intArray(t, "dilation"))),
                    attr("group", integer(t, "groups")));
        }

        private String maxPool2d(Traced t) {
            requireBatched(t);
            int[] pad = intArray(t, "padding");
            return node(
                    "MaxPool",
                    new String[] {name(t.inputs[0])},
                    attr("kernel_shape", longs(intArray(t, "kernel"))),
                    attr("strides", longs(intArray(t, "stride"))),
                    attr("pads", new long[] {pad[0], pad[1], pad[0], pad[1]}),
                    attr("dilations", longs(intArray(t, "dilation"))),
                    attr("ceil_mode", Boolean.TRUE.equals(t.attributes.get("ceilMode")) ? 1 : 0));
        }

        private String avgPool2d(Traced t) {
            requireBatched(t);
            int[] pad = intArray(t, "padding");
            return node(
                    "AveragePool",
                    new String[] {name(t.inputs[0])},
                    attr("kernel_shape", longs(intArray(t, "kernel"))),
                    attr("strides", longs(intArray(t, "stride"))),
                    attr("pads", new long[] {pad[0], pad[1], pad[0], pad[1]}),
                    attr("ceil_mode", Boolean.TRUE.equals(t.attributes.get("ceilMode")) ? 1 : 0),
                    attr("count_include_pad", Boolean.TRUE.equals(t.attributes.get("countIncludePad")) ? 1 : 0));
        }

        private String adaptiveAvgPool2d(Traced t) {
            requireBatched(t);
            Tensor x = t.inputs[0];
            int oh = integer(t, "outH"), ow = integer(t, "outW"), h = x.size(2), w = x.size(3);
            if (oh == 1 && ow == 1) return node("GlobalAveragePool", new String[] {name(x)});
            if (h % oh != 0 || w % ow != 0)
                throw unsupported("adaptive_avg_pool2d from " + h + "x" + w + " to " + oh + "x" + ow
                        + " (unequal windows; ONNX pools with one window size)");
            long[] k = {h / oh, w / ow};
            return node("AveragePool", new String[] {name(x)}, attr("kernel_shape", k), attr("strides", k));
        }

        private String layerNorm(Traced t) {
            Tensor x = t.inputs[0], w = t.inputs[1], b = t.inputs[2];
            int axis = integer(t, "axis");
            int[] normalized = Arrays.copyOfRange(x.shape(), axis, x.rank());
            String scale = w == null ? constant(Tensor.ones(x.dtype(), normalized)) : name(w, x.dtype());
            String[] in = b == null ? new String[] {name(x), scale} : new String[] {name(x), scale, name(b, x.dtype())};
            return node("LayerNormalization", in, attr("axis", axis), attr("epsilon", (float) number(t, "eps")));
        }

        private String batchNorm(Traced t) {
            if (Boolean.TRUE.equals(t.attributes.get("training")))
                throw unsupported("batch_norm with batch statistics (training mode, or no running statistics)");
            Tensor x = t.inputs[0], mean = t.inputs[1], var = t.inputs[2], w = t.inputs[3], b = t.inputs[4];
            if (mean == null || var == null) throw unsupported("batch_norm without running statistics");
            DType dt = x.dtype();
            int c = x.size(1);
            String scale = w == null ? constant(Tensor.ones(dt, c)) : name(w, dt);
            String shift = b == null ? constant(Tensor.zeros(dt, c)) : name(b, dt);
            return node(
                    "BatchNormalization",
                    new String[] {name(x), scale, shift, name(mean, dt), name(var, dt)},
                    attr("epsilon", (float) number(t, "eps")));
        }

        // -------------------------------------------------------------- attributes of traced ops

        private long[] axes(Traced t) {
            boolean[] reduced = (boolean[]) t.attributes.get("reduced");
            if (reduced == null) throw unsupported(t.op + " without its reduced dims");
            int n = 0;
            for (boolean r : reduced) if (r) n++;
            long[] axes = new long[n];
            for (int d = 0, k = 0; d < reduced.length; d++) if (reduced[d]) axes[k++] = d;
            return axes;
        }

        private int keepDims(Traced t) {
            return Boolean.TRUE.equals(t.attributes.get("keepDim")) ? 1 : 0;
        }

        private Object attribute(Traced t, String key) {
            Object v = t.attributes.get(key);
            if (v == null) throw unsupported(t.op + " without its argument '" + key + "'");
            return v;
        }

        private int integer(Traced t, String key) {
            return ((Number) attribute(t, key)).intValue();
        }

        private double number(Traced t, String key) {
            return ((Number) attribute(t, key)).doubleValue();
        }

        private int[] intArray(Traced t, String key) {
            return (int[]) attribute(t, key);
        }
    }

    static long[] longs(int[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i];
        return r;
    }

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(v)
                .build();
    }

    static AttributeProto attr(String name, long[] v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    static AttributeProto attr(String name, int[] v) {
        return attr(name, longs(v));
    }
}
