package dev.nabla.io;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to dtype, shape
 * and data offsets, then the raw little-endian bytes. Reading validates everything and names the tensor and the
 * byte offset on error; writing goes to a temporary file that is renamed into place.
 */
public final class Safetensors {
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
            default ->
                throw new SafetensorsException(
                        file,
                        8,
                        "tensor '" + name + "' has unsupported dtype " + code + " (supported: F32, F64, I64, BOOL)");
        };
    }

    /** An error in a safetensors file, naming the file and the byte offset. */
    public static final class SafetensorsException extends FileFormatException {
        /** An error at a byte offset of file. */
        public SafetensorsException(Path file, long offset, String message) {
            super(file, offset, message);
        }
    }

    /** Writes tensors to a safetensors file atomically. */
    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /** Writes tensors and string metadata to a safetensors file atomically. */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> writeTo(out, tensors, metadata));
    }

    /** The whole file as bytes (for writing it together with other files: {@link AtomicFiles#writeAll}). */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        writeTo(b, tensors, metadata);
        return b.toByteArray();
    }

    private static void writeTo(java.io.OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long offset = 0;
        List<Tensor> order = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * t.dtype().byteSize();
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("dtype", code(t.dtype()));
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            n.put("shape", shape);
            n.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), n);
            offset += bytes;
            order.add(t);
        }
        byte[] h = Json.write(header, false).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8; // the format aligns the data on 8 bytes with spaces
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        java.util.Arrays.fill(hp, h.length, hp.length, (byte) ' ');
        out.write(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(hp.length)
                .array());
        out.write(hp);
        for (Tensor t : order) out.write(littleEndianBytes(t));
    }

    /** The tensor's values in row-major order as little-endian bytes (bool: one byte each), as safetensors and ONNX store them. */
    public static byte[] littleEndianBytes(Tensor t) {
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

    /** The tensors of a safetensors file by name, checked against the format's rules. */
    public static Map<String, Tensor> load(Path file) throws IOException {
        return read(file).tensors();
    }

    /**
     * Reads and validates a file by the format's own rules (those of the reference implementation): the header length
     * within the file and at most 100 MB; the header valid UTF-8 JSON that starts with '{', one object and nothing
     * after it but the spaces that pad it, no key twice; "__metadata__" a map of strings; every tensor a known dtype,
     * a shape of non-negative integers whose product does not overflow, and [begin, end] integer offsets whose length
     * equals the shape's byte size; the tensors' byte ranges laid end to end from 0 with no gap or overlap, covering
     * the data section exactly. Each tensor is read on its own (no mapping of the whole file, so files over 2 GiB
     * load). Any violation is a {@link SafetensorsException} naming the file, the byte offset and the tensor.
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new SafetensorsException(
                        file, 0, "file of " + size + " bytes is too short for the 8-byte header length");
            long headerLen =
                    readFully(ch, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8)
                throw new SafetensorsException(
                        file,
                        0,
                        "header length " + headerLen + " is out of bounds (file size " + size + ", limit " + MAX_HEADER
                                + ")");
            byte[] h = new byte[(int) headerLen];
            readFully(ch, 8, h.length, file).get(0, h);
            String text;
            try {
                text = java.nio.charset.StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(h))
                        .toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new SafetensorsException(file, 8, "header is not valid UTF-8");
            }
            if (h[0] != '{')
                throw new SafetensorsException(
                        file, 8, "header must start with '{', got byte 0x" + Integer.toHexString(h[0] & 0xff));
            Object parsed;
            try {
                parsed = Json.parse(
                        text); // from the decoded text: Jackson's own detection of the encoding took "{\0\0\0" for
                // UTF-32
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                long chars = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
                long at = chars < 0 || chars > text.length()
                        ? 8
                        : 8 + text.substring(0, (int) chars).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                throw new SafetensorsException(
                        file,
                        at,
                        "header is not one valid JSON object: "
                                + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
            if (!(parsed instanceof Map<?, ?> header))
                throw new SafetensorsException(file, 8, "header is not a JSON object");
            long dataStart = 8 + headerLen, dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            record Entry(String name, DType dtype, int[] shape, int numel, long begin, long end) {}
            List<Entry> entries = new ArrayList<>();
            for (var e : header.entrySet()) {
                String name = (String) e.getKey();
                Object nv = e.getValue();
                if (name.equals("__metadata__")) {
                    if (!(nv instanceof Map<?, ?> md))
                        throw new SafetensorsException(
                                file, 8, "__metadata__ must be an object of strings, got " + kind(nv));
                    for (var m : md.entrySet()) {
                        if (!(m.getValue() instanceof String v))
                            throw new SafetensorsException(
                                    file,
                                    8,
                                    "__metadata__ value of '" + m.getKey() + "' must be a string, got "
                                            + kind(m.getValue()));
                        metadata.put((String) m.getKey(), v);
                    }
                    continue;
                }
                if (!(nv instanceof Map<?, ?> n)
                        || !n.containsKey("dtype")
                        || !n.containsKey("shape")
                        || !n.containsKey("data_offsets"))
                    throw new SafetensorsException(
                            file, 8, "tensor '" + name + "' needs dtype, shape and data_offsets");
                if (!(n.get("dtype") instanceof String code))
                    throw new SafetensorsException(
                            file, 8, "tensor '" + name + "' dtype must be a string, got " + kind(n.get("dtype")));
                DType dt = dtype(code, name, file);
                Object shv = n.get("shape"), offv = n.get("data_offsets");
                if (!(shv instanceof List<?> sh))
                    throw new SafetensorsException(
                            file, 8, "tensor '" + name + "' shape must be an array of integers, got " + kind(shv));
                int[] shape = new int[sh.size()];
                for (int i = 0; i < shape.length; i++) {
                    long d = nonNegativeInteger(sh.get(i), file, "tensor '" + name + "' dimension " + i);
                    if (d > Integer.MAX_VALUE)
                        throw new SafetensorsException(
                                file, 8, "tensor '" + name + "' dimension " + i + " = " + d + " is larger than 2^31-1");
                    shape[i] = (int) d;
                }
                long numel;
                try {
                    numel = Shape.numel(shape); // overflow-checked, 0 when a dimension is 0
                } catch (IllegalArgumentException tooMany) {
                    throw new SafetensorsException(
                            file,
                            8,
                            "tensor '" + name + "' of shape " + Shape.str(shape) + " has more than 2^31-1 elements");
                }
                if (!(offv instanceof List<?> off) || off.size() != 2)
                    throw new SafetensorsException(
                            file, 8, "tensor '" + name + "' data_offsets must be [begin, end], got " + kind(offv));
                long begin = nonNegativeInteger(off.get(0), file, "tensor '" + name + "' data_offsets[0]");
                long end = nonNegativeInteger(off.get(1), file, "tensor '" + name + "' data_offsets[1]");
                if (end < begin || end > dataSize)
                    throw new SafetensorsException(
                            file,
                            dataStart + Math.min(begin, dataSize),
                            "tensor '" + name + "' data_offsets [" + begin + ", " + end
                                    + "] fall outside the data section of " + dataSize + " bytes");
                long bytes = numel * dt.byteSize();
                if (bytes != end - begin)
                    throw new SafetensorsException(
                            file,
                            dataStart + begin,
                            "tensor '" + name + "' of dtype " + dt + " and shape " + Shape.str(shape) + " needs "
                                    + bytes + " bytes but its byte range holds " + (end - begin));
                entries.add(new Entry(name, dt, shape, (int) numel, begin, end));
            }
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort((a, b) ->
                    a.begin() != b.begin() ? Long.compare(a.begin(), b.begin()) : Long.compare(a.end(), b.end()));
            long expected = 0;
            String previous = null;
            for (Entry e : byOffset) {
                if (e.begin() < expected)
                    throw new SafetensorsException(
                            file, dataStart + e.begin(), "tensors '" + previous + "' and '" + e.name() + "' overlap");
                if (e.begin() > expected)
                    throw new SafetensorsException(
                            file,
                            dataStart + expected,
                            "a gap of " + (e.begin() - expected) + " bytes before tensor '" + e.name()
                                    + "' (the tensors must lie end to end from the start of the data section)");
                expected = e.end();
                previous = e.name();
            }
            if (expected != dataSize)
                throw new SafetensorsException(
                        file,
                        dataStart + expected,
                        (dataSize - expected) + " bytes after the last tensor are not covered by any tensor");
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries)
                tensors.put(e.name(), decode(ch, dataStart + e.begin(), e.dtype(), e.numel(), e.shape(), file));
            return new Contents(tensors, metadata);
        }
    }

    private static long nonNegativeInteger(Object v, Path file, String what) {
        if (!(v instanceof Long l) || l < 0)
            throw new SafetensorsException(file, 8, what + " must be a non-negative integer, got " + kind(v));
        return l;
    }

    private static String kind(Object v) {
        return Json.describe(v);
    }

    private static ByteBuffer readFully(FileChannel ch, long at, long n, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n));
        while (b.hasRemaining()) {
            int r = ch.read(b, at + b.position());
            if (r < 0)
                throw new SafetensorsException(
                        file, at + b.position(), "file ended while reading (it shrank while being read?)");
        }
        return b.flip();
    }

    /** Reads one tensor in chunks of at most 64 MiB straight into its array (so tensors over 2 GiB of bytes load too). */
    private static Tensor decode(FileChannel ch, long at, DType dt, int n, int[] shape, Path file) throws IOException {
        int size = dt.byteSize(), per = (64 << 20) / size;
        Object data = switch (dt) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT64 -> new long[n];
            case BOOL -> new boolean[n];
        };
        for (int i = 0; i < n; i += per) {
            int m = Math.min(per, n - i);
            ByteBuffer b =
                    readFully(ch, at + (long) i * size, (long) m * size, file).order(ByteOrder.LITTLE_ENDIAN);
            switch (dt) {
                case FLOAT32 -> b.asFloatBuffer().get((float[]) data, i, m);
                case FLOAT64 -> b.asDoubleBuffer().get((double[]) data, i, m);
                case INT64 -> b.asLongBuffer().get((long[]) data, i, m);
                case BOOL -> {
                    boolean[] d = (boolean[]) data;
                    for (int k = 0; k < m; k++) {
                        byte v = b.get(k);
                        if (v != 0 && v != 1)
                            throw new SafetensorsException(
                                    file, at + i + k, "BOOL value " + (v & 0xff) + " is neither 0 nor 1");
                        d[i + k] = v == 1;
                    }
                }
            }
        }
        Tensor flat = switch (dt) { // of(...) is 1-d; reshape also covers 0-d tensors
            case FLOAT32 -> Tensor.fromArray((float[]) data, n);
            case FLOAT64 -> Tensor.of((double[]) data);
            case INT64 -> Tensor.of((long[]) data);
            case BOOL -> Tensor.of((boolean[]) data);
        };
        return flat.reshape(shape);
    }
}
