package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {

    private static byte[] idx(int magic, int[] dims, byte[] data) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        for (int x : dims) d.writeInt(x);
        d.write(data);
        return b.toByteArray();
    }

    @Test
    void idxReadsRawAndGzippedFiles(@TempDir Path dir) throws Exception {
        byte[] img =
                idx(0x803, new int[] {2, 2, 3}, new byte[] {0, (byte) 255, 51, 0, 0, 0, 1, 2, 3, 4, 5, (byte) 200});
        Path raw = dir.resolve("images");
        Files.write(raw, img);
        Tensor t = Idx.images(raw);
        assertArrayEquals(new int[] {2, 1, 2, 3}, t.shape());
        assertEquals(1.0, t.get(0, 0, 0, 1), 1e-6);
        assertEquals(0.2, t.get(0, 0, 0, 2), 1e-6);
        // normalised while read: exactly the values of the separate subtraction and division
        assertArrayEquals(
                t.sub(0.2860).div(0.3530).toFloatArray(),
                Idx.images(raw, 0.2860f, 0.3530f).toFloatArray());
        Path gz = dir.resolve("labels.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(idx(0x801, new int[] {3}, new byte[] {9, 0, 4}));
        }
        assertArrayEquals(new long[] {9, 0, 4}, Idx.labels(gz).toLongArray());
    }

    @Test
    void corruptIdxFilesNameTheFileAndByteOffset(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad");
        Files.write(bad, idx(0x1234803, new int[] {1}, new byte[] {1}));
        var e1 = assertThrows(Idx.IdxException.class, () -> Idx.read(bad));
        assertTrue(e1.getMessage().startsWith(bad + ": byte 0: bad magic number 0x01234803"), e1.getMessage());
        Path truncated = dir.resolve("truncated");
        Files.write(truncated, idx(0x803, new int[] {2, 2, 2}, new byte[] {1, 2, 3}));
        var e2 = assertThrows(Idx.IdxException.class, () -> Idx.read(truncated));
        assertTrue(
                e2.getMessage()
                        .contains(": byte 19: file is truncated: expected 8 data bytes for shape [2, 2, 2], got 3"),
                e2.getMessage());
        Path shortDims = dir.resolve("short");
        Files.write(shortDims, new byte[] {0, 0, 8, 3, 0, 0});
        var e3 = assertThrows(Idx.IdxException.class, () -> Idx.read(shortDims));
        assertTrue(e3.getMessage().contains("byte 4: file ends inside the dimensions"), e3.getMessage());
    }

    @Test
    void csvReadsFeaturesAndLabelsAndReportsBadCells(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, "a,label,b\n1.5,0,2\n-1,2,3e2\n");
        TensorDataset d = Csv.read(f, true, "label", true);
        assertArrayEquals(new float[] {1.5f, 2, -1, 300}, d.inputs().toFloatArray());
        assertArrayEquals(new long[] {0, 2}, d.targets().toLongArray());
        Files.writeString(f, "a,label,b\n1.5,0,2\n-1,2,x\n");
        var e = assertThrows(Csv.CsvException.class, () -> Csv.read(f, true, "label", true));
        assertTrue(e.getMessage().endsWith("line 3, column 3: not a finite decimal number: 'x'"), e.getMessage());
        Files.writeString(f, "1,2\n3\n");
        var e2 = assertThrows(Csv.CsvException.class, () -> Csv.read(f, false, "0", false));
        assertTrue(
                e2.getMessage().contains("line 2") && e2.getMessage().contains("expected 2 columns, got 1"),
                e2.getMessage());
    }

    @Test
    void csvAsExcelAndRWriteIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("excel.csv");
        // a UTF-8 byte-order mark, quoted header names, a quoted cell with the delimiter inside a text column is not
        // numeric, so here: quoted numbers, CRLF line ends and a blank line
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "\"x1\",\"x2\",\"y\"\r\n\"1.5\",2,0\r\n\r\n3,\"4\",1\r\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        Files.write(f, all);
        TensorDataset d = Csv.read(f, true, "y", true);
        assertArrayEquals(new float[] {1.5f, 2, 3, 4}, d.inputs().toFloatArray());
        assertArrayEquals(new long[] {0, 1}, d.targets().toLongArray());
        // R's write.csv2 style: ';' delimiter and NA for missing values
        Files.writeString(f, "\"a\";\"b\";\"y\"\n1;NA;0.5\n2;3;1.5\n");
        var opt = Csv.Options.defaults().delimiter(';').missingValues("NA", "");
        var e = assertThrows(Csv.CsvException.class, () -> Csv.read(f, "y", false, opt));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "line 2, column 2: missing value 'NA'; Csv.Options.skipRowsWithMissing() or fillMissing(v) accept such rows"),
                e.getMessage());
        TensorDataset skipped = Csv.read(f, "y", false, opt.skipRowsWithMissing());
        assertArrayEquals(new float[] {2, 3}, skipped.inputs().toFloatArray());
        assertArrayEquals(new float[] {1.5f}, skipped.targets().toFloatArray());
        TensorDataset filled = Csv.read(f, "y", false, opt.fillMissing(-1f));
        assertArrayEquals(new float[] {1, -1, 2, 3}, filled.inputs().toFloatArray());
        assertThrows(
                IllegalArgumentException.class, () -> Csv.Options.defaults().delimiter('"'));
    }

    @Test
    void dataLoaderShufflesReproduciblyPerEpochAndBatches() {
        TensorDataset d = new TensorDataset(Tensor.arange(0, 10, 1).reshape(10, 1), Tensor.arange(10));
        DataLoader a = new DataLoader(d, 4, true, false, 7), b = new DataLoader(d, 4, true, false, 7);
        assertArrayEquals(a.order(), b.order(), "same seed, same order");
        int[] first = a.order();
        a.setEpoch(1);
        assertFalse(java.util.Arrays.equals(first, a.order()), "each epoch reshuffles");
        List<Integer> sizes = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (Dataset.Batch batch : a) {
            sizes.add(batch.size());
            for (long v : batch.targets().toLongArray()) seen.add(v);
            assertArrayEquals(
                    batch.targets().toFloatArray(),
                    batch.inputs().reshape(-1).toFloatArray(),
                    "inputs and targets stay paired");
        }
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(10, seen.stream().distinct().count());
        assertEquals(2, new DataLoader(d, 4, false, true, 0).size(), "drop last");
    }

    @Test
    void randomSplitIsDisjointAndComplete() {
        TensorDataset d = new TensorDataset(Tensor.zeros(10, 1), Tensor.arange(10));
        Subset[] parts = DataLoader.randomSplit(d, new int[] {7, 3}, 1);
        List<Long> all = new ArrayList<>();
        for (Subset s : parts)
            for (int i = 0; i < s.size(); i++) all.add((long) s.get(i).target().item());
        assertEquals(10, all.stream().distinct().count());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.randomSplit(d, new int[] {5, 4}, 1));
    }

    @Test
    void syntheticXorLabelsFollowTheQuadrants() {
        TensorDataset d = Synthetic.xor(1000, new dev.nabla.Generator(3));
        float[] x = d.inputs().toFloatArray(), y = d.targets().toFloatArray();
        for (int i = 0; i < 1000; i++) {
            assertTrue(Math.abs(x[2 * i]) <= 1 && Math.abs(x[2 * i + 1]) <= 1);
            assertEquals((x[2 * i] >= 0) != (x[2 * i + 1] >= 0) ? 1f : 0f, y[i]);
        }
    }

    @Test
    void fashionMnistFromTheDebianPackageHasTheExpectedShapesAndNormalisation() throws Exception {
        TensorDataset test = MnistDatasets.load(MnistDatasets.Variant.FASHION_MNIST, null, false);
        assertArrayEquals(new int[] {10000, 1, 28, 28}, test.inputs().shape());
        assertEquals(10000, test.targets().numel());
        TensorDataset raw = MnistDatasets.load(MnistDatasets.Variant.FASHION_MNIST, null, false, false);
        assertEquals(0.2860, raw.inputs().mean().item(), 0.002, "mean pixel of the test set");
        assertEquals(0.0, test.inputs().mean().item(), 0.01);
        assertEquals(9, (int) test.targets().max().item());
    }

    @Test
    void transformsApplyPerSample() {
        TensorDataset d = new TensorDataset(Tensor.arange(0, 12, 1).reshape(2, 1, 2, 3), Tensor.of(new long[] {0, 1}));
        Dataset t = Transforms.apply(
                d,
                Transforms.compose(
                        Transforms.normalize(1, 2), Transforms.randomHorizontalFlip(1.0, new dev.nabla.Generator(1))));
        // sample 0 is [[0,1,2],[3,4,5]]: normalised (x-1)/2, then mirrored
        assertArrayEquals(
                new float[] {0.5f, 0f, -0.5f, 2f, 1.5f, 1f}, t.get(0).input().toFloatArray());
        Dataset.Batch b = t.batch(new int[] {1, 0});
        assertArrayEquals(new int[] {2, 1, 2, 3}, b.inputs().shape());
        assertArrayEquals(new long[] {1, 0}, b.targets().toLongArray());
        Tensor shifted =
                Transforms.randomShift(1, 0, new dev.nabla.Generator(5)).apply(Tensor.ones(1, 4, 4));
        assertEquals(16, shifted.numel());
        assertTrue(
                shifted.sum().item() >= 9 && shifted.sum().item() <= 16, "at most one row and one column shifted out");
    }

    @Test
    void missingDataGivesInstructions(@TempDir Path dir) {
        var e = assertThrows(
                MnistDatasets.DataNotFoundException.class,
                () -> MnistDatasets.locate(MnistDatasets.Variant.MNIST, dir));
        assertTrue(e.getMessage().contains("does not hold the four IDX files"), e.getMessage());
    }
}
