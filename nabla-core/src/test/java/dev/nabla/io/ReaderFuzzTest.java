package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.data.Csv;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Idx;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MSELoss;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.testing.Fuzz;
import dev.nabla.train.Checkpoint;
import dev.nabla.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of every file reader (issue 9, part 4): a few thousand inputs each in the normal suite;
 * scripts/fuzz runs the same tests with NABLA_FUZZ_ITERATIONS=100000. Only FileFormatException, naming the file,
 * and memory within a small multiple of the input size.
 */
class ReaderFuzzTest {
    private static final int N = Fuzz.iterations(3000);

    private static byte[] idx(int magic, int[] dims, int dataBytes) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        for (int x : dims) d.writeInt(x);
        for (int i = 0; i < dataBytes; i++) d.write(i * 37);
        return b.toByteArray();
    }

    private static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(raw);
        }
        return b.toByteArray();
    }

    @Test
    void idx(@TempDir Path dir) throws Exception {
        byte[] images = idx(0x803, new int[] {3, 5, 4}, 60), labels = idx(0x801, new int[] {7}, 7);
        Fuzz.run(
                "idx",
                new byte[][] {images, labels, gzip(images), gzip(labels)},
                N,
                1,
                dir,
                "data-idx-ubyte",
                n -> 64 * n + (4 << 20),
                f -> {
                    Idx.IdxData d = Idx.read(f);
                    if (d.shape().length == 3) Idx.images(f);
                    if (d.shape().length == 1) Idx.labels(f);
                });
    }

    @Test
    void idxHeaderClaimingBillionsOfBytesCostsLittleMemory(@TempDir Path dir) throws Exception {
        // the 16-byte header of issue 9: 2,739,000 images of 28x28 and nothing else, raw and gzipped
        byte[] header = idx(0x803, new int[] {2_739_000, 28, 28}, 0);
        for (byte[] input :
                new byte[][] {header, gzip(header), gzip(idx(0x803, new int[] {2_739_000, 28, 28}, 5000))}) {
            Path f = dir.resolve(input.length > 16 ? "claim.gz" : "claim");
            Files.write(f, input);
            var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
            var e = assertThrows(Idx.IdxException.class, () -> Idx.images(f));
            long allocated =
                    threads.getThreadAllocatedBytes(Thread.currentThread().threadId()) - before;
            assertTrue(e.getMessage().startsWith(f + ": byte "), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertTrue(allocated < 8 << 20, "allocated " + allocated + " bytes for a " + input.length + "-byte file");
        }
        Path over = dir.resolve("overflow");
        Files.write(over, idx(0x804, new int[] {65536, 65536, 65536, 65536}, 0));
        var e = assertThrows(Idx.IdxException.class, () -> Idx.read(over));
        assertTrue(e.getMessage().contains("describe more than"), e.getMessage());
        Path trunc = dir.resolve("trunc.gz");
        byte[] gz = gzip(idx(0x803, new int[] {3, 5, 4}, 60));
        Files.write(trunc, java.util.Arrays.copyOf(gz, gz.length - 12));
        var t = assertThrows(Idx.IdxException.class, () -> Idx.read(trunc));
        assertTrue(t.getMessage().startsWith(trunc + ": byte "), t.getMessage());
        assertFalse(t.getMessage().contains("byte -"), "no negative offsets: " + t.getMessage());
    }

    @Test
    void csv(@TempDir Path dir) throws Exception {
        byte[] a = "x1,label,x2\n1.5,0,2\n-1,2,3e2\n0.25,1,-7\n".getBytes(StandardCharsets.UTF_8);
        byte[] b = "height,weight,label\n1.80,75.5,1\n1.65,60,0\n\n1.72,68.25,1\r\n".getBytes(StandardCharsets.UTF_8);
        Fuzz.run(
                "csv",
                new byte[][] {a, b},
                N,
                2,
                dir,
                "data.csv",
                n -> 64 * n + (1 << 20),
                f -> Csv.read(f, true, "label", true));
        Fuzz.run(
                "csv-no-header",
                new byte[][] {"1,2,3\n4,5,6\n".getBytes(StandardCharsets.UTF_8)},
                N / 3,
                3,
                dir,
                "plain.csv",
                n -> 64 * n + (1 << 20),
                f -> Csv.read(f, false, "2", false));
    }

    @Test
    void csvEdgesFromIssue9(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("e.csv");
        Object[][] cases = {
            {"1,2\n3,4\n", false, "5", "label column 5 is beyond the 2 columns"},
            {"a,label\n1,Infinity\n", true, "label", "not a finite decimal number: 'Infinity'"},
            {"a,label\n1,1e19\n", true, "label", "class label must be an integer in the int range, got 1e19"},
            {"a,label\n NaN,1\n", true, "label", "line 2, column 1: not a finite decimal number: 'NaN'"},
            {"a,label\n1e39,1\n", true, "label", "value 1e39 overflows float32"},
            {"a,label\n1f,1\n", true, "label", "not a finite decimal number: '1f'"},
            {"", true, "label", "the file is empty"},
            {"a,label\n", true, "label", "no data rows"},
        };
        for (Object[] c : cases) {
            Files.writeString(f, (String) c[0]);
            var e = assertThrows(
                    Csv.CsvException.class, () -> Csv.read(f, (Boolean) c[1], (String) c[2], true), (String) c[0]);
            assertTrue(e.getMessage().startsWith(f + ": line "), e.getMessage());
            assertTrue(e.getMessage().contains((String) c[3]), c[0] + " -> " + e.getMessage());
        }
        Files.write(f, new byte[] {'a', ',', 'l', '\n', '1', ',', '2', '\n', '3', (byte) 0xC3, ',', '4', '\n'});
        var e = assertThrows(Csv.CsvException.class, () -> Csv.read(f, true, "l", true));
        assertTrue(e.getMessage().contains("line 3, column 1: not valid UTF-8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Csv.read(f, false, "-1", true));
    }

    @Test
    void safetensors(@TempDir Path dir) throws Exception {
        Path seed = dir.resolve("seed.safetensors");
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("d", Tensor.of(new double[] {0.5, -1}));
        t.put("i", Tensor.of(new long[] {3, 1, 2}));
        t.put("b", Tensor.of(new boolean[] {true, false}));
        Safetensors.save(seed, t, Map.of("format", "pt"));
        Fuzz.run(
                "safetensors",
                new byte[][] {Files.readAllBytes(seed)},
                N,
                4,
                dir,
                "fuzz.safetensors",
                n -> 64 * n + (1 << 20),
                Safetensors::read);
    }

    private static Trainer trainer() {
        Generator g = new Generator(1);
        Sequential m = new Sequential(
                new Linear(2, 3, true, g, DType.FLOAT32), new ReLU(), new Linear(3, 1, true, g, DType.FLOAT32));
        return new Trainer(m, new Adam(m.parameters(), 1e-2), new MSELoss()).output(null);
    }

    @Test
    void checkpointFilesAndMetadata(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("seed.safetensors");
        TensorDataset d = new TensorDataset(
                Tensor.of(new float[] {0, 1, 1, 0, 1, 1, 0, 0}, 4, 2), Tensor.of(new float[] {1, 1, 0, 0}, 4, 1));
        trainer().callbacks(new Checkpoint(ckpt)).fit(new DataLoader(d, 2, true, false, 0), null, 2);
        byte[] file = Files.readAllBytes(ckpt);
        Fuzz.run(
                "checkpoint-bytes",
                new byte[][] {file},
                N,
                5,
                dir,
                "fuzz.safetensors",
                n -> 64 * n + (4 << 20),
                f -> Checkpoint.resume(f, trainer()));
        // metadata fuzzing: the file stays a valid safetensors file, only the checkpoint's metadata values are mutated
        Safetensors.Contents c = Safetensors.read(ckpt);
        java.util.SplittableRandom r = new java.util.SplittableRandom(6);
        java.util.List<String> keys = new java.util.ArrayList<>(c.metadata().keySet());
        int metaRuns = Math.max(1, N / 3);
        byte[][] inputs = new byte[metaRuns][];
        for (int i = 0; i < metaRuns; i++) {
            Map<String, String> meta = new LinkedHashMap<>(c.metadata());
            String key = keys.get(r.nextInt(keys.size()));
            byte[] mutated = mutateText(meta.get(key).getBytes(StandardCharsets.UTF_8), r);
            meta.put(key, new String(mutated, StandardCharsets.UTF_8));
            inputs[i] = Safetensors.toBytes(c.tensors(), meta);
        }
        Fuzz.Result res = Fuzz.run(
                "checkpoint-metadata",
                inputs,
                metaRuns,
                7,
                dir,
                "meta.safetensors",
                n -> 64 * n + (4 << 20),
                f -> Checkpoint.resume(f, trainer()));
        assertTrue(res.rejected() > res.inputs() / 2, "most mutated metadata is refused: " + res);
    }

    private static byte[] mutateText(byte[] s, java.util.SplittableRandom r) {
        String[] tokens = {
            "2147483647",
            "-1",
            "abc",
            "{}",
            "[]",
            "null",
            "NaN",
            "1e999",
            "\"",
            ",",
            ":",
            "0",
            "99999999999999999999",
            "true"
        };
        String text = new String(s, StandardCharsets.UTF_8);
        int at = text.isEmpty() ? 0 : r.nextInt(text.length());
        int len = text.isEmpty() ? 0 : r.nextInt(Math.min(8, text.length() - at) + 1);
        return (text.substring(0, at) + tokens[r.nextInt(tokens.length)] + text.substring(at + len))
                .getBytes(StandardCharsets.UTF_8);
    }
}
