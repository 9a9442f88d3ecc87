package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader follows the format's own validation rules (issue 9, part 3); each case failed before. */
class SafetensorsValidationTest {

    private static void refused(Path dir, String header, int dataBytes, String expected) throws Exception {
        Path f = SafetensorsTest.raw(dir, header, dataBytes);
        var e = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.read(f), header);
        assertTrue(e.getMessage().startsWith(f + ": byte "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), header + " -> " + e.getMessage());
    }

    @Test
    void malformedShapesAndOffsetsAreRefusedNotCoerced(@TempDir Path dir) throws Exception {
        String t = "{\"a\":{\"dtype\":\"F32\",\"shape\":%s,\"data_offsets\":%s}}";
        refused(dir, String.format(t, "{\"x\":1}", "[0,4]"), 4, "shape must be an array of integers");
        refused(dir, String.format(t, "[1]", "{\"b\":0}"), 4, "data_offsets must be [begin, end]");
        refused(
                dir,
                String.format(t, "[\"4\"]", "[0,16]"),
                16,
                "dimension 0 must be a non-negative integer, got \"4\"");
        refused(dir, String.format(t, "[2.9]", "[0,8]"), 8, "dimension 0 must be a non-negative integer, got 2.9");
        refused(dir, String.format(t, "[true]", "[0,4]"), 4, "dimension 0 must be a non-negative integer, got true");
        refused(dir, String.format(t, "[-1]", "[0,4]"), 4, "must be a non-negative integer");
        refused(dir, String.format(t, "[1]", "[0,\"4\"]"), 4, "data_offsets[1] must be a non-negative integer");
        refused(dir, String.format(t, "[1]", "[0,4.0]"), 4, "data_offsets[1] must be a non-negative integer");
        refused(dir, "{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "dtype must be a string");
    }

    @Test
    void overflowingShapeProductsAreRefused(@TempDir Path dir) throws Exception {
        // 2^16 four times is 2^64: a long product wraps to 0, which matched a zero-byte range before
        refused(
                dir,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,0]}}",
                0,
                "has more than 2^31-1 elements");
        refused(
                dir,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,0]}}",
                0,
                "larger than 2^31-1");
        assertThrows(IllegalArgumentException.class, () -> Shape.numel(new int[] {65536, 65536, 65536, 65536}));
        assertEquals(0, Shape.numel(new int[] {65536, 65536, 65536, 0}));
    }

    @Test
    void theDataSectionMustBeCoveredExactly(@TempDir Path dir) throws Exception {
        String one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        refused(dir, one, 8, "4 bytes after the last tensor are not covered by any tensor");
        refused(
                dir,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                8,
                "a gap of 4 bytes before tensor 'a'");
        refused(
                dir,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                12,
                "a gap of 4 bytes before tensor 'b'");
    }

    @Test
    void theHeaderIsOneJsonObjectPaddedOnlyWithSpaces(@TempDir Path dir) throws Exception {
        String one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        refused(dir, one + "garbage", 4, "header is not one valid JSON object");
        refused(dir, one + "{}", 4, "header is not one valid JSON object");
        refused(dir, " " + one, 4, "header must start with '{'");
        refused(
                dir,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                4,
                "Duplicate field 'a'");
        refused(
                dir,
                "{\"__metadata__\":{\"k\":1}," + one.substring(1),
                4,
                "__metadata__ value of 'k' must be a string");
        refused(dir, "{\"__metadata__\":[1]," + one.substring(1), 4, "__metadata__ must be an object of strings");
        Path ok = SafetensorsTest.raw(dir, one + "    ", 4); // spaces after the object pad the header: allowed
        assertArrayEquals(new int[] {1}, Safetensors.read(ok).tensors().get("a").shape());
    }

    @Test
    void boolValuesOtherThanZeroAndOneAreRefused(@TempDir Path dir) throws Exception {
        Path f = SafetensorsTest.raw(dir, "{\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 1] = 7;
        Files.write(f, bytes);
        var e = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("BOOL value 7 is neither 0 nor 1"), e.getMessage());
    }

    @Test
    void writtenFilesStillRoundTrip(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ok.safetensors");
        Safetensors.save(
                f,
                Map.of(
                        "w",
                        Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
                        "s",
                        Tensor.scalar(2.5),
                        "e",
                        Tensor.zeros(0, 3)),
                Map.of("k", "v"));
        var c = Safetensors.read(f);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.tensors().get("w").toFloatArray());
        assertArrayEquals(new int[] {0, 3}, c.tensors().get("e").shape());
        assertEquals("v", c.metadata().get("k"));
    }
}
