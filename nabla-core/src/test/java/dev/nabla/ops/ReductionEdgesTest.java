package dev.nabla.ops;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, the generic edges: reductions, softmax and log-softmax over empty, 1-element and 0-d tensors, ties, ±inf,
 * NaN and a non-contiguous input, against PyTorch's values, gradients and refusals (golden/edges.json "reductions").
 */
class ReductionEdgesTest {
    private static Tensor apply(String op, Tensor x) {
        return switch (op) {
            case "sum" -> x.sum();
            case "sum_dim0" -> x.sum(0);
            case "mean" -> x.mean();
            case "mean_dim0" -> x.mean(0);
            case "max" -> x.max();
            case "max_dim0" -> x.max(0, false);
            case "min" -> x.min();
            case "argmax" -> x.argmax();
            case "var" -> x.var();
            case "std" -> x.std();
            case "logsumexp_dim0" -> x.logSumExp(new int[] {0}, false);
            case "softmax_dim0" -> x.softmax(0);
            default -> x.logSoftmax(0);
        };
    }

    @Test
    void reductionsAtTheEdgesMatchPyTorch() {
        List<String> wrong = new ArrayList<>();
        int rows = 0;
        for (JsonNode r : Golden.json("edges.json").get("reductions")) {
            rows++;
            String what = r.get("op").asText() + " of " + r.get("input_name").asText();
            Tensor x0 = Golden.tensor(r.get("input"), DType.FLOAT64);
            Tensor x = (r.get("input_name").asText().equals("transposed")
                            ? x0.t().contiguous().t()
                            : x0.clone())
                    .requiresGrad_(true);
            Tensor y;
            try {
                y = apply(r.get("op").asText(), x);
            } catch (RuntimeException e) {
                if (r.has("output"))
                    wrong.add(what + ": threw " + e + ", PyTorch gives "
                            + r.get("output").get("data"));
                continue;
            }
            if (!r.has("output")) {
                wrong.add(what + ": gave "
                        + java.util.Arrays.toString(
                                y.to(DType.FLOAT64).reshape(-1).toDoubleArray()) + ", PyTorch raises '"
                        + r.get("error").asText() + "'");
                continue;
            }
            try {
                Golden.assertClose(
                        what,
                        Golden.tensor(r.get("output"), y.dtype() == DType.INT64 ? DType.FLOAT64 : DType.FLOAT64),
                        y.to(DType.FLOAT64),
                        1e-12,
                        1e-12);
                if (r.has("grad_input")) {
                    y.sum().backward();
                    Golden.assertClose(
                            what + " grad",
                            Golden.tensor(r.get("grad_input"), DType.FLOAT64),
                            x.grad() == null ? Tensor.zerosLike(x) : x.grad(),
                            1e-12,
                            1e-12);
                }
            } catch (AssertionError | RuntimeException e) {
                wrong.add(what + ": " + e.getMessage());
            }
        }
        assertEquals(117, rows);
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + rows + " differ:\n" + String.join("\n", wrong));
    }
}
