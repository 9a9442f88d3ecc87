package dev.nabla.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.Tensor;
import dev.nabla.backend.Erf;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Every op of Nabla once, in the spirit of PyTorch's OpInfo: its name (the key used by
 * tools/torch-golden/gen_ops.py), how to call it from a case's inputs and args, whether it is differentiable, and
 * for element-wise ops a plain float64 scalar reference. The sample inputs live in the generator, which writes them
 * with PyTorch's outputs and gradients into golden/ops.json.
 */
public final class OpRegistry {
    /** One registered op. {@code unaryRef}/{@code binaryRef} are float64 scalar references where they exist. */
    public record OpInfo(
            String name, Op op, boolean differentiable, DoubleUnaryOperator unaryRef, DoubleBinaryOperator binaryRef) {}

    @FunctionalInterface
    public interface Op {
        Tensor apply(Tensor[] x, JsonNode args);
    }

    public static final Map<String, OpInfo> OPS = new LinkedHashMap<>();

    private static void op(String name, Op op) {
        OPS.put(name, new OpInfo(name, op, true, null, null));
    }

    private static void nondiff(String name, Op op) {
        OPS.put(name, new OpInfo(name, op, false, null, null));
    }

    private static void unary(String name, Op op, DoubleUnaryOperator ref) {
        OPS.put(name, new OpInfo(name, op, true, ref, null));
    }

    private static void binary(String name, Op op, DoubleBinaryOperator ref) {
        OPS.put(name, new OpInfo(name, op, true, null, ref));
    }

