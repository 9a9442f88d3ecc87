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
 * Issue 10 item 5: torch.result_type as a table (golden/edges.json "promotion", 448 rows from PyTorch 1.13): every
 * pair of dtypes, each operand 0-d or 1-d, for add, sub, mul, div, maximum, minimum and where; the result dtype,
 * the values, or the error PyTorch raises.
 */
class TypePromotionTest {
    private static DType dtype(String name) {
        return switch (name) {
            case "bool" -> DType.BOOL;
            case "int64" -> DType.INT64;
            case "float32" -> DType.FLOAT32;
            default -> DType.FLOAT64;
        };
    }

    private static Tensor operand(String dtype, int rank, double[] values) {
        Tensor t = Tensor.of(values).to(dtype(dtype));
        return rank == 0 ? t.narrow(0, 0, 1).reshape() : t;
    }

    private static Tensor apply(String op, Tensor a, Tensor b) {
        return switch (op) {
            case "add" -> a.add(b);
            case "sub" -> a.sub(b);
            case "mul" -> a.mul(b);
            case "div" -> a.div(b);
            case "maximum" -> a.maximum(b);
            case "minimum" -> a.minimum(b);
            default -> Tensor.where(Tensor.of(new boolean[] {true, false}), a, b);
        };
    }

    @Test
    void resultTypesValuesAndErrorsMatchPyTorchsTable() {
        List<String> wrong = new ArrayList<>();
        int rows = 0;
        for (JsonNode r : Golden.json("edges.json").get("promotion")) {
            rows++;
            String op = r.get("op").asText(),
                    what =
                            op + "(" + r.get("a").asText() + (r.get("a_rank").asInt() == 0 ? " 0-d" : " [2]") + ", "
                                    + r.get("b").asText() + (r.get("b_rank").asInt() == 0 ? " 0-d" : " [2]") + ")";
            Tensor a = operand(r.get("a").asText(), r.get("a_rank").asInt(), new double[] {1, 0});
            Tensor b = operand(r.get("b").asText(), r.get("b_rank").asInt(), new double[] {1, 1});
            Tensor out;
            try {
                out = apply(op, a, b);
            } catch (IllegalArgumentException e) {
                if (!r.has("error"))
                    wrong.add(what + ": threw '" + e.getMessage() + "', PyTorch gives "
                            + r.get("result").asText());
                else if (!e.getMessage().contains(r.get("error").asText()))
                    wrong.add(what + ": message '" + e.getMessage() + "' lacks PyTorch's '"
                            + r.get("error").asText() + "'");
                continue;
            }
            if (r.has("error")) {
                wrong.add(what + ": gave " + out.dtype() + ", PyTorch raises '"
                        + r.get("error").asText() + "'");
                continue;
            }
            if (out.dtype() != dtype(r.get("result").asText()))
                wrong.add(what + ": " + out.dtype() + ", PyTorch "
                        + r.get("result").asText());
            double[] expected = new double[r.get("values").size()];
            for (int i = 0; i < expected.length; i++)
                expected[i] = r.get("values").get(i).asDouble();
            double[] got = out.to(DType.FLOAT64).reshape(-1).toDoubleArray();
            if (!java.util.Arrays.equals(expected, got))
                wrong.add(what + ": values " + java.util.Arrays.toString(got) + ", PyTorch "
                        + java.util.Arrays.toString(expected));
        }
        assertEquals(448, rows);
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + rows + " rows differ:\n" + String.join("\n", wrong));
    }

    @Test
    void resultTypeRules() {
        assertEquals(
                DType.FLOAT32,
                DType.resultType(DType.FLOAT32, false, DType.FLOAT64, true),
                "a dimensioned tensor wins over a 0-d one of the same category");
        assertEquals(
                DType.FLOAT64,
                DType.resultType(DType.INT64, false, DType.FLOAT64, true),
                "a 0-d tensor of a higher category counts");
        assertEquals(DType.BOOL, DType.resultType(DType.BOOL, false, DType.BOOL, false));
        assertEquals(
                DType.FLOAT64,
                DType.resultType(DType.FLOAT32, true, DType.FLOAT64, true),
                "two 0-d tensors promote normally");
    }
}
