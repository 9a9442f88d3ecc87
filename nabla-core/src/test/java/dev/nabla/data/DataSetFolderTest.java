package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data-set folder counts only when it holds the files, and a failed download leaves nothing behind (issue 9, part 1). */
class DataSetFolderTest {
    private static final String[] NO_CHECKSUMS = {"sha256:0", "sha256:0", "sha256:0", "sha256:0"};

    @Test
    void emptyOrPartialFoldersDoNotCountAsFound(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertFalse(MnistDatasets.complete(empty), "an empty folder (left by a failed run) is not a data set");
        Path partial = Files.createDirectories(dir.resolve("partial"));
        for (String f : MnistDatasets.FILES)
            Files.createFile(partial.resolve(f + ".gz")); // zero-length, as an interrupted copy leaves them
        assertFalse(MnistDatasets.complete(partial), "zero-length files do not count");
        for (String f : MnistDatasets.FILES) Files.write(partial.resolve(f + ".gz"), new byte[] {1});
        assertTrue(MnistDatasets.complete(partial));
    }

    @Test
    void aFailedDownloadLeavesNoFolderBehind(@TempDir Path dir) {
        Path target = dir.resolve("share/nabla/datasets/fashion-mnist");
        // port 1 on loopback refuses the connection at once: the download fails after the staging folder exists
        Exception e = assertThrows(
                IOException.class, () -> MnistDatasets.download("https://127.0.0.1:1/", NO_CHECKSUMS, target));
        assertNotNull(e);
        assertFalse(Files.exists(dir.resolve("share")), "the folders the download created are removed again");
    }

    @Test
    void stagingFoldersOfAKilledDownloadAreRemoved(@TempDir Path dir) throws IOException {
        Path stale = Files.createDirectories(dir.resolve(".fashion-mnist-download-123"));
        Files.write(stale.resolve("train-images-idx3-ubyte.gz"), new byte[] {1, 2, 3});
        assertThrows(
                IOException.class,
                () -> MnistDatasets.download("https://127.0.0.1:1/", NO_CHECKSUMS, dir.resolve("fashion-mnist")));
        assertFalse(Files.exists(stale));
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void downloadsOnlyOverHttps(@TempDir Path dir) {
        Path target = dir.resolve("fashion-mnist");
        IOException e = assertThrows(
                IOException.class, () -> MnistDatasets.download("http://example.org/", NO_CHECKSUMS, target));
        assertTrue(e.getMessage().contains("HTTPS"), e.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void everyVariantDownloadsOverHttps() {
        for (MnistDatasets.Variant v : MnistDatasets.Variant.values())
            assertTrue(v.baseUrl.startsWith("https://"), v + ": " + v.baseUrl);
    }
}
