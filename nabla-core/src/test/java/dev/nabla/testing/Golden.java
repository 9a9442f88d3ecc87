package dev.nabla.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.backend.Storage;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the golden files that tools/torch-golden writes, and compares tensors with a report of the first bad element. */
public final class Golden {
    private Golden() {}

    public static JsonNode json(String resource) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource golden/" + resource);
            // the generators' json.dump writes Infinity and NaN as bare tokens (PyTorch's answers include them)
            return com.fasterxml.jackson.databind.json.JsonMapper.builder()
                    .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .build()
                    .readTree(in);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The golden file as a path: itself when on disk, else (inside the test jar other modules use) a temporary copy. */
    public static java.nio.file.Path path(String resource) {
        java.net.URL url = Golden.class.getResource("/golden/" + resource);
        if (url == null) throw new IllegalStateException("missing test resource golden/" + resource);
        try {
            if (url.getProtocol().equals("file")) return java.nio.file.Path.of(url.toURI());
            java.nio.file.Path copy = java.nio.file.Files.createTempFile("golden-", "-" + resource);
            copy.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                java.nio.file.Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (java.net.URISyntaxException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tensor from {shape, dtype, data}; floating point data is converted to floatType. */
    public static Tensor tensor(JsonNode t, DType floatType) {
        int[] shape = new int[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asInt();
        JsonNode d = t.get("data");
        switch (t.get("dtype").asText()) {
            case "int64" -> {
                long[] v = new long[d.size()];
                for (int i = 0; i < v.length; i++) v[i] = d.get(i).asLong();
                return Tensor.wrap(Storage.of(v), shape);
            }
            case "bool" -> {
                boolean[] v = new boolean[d.size()];
                for (int i = 0; i < v.length; i++) v[i] = d.get(i).asBoolean();
                return Tensor.wrap(Storage.of(v), shape);
            }
            default -> {
                double[] v = new double[d.size()];
                for (int i = 0; i < v.length; i++) v[i] = d.get(i).asDouble();
                return Tensor.wrap(Storage.of(v), shape).to(floatType);
            }
        }
    }

    public static Map<String, Tensor> tensors(JsonNode obj, DType floatType) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> m.put(e.getKey(), tensor(e.getValue(), floatType)));
        return m;
    }

    /** Largest |a − e| / (atol + rtol·|e|) seen by {@link #assertClose}, for reporting. */
    public static double worstRelative;

    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i]) && Double.isNaN(a[i])) continue;
            if (Double.isInfinite(e[i]) && e[i] == a[i]) continue; // the same infinity
            if (Double.isNaN(e[i]) != Double.isNaN(a[i])
                    || Double.isInfinite(e[i]) != Double.isInfinite(a[i])) // NaN compares false: a NaN must not pass
            fail(what + ": element " + i + " expected " + e[i] + " got " + a[i]);
            double diff = Math.abs(e[i] - a[i]);
            if (Math.abs(e[i]) > 1e-3) worstRelative = Math.max(worstRelative, diff / Math.abs(e[i]));
            if (diff > atol + rtol * Math.abs(e[i]))
                fail(what + ": element " + i + " expected " + e[i] + " got " + a[i] + " (rtol " + rtol + ", atol "
                        + atol + ")");
        }
    }
}
