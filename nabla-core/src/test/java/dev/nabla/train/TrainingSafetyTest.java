package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.Safetensors;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MSELoss;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.SGD;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training never destroys good weights (issue 9, part 2): non-finite values, exact resume, crafted checkpoints, threads. */
class TrainingSafetyTest {
    private static Sequential mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(
                new Linear(2, 4, true, g, DType.FLOAT32), new ReLU(), new Linear(4, 1, true, g, DType.FLOAT32));
    }

    /** 4 batches of 2 samples; batch {@code nanBatch} (if >= 0) has a NaN input. */
    private static DataLoader data(int nanBatch) {
        float[] x = new float[16], y = new float[8];
        for (int i = 0; i < 16; i++) x[i] = (i % 5) * 0.25f - 0.5f;
        for (int i = 0; i < 8; i++) y[i] = i % 2;
        if (nanBatch >= 0) x[nanBatch * 4 + 1] = Float.NaN;
        return new DataLoader(new TensorDataset(Tensor.of(x, 8, 2), Tensor.of(y, 8, 1)), 2, false);
    }

    private static Map<String, float[]> weights(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertSameWeights(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
    }

    @Test
    void aNonFiniteLossStopsBeforeTheStepAndNamesEpochBatchAndPlace() {
        Sequential m = mlp(1);
        var seen = new AtomicReference<Map<String, float[]>>();
        Callback snapshot = new Callback() {
            @Override
            public void onBatchEnd(Trainer t, int epoch, int batch, double loss) {
                seen.set(weights(m));
            }
        };
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss())
                .output(null)
                .callbacks(snapshot);
        Trainer.NonFiniteException e = assertThrows(Trainer.NonFiniteException.class, () -> t.fit(data(2), null, 3));
        assertEquals(1, e.epoch());
        assertEquals(2, e.batch());
        assertEquals("the input batch", e.where());
        assertTrue(
                e.getMessage().startsWith("epoch 1, batch 2: the loss is NaN; first non-finite at the input batch"),
                e.getMessage());
        assertSameWeights(seen.get(), weights(m)); // the weights after batch 1: the bad batch changed nothing
    }

    @Test
    void theFirstLayerWhoseOutputOverflowsIsNamedByItsPath() {
        Sequential m = mlp(2);
        try (var g = GradMode.noGrad()) { // weights so large that the second Linear overflows float32
            m.namedParameters().get("0.weight").copy_(Tensor.full(1e30, 4, 2));
            m.namedParameters().get("2.weight").copy_(Tensor.full(1e30, 1, 4));
        }
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss()).output(null);
        Trainer.NonFiniteException e = assertThrows(Trainer.NonFiniteException.class, () -> t.fit(data(-1), null, 1));
        assertEquals("2 (Linear 4->1)", e.where(), e.getMessage());
        assertEquals(0, e.batch());
    }

    @Test
    void aNonFiniteGradientNamesTheModuleThatOwnsTheParameter() {
        Generator g = new Generator(3);
        Module sqrt = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x.sqrt(); // d sqrt(u)/du is infinite at u = 0: a finite loss with an infinite gradient
            }
        };
        Linear first = new Linear(2, 1, true, g, DType.FLOAT32);
        Sequential m = new Sequential(first, sqrt);
        try (var ng = GradMode.noGrad()) {
            first.parameter("weight").copy_(Tensor.zeros(1, 2));
            first.parameter("bias").copy_(Tensor.zeros(1));
        }
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss()).output(null);
        Trainer.NonFiniteException e = assertThrows(Trainer.NonFiniteException.class, () -> t.fit(data(-1), null, 1));
        assertTrue(
                e.getMessage().contains("the gradient of 0.bias is not finite")
                        || e.getMessage().contains("the gradient of 0.weight is not finite"),
                e.getMessage());
        assertEquals("0 (Linear 2->1)", e.where());
        assertArrayEquals(new float[] {0, 0}, first.parameter("weight").toFloatArray(), "no step was taken");
    }

    @Test
    void emptyDataAndNoEpochsAreRefused() {
        Sequential m = mlp(9);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss()).output(null);
        TensorDataset empty = new TensorDataset(Tensor.zeros(0, 2), Tensor.zeros(0, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(new DataLoader(empty, 2, false), null, 1));
        assertTrue(e.getMessage().contains("the training data set is empty"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> t.fit(data(-1), null, 0));
        assertTrue(e2.getMessage().contains("epochs must be at least 1"), e2.getMessage());
        var e3 = assertThrows(
                IllegalArgumentException.class,
                () -> t.fit(new DataLoader(data(-1).dataset(), 100, false, true, 0), null, 1));
        assertTrue(e3.getMessage().contains("no batch to train on"), e3.getMessage());
    }

    @Test
    void skippingLeavesBadBatchesOutAndCountsThem() {
        Sequential m = mlp(4);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss())
                .output(null)
                .onNonFinite(Trainer.NonFinitePolicy.SKIP_BATCH);
        History h = t.fit(data(1), null, 3);
        assertEquals(3, h.epochs().size());
        for (EpochStats s : h.epochs()) {
            assertEquals(1, s.skippedBatches());
            assertTrue(Double.isFinite(s.trainLoss()));
        }
        for (Tensor p : m.parameters()) assertTrue(p.allFinite());
        assertEquals(1, History.fromJson(h.toJson()).epochs().get(2).skippedBatches());
        // the same run on the data without the bad batch's samples... is not what we compare; what matters: finite,
        // counted, and
        // the three good batches per epoch trained (the weights moved)
        assertFalse(java.util.Arrays.equals(
                mlp(4).namedParameters().get("0.weight").toFloatArray(),
                m.namedParameters().get("0.weight").toFloatArray()));
    }

    /** Synthetic 28x28 images in 4 classes, enough for the reference CNN to draw dropout masks over several batches. */
    private static DataLoader images(long seed) {
        Generator g = new Generator(99);
        int n = 96;
        float[] x = new float[n * 28 * 28];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 4;
            for (int j = 0; j < 784; j++)
                x[i * 784 + j] = (float) (g.nextGaussian() * 0.5 + ((j / 28) / 7 == y[i] ? 1 : 0));
        }
        return new DataLoader(new TensorDataset(Tensor.of(x, n, 1, 28, 28), Tensor.of(y)), 32, true, false, seed);
    }

    private static Trainer cnnTrainer() {
        Generator.seed(7); // initial weights and dropout masks from the global generator, as FashionMnistTraining does
        var pad1 =
                Conv2d.Options.defaults().padding(1); // the reference CNN's layers (its class lives in nabla-examples)
        Sequential m = new Sequential(
                new Conv2d(1, 32, 3, pad1),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(32, 64, 3, pad1),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(3136, 128),
                new ReLU(),
                new Dropout(0.3),
                new Linear(128, 10));
        return new Trainer(m, new Adam(m.parameters(), 1e-3, 1e-4), new CrossEntropyLoss()).output(null);
    }

    @Test
    void aCnnResumedFromACheckpointEndsBitIdenticalToAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Trainer straight = cnnTrainer();
        straight.fit(images(5), null, 3);
        Map<String, float[]> expected = weights(straight.model());

        Path ckpt = dir.resolve("ckpt.safetensors");
        Trainer first = cnnTrainer().callbacks(new Checkpoint(ckpt));
        first.fit(images(5), null, 1); // "killed" after epoch 1
        Generator.seed(
                12345); // whatever happened in between does not matter: the checkpoint holds the generator states
        Trainer resumed = cnnTrainer();
        Checkpoint.resume(ckpt, resumed);
        assertEquals(1, resumed.epochsDone());
        resumed.fit(images(5), null, 3);
        assertSameWeights(expected, weights(resumed.model()));
        assertEquals(3, resumed.history().epochs().size());
        assertEquals(
                straight.history().last().trainLoss(), resumed.history().last().trainLoss());
    }

    @Test
    void aResumeWithAnotherDataLoaderIsRefused(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("ckpt.safetensors");
        Sequential m = mlp(5);
        new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss())
                .output(null)
                .callbacks(new Checkpoint(ckpt))
                .fit(data(-1), null, 1);
        Sequential m2 = mlp(5);
        Trainer t = new Trainer(m2, new SGD(m2.parameters(), 0.1), new MSELoss()).output(null);
        Checkpoint.resume(ckpt, t);
        DataLoader other = new DataLoader(data(-1).dataset(), 4, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(other, null, 2));
        assertTrue(e.getMessage().contains("batch_size=2") && e.getMessage().contains("batch_size=4"), e.getMessage());
    }

    /** Rewrites one metadata field of a valid checkpoint. */
    private static Path crafted(Path dir, String name, String key, String value) throws Exception {
        Path ckpt = dir.resolve("good.safetensors");
        if (!Files.exists(ckpt)) {
            Sequential m = mlp(6);
            new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss())
                    .output(null)
                    .callbacks(new Checkpoint(ckpt))
                    .fit(data(-1), null, 2);
        }
        Safetensors.Contents c = Safetensors.read(ckpt);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        if (value == null) meta.remove(key);
        else meta.put(key, value);
        Path out = dir.resolve(name + ".safetensors");
        Safetensors.save(out, c.tensors(), meta);
        return out;
    }

    @Test
    void craftedCheckpointsGiveClearErrorsAndChangeNothing(@TempDir Path dir) throws Exception {
        Object[][] cases = {
            {"max", "epoch", "2147483647", "metadata \"epoch\": 2147483647 is outside [0, 10000000]"},
            {"negative", "epoch", "-1", "metadata \"epoch\": -1 is outside"},
            {"abc", "epoch", "abc", "metadata \"epoch\": not an integer: 'abc'"},
            {"noepoch", "epoch", null, "metadata \"epoch\": missing"},
            {"mismatch", "epoch", "5", "metadata \"history\": holds 2 epochs but the checkpoint says 5"},
            {
                "emptyhistory",
                "history",
                "{}",
                "metadata \"history\": history: expected an object with an \"epochs\" array"
            },
            {"badjson", "history", "{\"epochs\": [", "metadata \"history\": history: not valid JSON"},
            {"badentry", "history", "{\"epochs\": [{\"epoch\": \"x\"}]}", "\"epoch\" must be a non-negative integer"},
            {"rng", "rng.global", "1,2,x", "metadata \"rng.global\": not a list of integers"},
            {"data", "data", "epoch=9", "metadata \"data\""},
        };
        for (Object[] c : cases) {
            Path f = crafted(dir, (String) c[0], (String) c[1], (String) c[2]);
            Sequential m = mlp(8);
            Map<String, float[]> before = weights(m);
            Trainer t = new Trainer(m, new SGD(m.parameters(), 0.1), new MSELoss()).output(null);
            FileFormatException e =
                    assertThrows(FileFormatException.class, () -> Checkpoint.resume(f, t), (String) c[0]);
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            assertTrue(e.getMessage().contains((String) c[3]), c[0] + ": " + e.getMessage());
            assertSameWeights(before, weights(m));
            assertEquals(0, t.epochsDone());
        }
    }

    @Test
    void staleTemporaryFilesOfAKilledWriteAreRemoved(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("ckpt.safetensors");
        Path stale =
                Files.createFile(dir.resolve(".ckpt.safetensors1234567890.tmp")); // as Files.createTempFile names them
        Path other = Files.createFile(dir.resolve(".other.safetensors42.tmp"));
        Safetensors.save(target, Map.of("w", Tensor.zeros(2)));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(other), "temporary files of other targets are left alone");
        try (var s = Files.list(dir)) {
            assertEquals(
                    List.of(".other.safetensors42.tmp", "ckpt.safetensors"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void changingTheThreadCountWhileAnotherThreadTrainsIsSafe() throws Exception {
        int before = Nabla.numThreads();
        var failure = new AtomicReference<Throwable>();
        Thread trainer = new Thread(() -> {
            try {
                Generator g = new Generator(1);
                Tensor a = Tensor.randn(g, 256, 256), b = Tensor.randn(g, 256, 256);
                for (int i = 0; i < 300; i++) a.matmul(b).relu().sum().item();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        trainer.start();
        try {
            for (int i = 0; trainer.isAlive() && i < 2000; i++) {
                Nabla.setNumThreads(1 + i % 3);
                Thread.sleep(1);
            }
            trainer.join();
        } finally {
            Nabla.setNumThreads(before);
        }
        assertNull(failure.get(), () -> "kernel failed while the thread count changed: " + failure.get());
    }
}
