package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharCorpusTest {
    @Test
    void encodesDecodesAndBatchesWindowsWithShiftedTargets(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.txt"), b = dir.resolve("b.txt");
        Files.writeString(a, "hello ");
        Files.writeString(b, "world, été");
        CharCorpus c = CharCorpus.read(List.of(a, b));
        assertEquals(" ,dehlortwé", c.vocabulary());
        assertEquals("hello world, été", c.decode(c.encode(c.text())));
        assertEquals(16, c.length());
        Dataset.Batch batch = c.batch(new Generator(1), 3, 5, 0, c.length());
        assertArrayEquals(new int[] {3, 5}, batch.inputs().shape());
        long[] in = batch.inputs().toLongArray(), out = batch.targets().toLongArray();
        for (int r = 0; r < 3; r++) {
            String x = c.decode(java.util.Arrays.copyOfRange(in, r * 5, r * 5 + 5));
            String y = c.decode(java.util.Arrays.copyOfRange(out, r * 5, r * 5 + 5));
            int at = c.text().indexOf(x + y.charAt(4));
            assertTrue(at >= 0, x + " / " + y);
            assertEquals(c.text().substring(at + 1, at + 6), y);
        }
    }

    @Test
    void errorsNameTheCharacterAndThePlace() {
        CharCorpus c = CharCorpus.of("abc");
        var e = assertThrows(IllegalArgumentException.class, () -> c.encode("abz"));
        assertTrue(e.getMessage().contains("character 'z' (U+007A) at position 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.decode(new long[] {3}));
        assertThrows(IllegalArgumentException.class, () -> c.batch(new Generator(1), 1, 3, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> CharCorpus.of(""));
    }
}
