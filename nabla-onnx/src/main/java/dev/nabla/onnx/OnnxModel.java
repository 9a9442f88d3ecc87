package dev.nabla.onnx;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.nn.F;
import dev.nabla.nn.Module;
import dev.nabla.onnx.proto.OnnxProto.AttributeProto;
import dev.nabla.onnx.proto.OnnxProto.GraphProto;
import dev.nabla.onnx.proto.OnnxProto.ModelProto;
import dev.nabla.onnx.proto.OnnxProto.NodeProto;
import dev.nabla.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.nabla.onnx.proto.OnnxProto.TensorProto;
import dev.nabla.onnx.proto.OnnxProto.ValueInfoProto;
import dev.nabla.ops.Activations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An ONNX graph as a Nabla module: {@link #forward} runs the graph's nodes in order with Nabla's differentiable ops,
 * so the model can be fine-tuned. The float initializers are parameters, registered under their ONNX names (a dotted
 * name such as {@code features.0.weight} becomes nested modules, so the state dict has PyTorch's keys), except the
 * running statistics of BatchNormalization, which are buffers; integer initializers (shapes, axes) are constants.
 *
 * <p>One graph input besides the initializers and one output are supported. The ops: {@link #SUPPORTED}; any other
 * is an error naming the node when the model is loaded.
 */
public final class OnnxModel extends Module {
    /** The ONNX ops this module runs (default domain, opsets 7 to 17 as far as their semantics agree). */
    public static final Set<String> SUPPORTED = Set.copyOf(new TreeSet<>(List.of(
            "Abs",
            "Add",
            "AveragePool",
            "BatchNormalization",
            "Cast",
            "Clip",
            "Concat",
            "Constant",
            "Conv",
            "Div",
            "Dropout",
            "Elu",
            "Equal",
            "Erf",
            "Exp",
            "Expand",
            "Flatten",
            "Gather",
            "Gemm",
            "GlobalAveragePool",
            "Greater",
            "GreaterOrEqual",
            "Identity",
            "LayerNormalization",
            "LeakyRelu",
            "Less",
            "LessOrEqual",
            "Log",
            "LogSoftmax",
            "MatMul",
            "Max",
            "MaxPool",
            "Min",
            "Mul",
            "Neg",
            "Not",
            "Pad",
            "Pow",
            "ReduceMax",
            "ReduceMean",
            "ReduceMin",
            "ReduceSum",
            "Relu",
            "Reshape",
            "Shape",
            "Sigmoid",
            "Sign",
            "Slice",
            "Softmax",
            "Softplus",
            "Sqrt",
            "Squeeze",
            "Sub",
            "Tanh",
            "Transpose",
            "Unsqueeze",
            "Where")));

    private final List<NodeProto> nodes;
    private final Map<String, Tensor> initializers = new LinkedHashMap<>(); // by ONNX name: parameters and constants
    private final String inputName, outputName;
    private final int[] inputShape; // -1 for a symbolic dimension
    private final int opset;

    /** The module that runs proto's graph. */
    public OnnxModel(ModelProto proto) {
        GraphProto g = proto.getGraph();
        int set = -1;
        for (OperatorSetIdProto o : proto.getOpsetImportList())
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) set = (int) o.getVersion();
        if (set < 0) throw new IllegalArgumentException("ONNX model imports no default-domain opset");
        opset = set;
        nodes = List.copyOf(g.getNodeList());
        Set<String> buffers = new HashSet<>();
        for (NodeProto n : nodes) {
            String where = where(n);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx"))
                throw new IllegalArgumentException(where + ": domain '" + n.getDomain() + "' is not supported");
            if (!SUPPORTED.contains(n.getOpType()))
                throw new IllegalArgumentException(where + ": op " + n.getOpType()
                        + " is not supported; supported ops: " + String.join(", ", new TreeSet<>(SUPPORTED)));
            if (n.getOpType().equals("BatchNormalization"))
                for (int i = 3; i < Math.min(5, n.getInputCount()); i++) buffers.add(n.getInput(i));
        }
        Scopes scopes = new Scopes(this);
        for (TensorProto t : g.getInitializerList()) {
            Tensor value = OnnxTensors.fromProto(t, "initializer '" + t.getName() + "'");
            if (value.dtype().isFloatingPoint())
                value = scopes.register(t.getName(), value, buffers.contains(t.getName()));
            initializers.put(t.getName(), value);
        }
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) if (!initializers.containsKey(v.getName())) inputs.add(v);
        if (inputs.size() != 1 || g.getOutputCount() != 1)
            throw new IllegalArgumentException("ONNX graph '" + g.getName() + "' has " + inputs.size() + " inputs and "
                    + g.getOutputCount() + " outputs; OnnxModel runs graphs of one input and one output");
        inputName = inputs.get(0).getName();
        outputName = g.getOutput(0).getName();
        var dims = inputs.get(0).getType().getTensorType().getShape().getDimList();
        inputShape = new int[dims.size()];
        for (int i = 0; i < inputShape.length; i++)
            inputShape[i] = dims.get(i).hasDimValue() ? (int) dims.get(i).getDimValue() : -1;
    }

    /** The graph input's name. */
    public String inputName() {
        return inputName;
    }

    /** The graph output's name. */
    public String outputName() {
        return outputName;
    }

    /** The ONNX opset the graph was written for. */
    public int opset() {
        return opset;
    }

    @Override
    public String describe() {
        return "OnnxModel (" + nodes.size() + " nodes, opset " + opset + ")";
    }

    @Override
    public Tensor forward(Tensor x) {
        boolean shapeOk = x.rank() == inputShape.length || inputShape.length == 0;
        for (int i = 0; shapeOk && i < inputShape.length; i++)
            shapeOk = inputShape[i] < 0 || inputShape[i] == x.size(i);
        expectInput(x, shapeString(), shapeOk);
        Map<String, Tensor> env = new HashMap<>(initializers);
        env.put(inputName, x);
        for (NodeProto n : nodes) {
            Tensor[] in = new Tensor[n.getInputCount()];
            for (int i = 0; i < in.length; i++) {
                String name = n.getInput(i);
                if (name.isEmpty()) continue; // an optional input left out
                in[i] = env.get(name);
                if (in[i] == null)
                    throw new IllegalStateException(where(n) + ": input '" + name + "' is not computed before it");
            }
            Tensor out;
            try {
                out = run(n, in);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where(n) + ": " + e.getMessage(), e);
            }
            env.put(n.getOutput(0), out);
        }
        Tensor y = env.get(outputName);
        if (y == null) throw new IllegalStateException("ONNX graph: output '" + outputName + "' is never computed");
        return y;
    }

    private String shapeString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < inputShape.length; i++)
            b.append(i > 0 ? ", " : "").append(inputShape[i] < 0 ? "*" : String.valueOf(inputShape[i]));
        return b.append("]").toString();
    }

    private static String where(NodeProto n) {
        return "ONNX node '" + n.getName() + "' (" + n.getOpType() + ")";
    }

    // ------------------------------------------------------------------ the ops

    private Tensor run(NodeProto n, Tensor[] in) {
        Map<String, AttributeProto> a = new HashMap<>();
        for (AttributeProto p : n.getAttributeList()) a.put(p.getName(), p);
        for (int i = 1; i < n.getOutputCount(); i++)
            if (!n.getOutput(i).isEmpty() && !(n.getOpType().equals("Dropout")))
                throw new IllegalArgumentException("a second output ('" + n.getOutput(i) + "') is not supported");
        Tensor x = in.length > 0 ? in[0] : null;
        return switch (n.getOpType()) {
            case "Add" -> x.add(in[1]);
            case "Sub" -> x.sub(in[1]);
            case "Mul" -> x.mul(in[1]);
            case "Div" -> x.div(in[1]);
            case "Pow" -> in[1].rank() == 0 && in[1].numel() == 1 ? x.pow(in[1].item()) : x.pow(in[1]);
            case "Max" -> fold(in, true);
            case "Min" -> fold(in, false);
            case "Neg" -> x.neg();
            case "LeakyRelu" -> F.leakyRelu(x, number(a, "alpha", 0.01));
            case "Elu" -> F.elu(x, number(a, "alpha", 1.0));
            case "LayerNormalization" -> {
                int axis = axis((int) integer(a, "axis", -1), x.rank());
                if (integer(a, "stash_type", 1) != 1)
                    throw new IllegalArgumentException("stash_type other than float is not supported");
                yield F.layerNorm(
                        x,
                        Arrays.copyOfRange(x.shape(), axis, x.rank()),
                        in[1],
                        in.length > 2 ? in[2] : null,
                        number(a, "epsilon", 1e-5));
            }
            case "Equal" -> x.eq(in[1]);
            case "Greater" -> x.gt(in[1]);
            case "GreaterOrEqual" -> x.ge(in[1]);
            case "Less" -> x.lt(in[1]);
            case "LessOrEqual" -> x.le(in[1]);
            case "Not" -> x.logicalNot();
            case "Where" -> Tensor.where(x, in[1], in[2]);
            case "Exp" -> x.exp();
            case "Log" -> x.log();
            case "Sqrt" -> x.sqrt();
            case "Abs" -> x.abs();
            case "Sign" -> x.sign();
            case "Relu" -> x.relu();
            case "Sigmoid" -> x.sigmoid();
            case "Tanh" -> x.tanh();
            case "Softplus" -> Activations.softplus(x);
            case "Erf" -> Activations.erf(x);
            case "Identity", "Dropout" -> x;
            case "Cast" -> x.to(OnnxTensors.dtype((int) integer(a, "to", 1), "Cast"));
            case "Clip" -> clip(x, in, a);
            case "Constant" -> constant(a);
            case "Shape" -> {
                long[] s = new long[x.rank()];
                for (int i = 0; i < s.length; i++) s[i] = x.size(i);
                yield Tensor.of(s, s.length);
            }
            case "Gather" -> gather(x, in[1], (int) integer(a, "axis", 0));
            case "MatMul" -> x.matmul(in[1]);
            case "Gemm" -> gemm(in, a);
            case "Conv" -> conv(in, a);
            case "MaxPool" -> maxPool(x, a);
            case "AveragePool" -> avgPool(x, a);
            case "GlobalAveragePool" -> {
                int[] dims = new int[x.rank() - 2];
                for (int i = 0; i < dims.length; i++) dims[i] = i + 2;
                yield x.mean(dims, true);
            }
            case "BatchNormalization" -> {
                if (integer(a, "training_mode", 0) != 0)
                    throw new IllegalArgumentException("training_mode = 1 is not supported");
                yield F.batchNorm(x, in[3], in[4], in[1], in[2], false, 0.1, number(a, "epsilon", 1e-5));
            }
            case "Reshape" -> reshape(x, longs(in[1]), integer(a, "allowzero", 0) != 0);
            case "Flatten" -> {
                int axis = axis((int) integer(a, "axis", 1), x.rank() + 1);
                if (axis == 1 && x.rank() >= 2) yield x.flatten(1);
                int rows = 1;
                for (int i = 0; i < axis; i++) rows *= x.size(i);
                yield x.reshape(rows, -1);
            }
            case "Transpose" -> {
                long[] perm = ints(a, "perm");
                int[] p = new int[x.rank()];
                for (int i = 0; i < p.length; i++) p[i] = perm == null ? p.length - 1 - i : (int) perm[i];
                yield x.permute(p);
            }
            case "Expand" -> x.expand(Shape.broadcast("Expand", x.shape(), toInts(longs(in[1]))));
            case "Squeeze" -> squeeze(x, in.length > 1 && in[1] != null ? longs(in[1]) : ints(a, "axes"));
            case "Unsqueeze" -> unsqueeze(x, in.length > 1 && in[1] != null ? longs(in[1]) : ints(a, "axes"));
            case "Slice" -> slice(x, in);
            case "Pad" -> pad(x, in, a);
            case "Concat" -> Tensor.cat(in, axis((int) integer(a, "axis", 0), x.rank()));
            case "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin" -> reduce(n.getOpType(), x, in, a);
            case "Softmax", "LogSoftmax" -> {
                int axis = axis((int) integer(a, "axis", opset >= 13 ? -1 : 1), x.rank());
                if (opset < 13 && axis != x.rank() - 1)
                    throw new IllegalArgumentException("before opset 13, " + n.getOpType()
                            + " flattens the dims from axis " + axis + " on; only the last axis is supported");
                yield n.getOpType().equals("Softmax") ? x.softmax(axis) : x.logSoftmax(axis);
            }
            default -> throw new IllegalArgumentException("op " + n.getOpType() + " is not supported");
        };
    }

    private static Tensor fold(Tensor[] in, boolean max) {
        Tensor y = in[0];
        for (int i = 1; i < in.length; i++) y = max ? y.maximum(in[i]) : y.minimum(in[i]);
        return y;
    }

    private Tensor clip(Tensor x, Tensor[] in, Map<String, AttributeProto> a) {
        double lo = Double.NEGATIVE_INFINITY, hi = Double.POSITIVE_INFINITY;
        if (opset < 11) {
            lo = number(a, "min", lo);
            hi = number(a, "max", hi);
        } else {
            if (in.length > 1 && in[1] != null) lo = in[1].item();
            if (in.length > 2 && in[2] != null) hi = in[2].item();
        }
        return x.clamp(lo, hi);
    }

    private static Tensor constant(Map<String, AttributeProto> a) {
        if (a.containsKey("value")) return OnnxTensors.fromProto(a.get("value").getT(), "Constant value");
        if (a.containsKey("value_float"))
            return Tensor.scalar(a.get("value_float").getF(), DType.FLOAT32);
        if (a.containsKey("value_int"))
            return Tensor.of(new long[] {a.get("value_int").getI()}).reshape();
        if (a.containsKey("value_ints")) {
            long[] v = ints(a, "value_ints");
            return Tensor.of(v, v.length);
        }
        if (a.containsKey("value_floats")) {
            var l = a.get("value_floats").getFloatsList();
            float[] v = new float[l.size()];
            for (int i = 0; i < v.length; i++) v[i] = l.get(i);
            return Tensor.of(v, v.length);
        }
        throw new IllegalArgumentException("Constant: only value, value_float(s) and value_int(s) are supported");
    }

    private static Tensor gather(Tensor x, Tensor index, int axis) {
        int d = axis(axis, x.rank());
        long[] idx = longs(index);
        int size = x.size(d);
        if (index.rank() == 0) {
            long i = idx[0] < 0 ? idx[0] + size : idx[0];
            return x.select(d, (int) i);
        }
        long[] norm = new long[idx.length];
        for (int i = 0; i < idx.length; i++) norm[i] = idx[i] < 0 ? idx[i] + size : idx[i];
        Tensor picked = x.indexSelect(d, Tensor.of(norm, norm.length));
        if (index.rank() == 1) return picked;
        // data.shape[:d] + indices.shape + data.shape[d+1:]
        int[] shape = new int[x.rank() - 1 + index.rank()];
        for (int i = 0; i < d; i++) shape[i] = x.size(i);
        for (int i = 0; i < index.rank(); i++) shape[d + i] = index.size(i);
        for (int i = d + 1; i < x.rank(); i++) shape[index.rank() + i - 1] = x.size(i);
        return picked.reshape(shape);
    }

    private static Tensor gemm(Tensor[] in, Map<String, AttributeProto> a) {
        double alpha = number(a, "alpha", 1), beta = number(a, "beta", 1);
        boolean ta = integer(a, "transA", 0) != 0, tb = integer(a, "transB", 0) != 0;
        Tensor c = in.length > 2 ? in[2] : null;
        if (!ta && tb && alpha == 1 && beta == 1 && (c == null || c.rank() == 1)) return F.linear(in[0], in[1], c);
        Tensor y = (ta ? in[0].t() : in[0]).matmul(tb ? in[1].t() : in[1]);
        if (alpha != 1) y = y.mul(alpha);
        if (c != null) y = y.add(beta == 1 ? c : c.mul(beta));
        return y;
    }

    /** ONNX pads [begin..., end...] as Nabla's symmetric padding; an error where begin and end differ. */
    private static int[] symmetricPads(Map<String, AttributeProto> a, int spatial) {
        String autoPad = a.containsKey("auto_pad") ? a.get("auto_pad").getS().toStringUtf8() : "NOTSET";
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID"))
            throw new IllegalArgumentException(
                    "auto_pad " + autoPad + " is not supported (NOTSET with explicit pads, or VALID)");
        long[] pads = ints(a, "pads");
        int[] p = new int[spatial];
        if (pads == null || autoPad.equals("VALID")) return p;
        for (int i = 0; i < spatial; i++) {
            if (pads[i] != pads[i + spatial])
                throw new IllegalArgumentException("asymmetric pads " + Arrays.toString(pads) + " are not supported");
            p[i] = (int) pads[i];
        }
        return p;
    }

    private static int[] pair(Map<String, AttributeProto> a, String name, int fallback) {
        long[] v = ints(a, name);
        return v == null ? new int[] {fallback, fallback} : toInts(v);
    }

    private static void require2d(Tensor x, String op) {
        if (x.rank() != 4)
            throw new IllegalArgumentException(op + " of a rank-" + x.rank() + " input (shape " + Shape.str(x.shape())
                    + "): only 2-D (N, C, H, W)");
    }

    private static Tensor conv(Tensor[] in, Map<String, AttributeProto> a) {
        require2d(in[0], "Conv");
        return F.conv2d(
                in[0],
                in[1],
                in.length > 2 ? in[2] : null,
                pair(a, "strides", 1),
                symmetricPads(a, 2),
                pair(a, "dilations", 1),
                (int) integer(a, "group", 1));
    }

    private static Tensor maxPool(Tensor x, Map<String, AttributeProto> a) {
        require2d(x, "MaxPool");
        int[] k = toInts(ints(a, "kernel_shape"));
        return F.maxPool2d(
                x,
                k,
                pair(a, "strides", 1),
                symmetricPads(a, 2),
                pair(a, "dilations", 1),
                integer(a, "ceil_mode", 0) != 0);
    }

    private static Tensor avgPool(Tensor x, Map<String, AttributeProto> a) {
        require2d(x, "AveragePool");
        return F.avgPool2d(
                x,
                toInts(ints(a, "kernel_shape")),
                pair(a, "strides", 1),
                symmetricPads(a, 2),
                integer(a, "ceil_mode", 0) != 0,
                integer(a, "count_include_pad", 0) != 0);
    }

    private static Tensor reshape(Tensor x, long[] shape, boolean allowZero) {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            if (shape[i] == 0 && !allowZero) {
                if (i >= x.rank())
                    throw new IllegalArgumentException(
                            "Reshape: 0 at dim " + i + " but the input has rank " + x.rank());
                s[i] = x.size(i);
            } else s[i] = (int) shape[i];
        }
        return x.reshape(s);
    }

    private static Tensor squeeze(Tensor x, long[] axes) {
        if (axes == null) return x.squeeze();
        int[] d = normalized(axes, x.rank());
        Arrays.sort(d);
        Tensor y = x;
        for (int i = d.length - 1; i >= 0; i--) y = y.squeeze(d[i]);
        return y;
    }

    private static Tensor unsqueeze(Tensor x, long[] axes) {
        if (axes == null) throw new IllegalArgumentException("Unsqueeze needs axes");
        int[] d = normalized(axes, x.rank() + axes.length);
        Arrays.sort(d);
        Tensor y = x;
        for (int v : d) y = y.unsqueeze(v);
        return y;
    }

    private static Tensor slice(Tensor x, Tensor[] in) {
        long[] starts = longs(in[1]), ends = longs(in[2]);
        long[] axes = in.length > 3 && in[3] != null ? longs(in[3]) : null;
        long[] steps = in.length > 4 && in[4] != null ? longs(in[4]) : null;
        Tensor y = x;
        for (int i = 0; i < starts.length; i++) {
            int d = axes == null ? i : axis((int) axes[i], x.rank());
            long step = steps == null ? 1 : steps[i];
            if (step <= 0) throw new IllegalArgumentException("Slice with step " + step + " is not supported");
            y = y.slice(d, clampInt(starts[i]), clampInt(ends[i]), (int) step);
        }
        return y;
    }

    /** Pad in constant mode: pads [begin per dim..., end per dim...], negative values crop. */
    private Tensor pad(Tensor x, Tensor[] in, Map<String, AttributeProto> a) {
        String mode = a.containsKey("mode") ? a.get("mode").getS().toStringUtf8() : "constant";
        if (!mode.equals("constant"))
            throw new IllegalArgumentException("Pad mode '" + mode + "' is not supported (constant is)");
        long[] pads = opset >= 11 ? longs(in[1]) : ints(a, "pads");
        double value = opset >= 11 ? (in.length > 2 && in[2] != null ? in[2].item() : 0) : number(a, "value", 0);
        int r = x.rank();
        if (pads == null || pads.length != 2 * r)
            throw new IllegalArgumentException("Pad needs 2 x rank = " + 2 * r + " pads");
        Tensor y = x;
        for (int d = 0; d < r; d++) {
            int before = (int) pads[d], after = (int) pads[d + r];
            if (before < 0) y = y.narrow(d, -before, y.size(d) + before);
            if (after < 0) y = y.narrow(d, 0, y.size(d) + after);
            if (before <= 0 && after <= 0) continue;
            List<Tensor> parts = new ArrayList<>();
            int[] s = y.shape();
            if (before > 0) {
                s[d] = before;
                parts.add(Tensor.full(value, y.dtype(), s.clone()));
            }
            parts.add(y);
            if (after > 0) {
                s[d] = after;
                parts.add(Tensor.full(value, y.dtype(), s.clone()));
            }
            y = Tensor.cat(parts, d);
        }
        return y;
    }

    private Tensor reduce(String op, Tensor x, Tensor[] in, Map<String, AttributeProto> a) {
        boolean keep = integer(a, "keepdims", 1) != 0;
        long[] axes = in.length > 1 && in[1] != null ? longs(in[1]) : ints(a, "axes");
        if (axes != null && axes.length == 0) axes = null;
        if (axes == null && integer(a, "noop_with_empty_axes", 0) != 0) return x;
        int[] dims = axes == null ? null : normalized(axes, x.rank());
        return switch (op) {
            case "ReduceSum" -> x.sum(dims, keep);
            case "ReduceMean" -> x.mean(dims, keep);
            case "ReduceMax" -> dev.nabla.ops.Reductions.extreme(x, dims, keep, true);
            default -> dev.nabla.ops.Reductions.extreme(x, dims, keep, false);
        };
    }

    // ------------------------------------------------------------------ attributes and small conversions

    private static long integer(Map<String, AttributeProto> a, String name, long fallback) {
        AttributeProto p = a.get(name);
        return p == null ? fallback : p.getI();
    }

    private static double number(Map<String, AttributeProto> a, String name, double fallback) {
        AttributeProto p = a.get(name);
        return p == null ? fallback : p.getF();
    }

    private static long[] ints(Map<String, AttributeProto> a, String name) {
        AttributeProto p = a.get(name);
        if (p == null) return null;
        long[] v = new long[p.getIntsCount()];
        for (int i = 0; i < v.length; i++) v[i] = p.getInts(i);
        return v;
    }

    private static long[] longs(Tensor t) {
        if (t.dtype() != DType.INT64)
            throw new IllegalArgumentException(
                    "expected an int64 tensor of shape values, got " + t.dtype() + " " + Shape.str(t.shape()));
        return t.toLongArray();
    }

    private static int[] toInts(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = clampInt(v[i]);
        return r;
    }

    private static int clampInt(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    private static int axis(int axis, int rank) {
        int d = axis < 0 ? axis + rank : axis;
        if (d < 0 || d >= rank)
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        return d;
    }

    private static int[] normalized(long[] axes, int rank) {
        int[] d = new int[axes.length];
        for (int i = 0; i < d.length; i++) d[i] = axis((int) axes[i], rank);
        return d;
    }

    // ------------------------------------------------------------------ parameters under their ONNX names

    /** Registers initializers as parameters or buffers in nested modules named by the dotted ONNX name. */
    private static final class Scopes {
        private final OnnxModel root;
        private final Map<String, Scope> scopes = new HashMap<>();
        private int renamed;

        Scopes(OnnxModel root) {
            this.root = root;
        }

        Tensor register(String name, Tensor value, boolean buffer) {
            String[] parts = name.split("\\.", -1);
            boolean valid = parts.length > 0;
            for (String p : parts) valid &= !p.isEmpty();
            if (valid) {
                try {
                    Module m = root;
                    StringBuilder prefix = new StringBuilder();
                    for (int i = 0; i < parts.length - 1; i++) {
                        prefix.append(i > 0 ? "." : "").append(parts[i]);
                        Module parent = m;
                        String key = prefix.toString(), child = parts[i];
                        m = scopes.computeIfAbsent(key, k -> parent.registerModule(child, new Scope()));
                    }
                    return add(m, parts[parts.length - 1], value, buffer);
                } catch (IllegalArgumentException clash) {
                    // a name that is also a prefix of another (e.g. "a" and "a.b"): registered flat below
                }
            }
            return add(root, "onnx_" + renamed++ + "_" + name.replaceAll("[^A-Za-z0-9_]", "_"), value, buffer);
        }

        private static Tensor add(Module m, String name, Tensor value, boolean buffer) {
            return buffer ? m.registerBuffer(name, value) : m.registerParameter(name, value);
        }
    }

    /** A level of a dotted parameter name; holds parameters only (the graph runs in {@link OnnxModel#forward}). */
    static final class Scope extends Module {
        @Override
        public Tensor forward(Tensor input) {
            throw new UnsupportedOperationException(
                    "a scope of an ONNX model's parameters (" + path() + ") does not run on its own; call the model");
        }
    }
}
