package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.io.FileFormatException;
import dev.nabla.testing.Fuzz;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `nabla train` never destroys good weights, and `predict` reads images safely (issue 9, parts 2 to 4). */
class CliSafetyTest {

    @Test
    void badArgumentsAreRefusedBeforeTrainingAndTheGoodFileStays(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.safetensors");
        byte[] before = "pretend these are good weights".getBytes();
        Files.write(good, before);
        String[][] bad = {
            {"--lr", "NaN"}, {"--lr", "Infinity"}, {"--lr", "-1"}, {"--weight-decay", "-1"}, {"--weight-decay", "NaN"},
            {"--epochs", "0"}, {"--batch-size", "0"}, {"--limit", "0"}, {"--limit", "-5"}, {"--on-non-finite", "maybe"},
        };
        for (String[] b : bad) {
            long t0 = System.nanoTime();
            CliTest.Out r =
                    CliTest.run("train", "--model", "mlp", b[0], b[1], "--out", good.toString(), "--no-progress");
            assertEquals(1, r.code(), String.join(" ", b) + ": " + r.out());
            assertTrue(r.err().contains("nabla: error: " + b[0]), String.join(" ", b) + " -> " + r.err());
            assertTrue(System.nanoTime() - t0 < 5e9, "refused at once");
            assertArrayEquals(
                    before, Files.readAllBytes(good), "the good file is untouched after " + String.join(" ", b));
        }
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "nothing else was written");
        }
    }

    @Test
    void unwritableOutputsAreRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("folder.safetensors"));
        CliTest.Out r = CliTest.run("train", "--model", "mlp", "--out", folder.toString(), "--no-progress");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--out: " + folder + " is a folder"), r.err());
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        CliTest.Out r2 = CliTest.run(
                "train",
                "--model",
                "mlp",
                "--out",
                file.resolve("w.safetensors").toString(),
                "--no-progress");
        assertEquals(1, r2.code());
        assertTrue(r2.err().contains("--out: " + file + " is a file"), r2.err());
        CliTest.Out r3 = CliTest.run(
                "train",
                "--model",
                "mlp",
                "--checkpoint",
                folder.toString(),
                "--out",
                dir.resolve("w.safetensors").toString(),
                "--no-progress");
        assertTrue(r3.err().contains("--checkpoint: " + folder + " is a folder"), r3.err());
        assertFalse(Files.exists(dir.resolve("w.safetensors")));
    }

    @Test
    void aDivergingRunStopsWithTheLayerAndLeavesTheOldWeightsAndCheckpoint(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.safetensors"), ckpt = dir.resolve("ckpt.safetensors");
        CliTest.Out ok = CliTest.run(
                "train",
                "--model",
                "mlp",
                "--limit",
                "512",
                "--epochs",
                "1",
                "--out",
                good.toString(),
                "--checkpoint",
                ckpt.toString(),
                "--no-progress");
        assertEquals(0, ok.code(), ok.err());
        byte[] weights = Files.readAllBytes(good), checkpoint = Files.readAllBytes(ckpt);
        // lr 1e30: the first Adam step moves every weight by about 1e30, so the next forward pass overflows float32
        CliTest.Out bad = CliTest.run(
                "train",
                "--model",
                "mlp",
                "--limit",
                "512",
                "--epochs",
                "2",
                "--lr",
                "1e30",
                "--out",
                good.toString(),
                "--checkpoint",
                ckpt.toString(),
                "--no-progress");
        assertEquals(1, bad.code());
        assertTrue(
                bad.err()
                        .matches(
                                "(?s).*nabla: error: epoch 1, batch 1: the loss is (NaN|Infinity); first non-finite at classifier\\.\\d+ \\(Linear.*"),
                bad.err());
        assertArrayEquals(weights, Files.readAllBytes(good), "the good weights are untouched");
        assertArrayEquals(checkpoint, Files.readAllBytes(ckpt), "the last good checkpoint is untouched");
        CliTest.Out skip = CliTest.run(
                "train",
                "--model",
                "mlp",
                "--limit",
                "512",
                "--epochs",
                "1",
                "--lr",
                "1e30",
                "--on-non-finite",
                "skip",
                "--out",
                dir.resolve("skipped.safetensors").toString(),
                "--no-progress");
        assertEquals(0, skip.code(), skip.err());
        assertTrue(skip.out().contains("non-finite batches skipped"), skip.out());
        assertTrue(
                Files.readString(dir.resolve("skipped-history.csv"))
                        .lines()
                        .skip(1)
                        .allMatch(l -> !l.endsWith(",0")),
                "skipped batches are counted in the history");
    }

    /** A PNG of the given size (only the header is right for huge ones: the decoder must never be reached). */
    private static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 22);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = ByteBuffer.allocate(17)
                .put("IHDR".getBytes())
                .putInt(w)
                .putInt(h)
                .put((byte) 8)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .array();
        b.putInt(13).put(ihdr).putInt(crc(ihdr));
        byte[] idat = ByteBuffer.allocate(14)
                .put("IDAT".getBytes())
                .put(new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0, 0, 1, 0, 1, 0})
                .array();
        b.putInt(10).put(idat).putInt(crc(idat));
        byte[] iend = "IEND".getBytes();
        b.putInt(0).put(iend).putInt(crc(iend));
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    @Test
    void aPngDeclaringBillionsOfPixelsIsRefusedFromItsHeader(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("huge.png");
        Files.write(f, pngHeaderOnly(2147483640, 1));
        long t0 = System.nanoTime();
        var e = assertThrows(FileFormatException.class, () -> Images.read(f, false));
        assertTrue(System.nanoTime() - t0 < 2e9, "refused at once, not after 25 s");
        assertTrue(e.getMessage().startsWith(f + ": image header: declares 2147483640 x 1 pixels"), e.getMessage());
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
        var e2 = assertThrows(FileFormatException.class, () -> Images.read(text, false));
        assertTrue(e2.getMessage().startsWith(text.toString()), e2.getMessage());
    }

    @Test
    void pngFuzz(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, (x * y) % 256);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        // PNG's compression makes the decoded size independent of the file size: the bound is the pixel cap (4 bytes
        // per pixel, a few copies)
        Fuzz.run(
                "png",
                new byte[][] {png.toByteArray(), pngHeaderOnly(28, 28)},
                Fuzz.iterations(2000),
                8,
                dir,
                "image.png",
                n -> 64 * n + 16 * Images.MAX_PIXELS,
                f -> Images.read(f, false));
    }
}
