package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @Test
    void roundTripsEveryDtypeAndMetadata(@TempDir Path dir) throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f", Tensor.of(new float[] {1.5f, -2, 3}, 3));
        m.put("d", Tensor.of(new double[] {1e-300, 2}, 2, 1));
        m.put("l", Tensor.of(new long[] {Long.MAX_VALUE, -1}));
        m.put("b", Tensor.of(new boolean[] {true, false}));
        m.put("empty", Tensor.zeros(0, 4));
        m.put("scalar", Tensor.scalar(7, dev.nabla.DType.INT64));
        m.put("t", Tensor.arange(0, 6, 1).reshape(2, 3).t());
        Path f = dir.resolve("x.safetensors");
        Safetensors.save(f, m, Map.of("epoch", "3"));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals("3", c.metadata().get("epoch"));
        assertArrayEquals(m.get("f").toFloatArray(), c.tensors().get("f").toFloatArray());
        assertArrayEquals(m.get("d").toDoubleArray(), c.tensors().get("d").toDoubleArray());
        assertArrayEquals(new int[] {2, 1}, c.tensors().get("d").shape());
        assertArrayEquals(m.get("l").toLongArray(), c.tensors().get("l").toLongArray());
        assertArrayEquals(m.get("b").toBooleanArray(), c.tensors().get("b").toBooleanArray());
        assertArrayEquals(new int[] {0, 4}, c.tensors().get("empty").shape());
        assertArrayEquals(new int[0], c.tensors().get("scalar").shape());
        assertEquals(7.0, c.tensors().get("scalar").item());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, c.tensors().get("t").toFloatArray());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertEquals(0, headerLength % 8, "data section aligned on 8 bytes");
    }

    /** A file of the given header text (length prefix added) and that many zero data bytes (shared with SafetensorsValidationTest). */
    static Path raw(Path dir, String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void corruptFilesGetErrorsNamingTheTensorAndOffset(@TempDir Path dir) throws Exception {
        var e1 = assertThrows(
                Safetensors.SafetensorsException.class,
                () -> Safetensors.load(
                        raw(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4)));
        assertTrue(
                e1.getMessage().contains("tensor 'a' data_offsets [0, 8] fall outside the data section of 4 bytes"),
                e1.getMessage());
        var e2 = assertThrows(
                Safetensors.SafetensorsException.class,
                () -> Safetensors.load(
                        raw(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)));
        assertTrue(
                e2.getMessage()
                        .contains(
                                "tensor 'a' of dtype float32 and shape [3] needs 12 bytes but its byte range holds 8"),
                e2.getMessage());
        var e3 = assertThrows(
                Safetensors.SafetensorsException.class,
                () -> Safetensors.load(raw(
                        dir,
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        8)));
        assertTrue(e3.getMessage().contains("tensors 'a' and 'b' overlap"), e3.getMessage());
        var e4 = assertThrows(
                Safetensors.SafetensorsException.class,
                () -> Safetensors.load(
                        raw(dir, "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)));
        assertTrue(e4.getMessage().contains("unsupported dtype F16"), e4.getMessage());
        var e5 = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.load(raw(dir, "{not json", 0)));
        assertTrue(e5.getMessage().contains("byte 9: header is not one valid JSON object"), e5.getMessage());
        Path f = dir.resolve("short.safetensors");
        Files.write(
                f,
                ByteBuffer.allocate(12)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(1L << 40)
                        .array());
        var e6 = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.load(f));
        assertTrue(e6.getMessage().contains("byte 0: header length 1099511627776 is out of bounds"), e6.getMessage());
        assertTrue(e6.getMessage().startsWith(f.toString()), e6.getMessage());
    }
}
