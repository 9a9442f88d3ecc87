package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs are written all or none, and unwritable targets are found before any work (issue 9, part 2). */
class AtomicFilesTest {
    @Test
    void writeAllReplacesNothingWhenOneFileCannotBeWritten(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "old a");
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file where a folder should be");
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(a, "new a".getBytes());
        files.put(blocker.resolve("b.txt"), "new b".getBytes());
        assertThrows(IOException.class, () -> AtomicFiles.writeAll(files));
        assertEquals(
                "old a",
                Files.readString(a),
                "the first file was not replaced because the second could not be written");
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary file is left behind");
        }
        files.remove(blocker.resolve("b.txt"));
        files.put(dir.resolve("sub/b.txt"), "new b".getBytes());
        AtomicFiles.writeAll(files);
        assertEquals("new a", Files.readString(a));
        assertEquals("new b", Files.readString(dir.resolve("sub/b.txt")));
    }

    @Test
    void checkWritableFindsFoldersFilesInTheWayAndLeavesNoTrace(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("w.safetensors"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.checkWritable(folder, "--out"));
        assertTrue(e.getMessage().startsWith("--out: " + folder + " is a folder"), e.getMessage());
        Path file = Files.writeString(dir.resolve("f"), "x");
        IOException e2 = assertThrows(
                IOException.class, () -> AtomicFiles.checkWritable(file.resolve("x/y.safetensors"), "--out"));
        assertTrue(e2.getMessage().contains(file + " is a file"), e2.getMessage());
        AtomicFiles.checkWritable(dir.resolve("new/deeper/w.safetensors"), "--out");
        assertFalse(Files.exists(dir.resolve("new")), "the check creates nothing that stays");
    }
}