    private static int[] ints(JsonNode n) {
        int[] r = new int[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asInt();
        return r;
    }

    static {
        unary("neg", (x, a) -> x[0].neg(), v -> -v);
        unary("exp", (x, a) -> x[0].exp(), Math::exp);
        unary("log", (x, a) -> x[0].log(), Math::log);
        unary("sqrt", (x, a) -> x[0].sqrt(), Math::sqrt);
        unary("abs", (x, a) -> x[0].abs(), Math::abs);
        unary("sign", (x, a) -> x[0].sign(), Math::signum);
        unary("square", (x, a) -> x[0].square(), v -> v * v);
        unary("relu", (x, a) -> x[0].relu(), v -> Math.max(v, 0));
        unary("sigmoid", (x, a) -> x[0].sigmoid(), v -> 1 / (1 + Math.exp(-v)));
        unary("tanh", (x, a) -> x[0].tanh(), Math::tanh);
        unary("softplus", (x, a) -> Activations.softplus(x[0]), v -> Math.log1p(Math.exp(v)));
        unary("gelu", (x, a) -> x[0].gelu(), v -> 0.5 * v * (1 + Erf.erf(v / Math.sqrt(2))));
        unary(
                "gelu_tanh",
                (x, a) -> x[0].gelu(true),
                v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        op("softmax", (x, a) -> x[0].softmax(a.get("dim").asInt()));
        op("log_softmax", (x, a) -> x[0].logSoftmax(a.get("dim").asInt()));
        op("pow_scalar", (x, a) -> x[0].pow(a.get("p").asDouble()));
        op("clamp", (x, a) -> x[0].clamp(a.get("min").asDouble(), a.get("max").asDouble()));
        nondiff("heaviside", (x, a) -> x[0].heaviside(a.get("at_zero").asDouble()));

        binary("add", (x, a) -> x[0].add(x[1]), Double::sum);
        binary("sub", (x, a) -> x[0].sub(x[1]), (p, q) -> p - q);
        binary("mul", (x, a) -> x[0].mul(x[1]), (p, q) -> p * q);
        binary("div", (x, a) -> x[0].div(x[1]), (p, q) -> p / q);
        binary("maximum", (x, a) -> x[0].maximum(x[1]), Math::max);
        binary("minimum", (x, a) -> x[0].minimum(x[1]), Math::min);
        binary("pow_tensor", (x, a) -> x[0].pow(x[1]), Math::pow);
        op("where", (x, a) -> Tensor.where(x[0].gt(0.0), x[1], x[2]));
        op("add_scalar", (x, a) -> x[0].add(a.get("s").asDouble()));
        op("sub_scalar", (x, a) -> x[0].sub(a.get("s").asDouble()));
        op("mul_scalar", (x, a) -> x[0].mul(a.get("s").asDouble()));
        op("div_scalar", (x, a) -> x[0].div(a.get("s").asDouble()));
        op("rsub_scalar", (x, a) -> x[0].rsub(a.get("s").asDouble()));
        nondiff("eq", (x, a) -> x[0].eq(x[1]));
        nondiff("ne", (x, a) -> x[0].ne(x[1]));
        nondiff("lt", (x, a) -> x[0].lt(x[1]));
        nondiff("le", (x, a) -> x[0].le(x[1]));
        nondiff("gt", (x, a) -> x[0].gt(x[1]));
        nondiff("ge", (x, a) -> x[0].ge(x[1]));

        op(
                "sum",
                (x, a) -> a.has("dims")
                        ? x[0].sum(ints(a.get("dims")), a.get("keepdim").asBoolean())
                        : x[0].sum());
        op(
                "mean",
                (x, a) -> a.has("dims")
                        ? x[0].mean(ints(a.get("dims")), a.get("keepdim").asBoolean())
                        : x[0].mean());
        op(
                "max",
                (x, a) -> a.has("dim")
                        ? x[0].max(a.get("dim").asInt(), a.get("keepdim").asBoolean())
                        : x[0].max());
        op(
                "min",
                (x, a) -> a.has("dim")
                        ? x[0].min(a.get("dim").asInt(), a.get("keepdim").asBoolean())
                        : x[0].min());
        nondiff(
                "argmax",
                (x, a) -> x[0].argmax(a.get("dim").asInt(), a.get("keepdim").asBoolean()));
        nondiff(
                "argmin",
                (x, a) -> x[0].argmin(a.get("dim").asInt(), a.get("keepdim").asBoolean()));
        op(
                "var",
                (x, a) -> a.has("dims")
                        ? x[0].var(
                                ints(a.get("dims")),
                                a.get("correction").asInt(),
                                a.get("keepdim").asBoolean())
                        : x[0].var());
        op(
                "std",
                (x, a) -> a.has("dims")
                        ? x[0].std(
                                ints(a.get("dims")),
                                a.get("correction").asInt(),
                                a.get("keepdim").asBoolean())
                        : x[0].std());
        op(
                "logsumexp",
                (x, a) -> x[0].logSumExp(ints(a.get("dims")), a.get("keepdim").asBoolean()));

        op("matmul", (x, a) -> x[0].matmul(x[1]));

        op("reshape", (x, a) -> x[0].reshape(ints(a.get("shape"))));
        op(
                "transpose",
                (x, a) -> x[0].transpose(a.get("d0").asInt(), a.get("d1").asInt()));
        op("permute", (x, a) -> x[0].permute(ints(a.get("dims"))));
        op("t", (x, a) -> x[0].t());
        op("T", (x, a) -> x[0].T());
        op("squeeze", (x, a) -> a.has("dim") ? x[0].squeeze(a.get("dim").asInt()) : x[0].squeeze());
        op("unsqueeze", (x, a) -> x[0].unsqueeze(a.get("dim").asInt()));
        op("expand", (x, a) -> x[0].expand(ints(a.get("shape"))));
        op(
                "flatten",
                (x, a) -> x[0].flatten(a.get("start").asInt(), a.get("end").asInt()));
        op(
                "narrow",
                (x, a) -> x[0].narrow(
                        a.get("dim").asInt(),
                        a.get("start").asInt(),
                        a.get("length").asInt()));
        op(
                "slice",
                (x, a) -> x[0].slice(
                        a.get("dim").asInt(),
                        a.get("start").asInt(),
                        a.get("end").asInt(),
                        a.get("step").asInt()));
        op("select", (x, a) -> x[0].select(a.get("dim").asInt(), a.get("index").asInt()));
        op("index", (x, a) -> x[0].index(x[1]));
        op("index_select", (x, a) -> x[0].indexSelect(a.get("dim").asInt(), x[1]));
        op("gather", (x, a) -> x[0].gather(a.get("dim").asInt(), x[1]));
        op("cat", (x, a) -> Tensor.cat(x, a.get("dim").asInt()));
        op("stack", (x, a) -> Tensor.stack(x, a.get("dim").asInt()));
        op("contiguous", (x, a) -> x[0].contiguous());
        op("clone", (x, a) -> x[0].clone());

        op(
                "conv2d",
                (x, a) -> Convolution.conv2d(
                        x[0],
                        x[1],
                        x.length > 2 ? x[2] : null,
                        ints(a.get("stride")),
                        ints(a.get("padding")),
                        ints(a.get("dilation"))));
        op(
                "conv2d_relu",
                (x, a) -> Convolution.conv2dRelu(
                        x[0],
                        x[1],
                        x.length > 2 ? x[2] : null,
                        ints(a.get("stride")),
                        ints(a.get("padding")),
                        ints(a.get("dilation"))));
        op(
                "conv2d_relu_max_pool2d",
                (x, a) -> Convolution.conv2dReluMaxPool(
                        x[0],
                        x[1],
                        x.length > 2 ? x[2] : null,
                        ints(a.get("stride")),
                        ints(a.get("padding")),
                        ints(a.get("dilation"))));
        op(
                "max_pool2d",
                (x, a) -> Pooling.maxPool2d(
                        x[0],
                        ints(a.get("kernel")),
                        ints(a.get("stride")),
                        ints(a.get("padding")),
                        ints(a.get("dilation"))));
        op(
                "avg_pool2d",
                (x, a) ->
                        Pooling.avgPool2d(x[0], ints(a.get("kernel")), ints(a.get("stride")), ints(a.get("padding"))));
    }

    private OpRegistry() {}
}
