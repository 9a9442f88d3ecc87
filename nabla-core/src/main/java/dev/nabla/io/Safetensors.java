package dev.nabla.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to dtype, shape
 * and data offsets, then the raw little-endian bytes. Reading validates everything and names the tensor and the
 * byte offset on error; writing goes to a temporary file that is renamed into place.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** Tensors by name plus the free-form string metadata of the file. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private static String code(DType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static DType dtype(String code, String name, Path file) {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I64" -> DType.INT64;
            case "BOOL" -> DType.BOOL;
            default -> throw new SafetensorsException(file, 8, "tensor '" + name + "' has unsupported dtype " + code + " (supported: F32, F64, I64, BOOL)");
        };
    }

    /** An error in a safetensors file, naming the file and the byte offset. */
    public static final class SafetensorsException extends FileFormatException {
        public SafetensorsException(Path file, long offset, String message) {
            super(file, offset, message);
        }
    }

    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> writeTo(out, tensors, metadata));
    }

    /** The whole file as bytes (for writing it together with other files: {@link AtomicFiles#writeAll}). */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        writeTo(b, tensors, metadata);
        return b.toByteArray();
    }

    private static void writeTo(java.io.OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        List<Tensor> order = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * t.dtype().byteSize();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", code(t.dtype()));
            var shape = n.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            var offs = n.putArray("data_offsets");
            offs.add(offset);
            offs.add(offset + bytes);
            offset += bytes;
            order.add(t);
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int pad = (8 - h.length % 8) % 8; // the format aligns the data on 8 bytes with spaces
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        java.util.Arrays.fill(hp, h.length, hp.length, (byte) ' ');
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).array());
        out.write(hp);
        for (Tensor t : order) out.write(bytes(t));
    }

    private static byte[] bytes(Tensor t) {
        int n = t.numel();
        ByteBuffer b = ByteBuffer.allocate(n * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case INT64 -> b.asLongBuffer().put(t.toLongArray());
            case BOOL -> {
                for (boolean v : t.toBooleanArray()) b.put((byte) (v ? 1 : 0));
            }
        }
        return b.array();
    }

    public static Map<String, Tensor> load(Path file) throws IOException {
        return read(file).tensors();
    }

    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 8) throw new SafetensorsException(file, 0, "file of " + size + " bytes is too short for the 8-byte header length");
        ByteBuffer all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        }
        long headerLen = all.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8)
            throw new SafetensorsException(file, 0, "header length " + headerLen + " is out of bounds (file size " + size + ", limit " + MAX_HEADER + ")");
        byte[] h = new byte[(int) headerLen];
        all.get(8, h);
        JsonNode header;
        try {
            header = JSON.readTree(h);
        } catch (IOException e) {
            throw new SafetensorsException(file, 8, "header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (header == null || !header.isObject()) throw new SafetensorsException(file, 8, "header is not a JSON object");
        long dataStart = 8 + headerLen, dataSize = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        List<String> rangeNames = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            JsonNode n = e.getValue();
            if (name.equals("__metadata__")) {
                n.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            if (!n.isObject() || !n.has("dtype") || !n.has("shape") || !n.has("data_offsets"))
                throw new SafetensorsException(file, 8, "tensor '" + name + "' needs dtype, shape and data_offsets");
            DType dt = dtype(n.get("dtype").asText(), name, file);
            JsonNode sh = n.get("shape"), off = n.get("data_offsets");
            int[] shape = new int[sh.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                long d = sh.get(i).asLong(-1);
                if (d < 0 || d > Integer.MAX_VALUE) throw new SafetensorsException(file, 8, "tensor '" + name + "' has invalid dimension " + sh.get(i));
                shape[i] = (int) d;
                numel *= d;
            }
            if (off.size() != 2) throw new SafetensorsException(file, 8, "tensor '" + name + "' data_offsets must be [begin, end]");
            long begin = off.get(0).asLong(-1), end = off.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataSize)
                throw new SafetensorsException(file, dataStart + Math.max(begin, 0), "tensor '" + name + "' data_offsets [" + begin + ", " + end
                        + "] fall outside the data section of " + dataSize + " bytes");
            if (numel * dt.byteSize() != end - begin)
                throw new SafetensorsException(file, dataStart + begin, "tensor '" + name + "' of dtype " + dt + " and shape " + Shape.str(shape)
                        + " needs " + numel * dt.byteSize() + " bytes but its byte range holds " + (end - begin));
            ranges.add(new long[] {begin, end, ranges.size()});
            rangeNames.add(name);
            tensors.put(name, decode(all, dataStart + begin, dt, (int) numel, shape));
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++)
            if (ranges.get(i)[0] < ranges.get(i - 1)[1])
                throw new SafetensorsException(file, dataStart + ranges.get(i)[0], "tensors '" + rangeNames.get((int) ranges.get(i - 1)[2]) + "' and '"
                        + rangeNames.get((int) ranges.get(i)[2]) + "' overlap");
        return new Contents(tensors, metadata);
    }

    private static Tensor decode(ByteBuffer all, long at, DType dt, int n, int[] shape) {
        ByteBuffer b = all.slice((int) at, n * dt.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        return switch (dt) {
            case FLOAT32 -> {
                float[] d = new float[n];
                b.asFloatBuffer().get(d);
                yield Tensor.of(d).reshape(shape); // of(d) is 1-d; reshape also covers 0-d tensors
            }
            case FLOAT64 -> {
                double[] d = new double[n];
                b.asDoubleBuffer().get(d);
                yield Tensor.of(d).reshape(shape); // of(d) is 1-d; reshape also covers 0-d tensors
            }
            case INT64 -> {
                long[] d = new long[n];
                b.asLongBuffer().get(d);
                yield Tensor.of(d).reshape(shape); // of(d) is 1-d; reshape also covers 0-d tensors
            }
            case BOOL -> {
                boolean[] d = new boolean[n];
                for (int i = 0; i < n; i++) d[i] = b.get(i) != 0;
                yield Tensor.of(d).reshape(shape); // of(d) is 1-d; reshape also covers 0-d tensors
            }
        };
    }
}
