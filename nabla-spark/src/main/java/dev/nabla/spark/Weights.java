package dev.nabla.spark;

import dev.nabla.DType;
import dev.nabla.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A state dict in a form Spark can serialize (broadcast to the workers, returned to the driver): names, shapes,
 * dtypes and values, in the state dict's order. Every value is copied, so the holder owns it.
 */
record Weights(List<String> names, List<int[]> shapes, List<String> dtypes, List<Object> values)
        implements Serializable {

    static Weights of(Map<String, Tensor> state) {
        List<String> names = new ArrayList<>(), dtypes = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        state.forEach((k, t) -> {
            names.add(k);
            shapes.add(t.shape().clone());
            dtypes.add(t.dtype().name());
            values.add(
                    switch (t.dtype()) {
                        case FLOAT32 -> t.toFloatArray().clone();
                        case FLOAT64 -> t.toDoubleArray().clone();
                        case INT64 -> t.toLongArray().clone();
                        case BOOL -> t.toBooleanArray().clone();
                        default ->
                            throw new IllegalArgumentException(
                                    "state dict entry '" + k + "' has dtype " + t.dtype() + ", which cannot be sent");
                    });
        });
        return new Weights(List.copyOf(names), List.copyOf(shapes), List.copyOf(dtypes), List.copyOf(values));
    }

    Map<String, Tensor> toStateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            int[] shape = shapes.get(i);
            Object v = values.get(i);
            out.put(
                    names.get(i),
                    switch (DType.valueOf(dtypes.get(i))) {
                        case FLOAT32 -> Tensor.of((float[]) v, shape);
                        case FLOAT64 -> Tensor.of((double[]) v, shape);
                        case INT64 -> Tensor.of((long[]) v, shape);
                        case BOOL -> Tensor.of((boolean[]) v, shape);
                        default -> throw new IllegalStateException("unexpected dtype " + dtypes.get(i));
                    });
        }
        return out;
    }
}
