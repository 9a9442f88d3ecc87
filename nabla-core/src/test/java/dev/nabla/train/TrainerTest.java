package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BCEWithLogitsLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MSELoss;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.optim.SGD;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static Sequential net(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(
                new Linear(2, 8, true, g, DType.FLOAT32), new Tanh(), new Linear(8, 1, true, g, DType.FLOAT32));
    }

    @Test
    void fitReportsLossAndAccuracyPerEpoch() {
        TensorDataset train = Synthetic.xor(1000, new Generator(1)), val = Synthetic.xor(500, new Generator(2));
        Sequential m = net(3);
        Trainer t = new Trainer(m, new Adam(m.parameters(), 0.02), new BCEWithLogitsLoss()).output(null);
        History h = t.fit(new DataLoader(train, 32, true, false, 0), new DataLoader(val, 100, false), 15);
        assertEquals(15, h.epochs().size());
        assertTrue(h.last().trainLoss() < h.epochs().get(0).trainLoss());
        assertTrue(h.last().valAccuracy() > 0.9, "val accuracy " + h.last().valAccuracy());
        assertTrue(h.toCsv()
                .startsWith("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,lr,skipped_batches\n1,"));
        assertEquals(15, History.fromJson(h.toJson()).epochs().size());
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        TensorDataset train = Synthetic.xor(200, new Generator(1)), val = Synthetic.xor(200, new Generator(2));
        Sequential m = net(4);
        EarlyStopping es = new EarlyStopping("val_loss", 2, 0.0, true);
        // a learning rate far too high makes the validation loss stop falling quickly
        Trainer t = new Trainer(m, new SGD(m.parameters(), 5.0), new BCEWithLogitsLoss())
                .output(null)
                .callbacks(es);
        History h = t.fit(new DataLoader(train, 20, true, false, 0), new DataLoader(val, 200, false), 200);
        assertTrue(h.epochs().size() < 200, "stopped early");
        assertTrue(
                h.stopReason().startsWith("early stopping: val_loss did not improve for 2 epoch(s)"), h.stopReason());
        double restored = t.evaluate(new DataLoader(val, 200, false)).loss();
        assertEquals(es.best(), restored, 1e-6, "the weights of the best epoch are back");
    }

    @Test
    void gradientThresholdStopsFullBatchGradientDescent() {
        TensorDataset d = Synthetic.polynomial(50, new double[] {1, 2}, -1, 1, 0, new Generator(1));
        Linear m = new Linear(1, 1);
        Trainer t = new Trainer(m, new SGD(m.parameters(), 0.5), new MSELoss())
                .output(null)
                .callbacks(new GradientThreshold(1e-4));
        History h = t.fit(new DataLoader(d, 50, false), null, 10_000);
        assertTrue(h.stopReason().startsWith("gradient threshold"), h.stopReason());
        assertEquals(2.0, m.weight().item(), 1e-3);
        assertEquals(1.0, m.bias().item(), 1e-3);
    }

    @Test
    void resumingFromACheckpointContinuesTheRun(@TempDir Path dir) throws Exception {
        TensorDataset train = Synthetic.xor(300, new Generator(1));
        Path ckpt = dir.resolve("ckpt.safetensors");
        Sequential a = net(5);
        Trainer ta = new Trainer(a, new Adam(a.parameters(), 0.01), new BCEWithLogitsLoss()).output(null);
        ta.fit(new DataLoader(train, 30, true, false, 9), null, 4);
        // the same run, interrupted after 2 epochs and resumed from its checkpoint
        Sequential b = net(5);
        Trainer tb = new Trainer(b, new Adam(b.parameters(), 0.01), new BCEWithLogitsLoss())
                .output(null)
                .callbacks(new Checkpoint(ckpt));
        tb.fit(new DataLoader(train, 30, true, false, 9), null, 2);
        Sequential c = net(99);
        Trainer tc = new Trainer(c, new Adam(c.parameters(), 0.01), new BCEWithLogitsLoss()).output(null);
        Checkpoint.resume(ckpt, tc);
        assertEquals(2, tc.epochsDone());
        tc.fit(new DataLoader(train, 30, true, false, 9), null, 4);
        assertEquals(4, tc.history().epochs().size());
        for (var e : a.stateDict().entrySet())
            assertArrayEquals(
                    e.getValue().toFloatArray(), c.stateDict().get(e.getKey()).toFloatArray(), 1e-6f, e.getKey());
    }

    @Test
    void metrics() {
        Tensor logits = Tensor.of(new float[] {0.1f, 0.9f, 0f, 0.8f, 0.1f, 0.1f, 0.2f, 0.3f, 0.5f}, 3, 3);
        Tensor y = Tensor.of(new long[] {1, 1, 2});
        assertEquals(2.0 / 3, Metrics.accuracy(logits, y), 1e-12);
        assertEquals(1.0, Metrics.topK(logits, y, 2), 1e-12);
        long[][] cm = Metrics.confusionMatrix(Metrics.predictions(logits), y.toLongArray(), 3);
        assertEquals(1, cm[1][0]);
        assertEquals(1, cm[1][1]);
        assertEquals(1, cm[2][2]);
        assertEquals(0.25, Metrics.mse(Tensor.of(new float[] {1, 2}), Tensor.of(new float[] {1.5f, 2.5f})), 1e-7);
        assertEquals(0.5, Metrics.mae(Tensor.of(new float[] {1, 2}), Tensor.of(new float[] {1.5f, 2.5f})), 1e-7);
    }

    @Test
    void epochLinesGoToSlf4jAsWellAsTheConsole() throws Exception {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2), y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        var m = new dev.nabla.nn.Sequential(new dev.nabla.nn.Linear(2, 2), new dev.nabla.nn.Linear(2, 1));
        var console = new java.io.ByteArrayOutputStream();
        var data = new DataLoader(new TensorDataset(x, y), 4, false);
        new Trainer(m, new SGD(m.parameters(), 0.1), new BCEWithLogitsLoss())
                .output(new java.io.PrintStream(console, true))
                .validationName("slf4j-marker")
                .fit(data, data, 1);
        assertTrue(console.toString().contains("slf4j-marker loss"), console.toString());
        // surefire points slf4j-simple (a test dependency; the library forces no binding) at this file
        java.nio.file.Path log = java.nio.file.Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));
        String logged = java.nio.file.Files.readString(log);
        assertTrue(
                logged.contains("INFO dev.nabla.train.Trainer - epoch 1/1") && logged.contains("slf4j-marker loss"),
                logged);
    }
}
