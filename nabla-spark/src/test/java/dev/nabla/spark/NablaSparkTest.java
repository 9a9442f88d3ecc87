package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.SGD;
import dev.nabla.train.History;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NablaSpark in Spark's local[2] mode: two barrier tasks in one JVM, talking over loopback sockets. */
class NablaSparkTest {
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        // local[2,4]: two task slots, and a failed task may be retried (the barrier stage is retried as a whole)
        SparkConf conf = new SparkConf()
                .setMaster("local[2,4]")
                .setAppName("nabla-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    /** Three Gaussian blobs in 8 dimensions, class k centred at +-1.5 in a pattern of its own. */
    static List<Sample> blobs(int n, long seed) {
        Generator g = new Generator(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i % 3;
            float[] x = new float[8];
            for (int d = 0; d < 8; d++) x[d] = (float) (g.nextGaussian() + ((d + k) % 3 == 0 ? 1.5 : -0.5));
            out.add(Sample.labeled(x, k));
        }
        return out;
    }

    /** Small images: class 0 has a bright top half, class 1 a bright left half, plus noise. */
    static List<Sample> images(int n, long seed) {
        Generator g = new Generator(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i % 2;
            float[] x = new float[64];
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 8; c++)
                    x[r * 8 + c] = (float) (0.3 * g.nextGaussian() + ((k == 0 ? r < 4 : c < 4) ? 1 : 0));
            out.add(Sample.labeled(x, k));
        }
        return out;
    }

    static Module mlp() {
        return new Sequential(new Linear(8, 32), new ReLU(), new Linear(32, 3));
    }

    static Module cnn() {
        return new Sequential(
                new Conv2d(1, 4, 3, Conv2d.Options.defaults().padding(1)),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(64, 2));
    }

    static Optimizer sgd(Module m) {
        return new SGD(m.parameters(), 0.05, 0.9);
    }

    static Optimizer adam(Module m) {
        return new Adam(m.parameters(), 1e-2);
    }

    /**
     * The single-process twin of a distributed run without shuffling: global batch i is the concatenation of every
     * worker's batch i (worker r holds the r-th contiguous slice of the samples), the loss is the mean over it.
     */
    static Module oneProcess(
            List<Sample> data,
            int workers,
            int globalBatch,
            int epochs,
            NablaSpark.ModelFactory factory,
            NablaSpark.OptimizerFactory optimizer,
            int[] inputShape,
            long seed) {
        Module model = SparkWorker.build(factory, seed);
        Optimizer opt = optimizer.apply(model);
        var loss = new CrossEntropyLoss();
        int per = data.size() / workers, b = globalBatch / workers, steps = per / b;
        NablaSpark.Options o = new NablaSpark.Options().inputShape(inputShape);
        for (int e = 0; e < epochs; e++)
            for (int s = 0; s < steps; s++) {
                List<Sample> batch = new ArrayList<>();
                for (int r = 0; r < workers; r++) batch.addAll(data.subList(r * per + s * b, r * per + (s + 1) * b));
                Dataset.Batch t = SparkWorker.dataset(batch, o, "test", 0)
                        .batch(java.util.stream.IntStream.range(0, batch.size()).toArray());
                opt.zeroGrad();
                loss.apply(model.call(t.inputs()), t.targets()).backward();
                opt.step();
            }
        return model;
    }

    static void assertClose(Module expected, Module actual, double tol) {
        Map<String, Tensor> a = expected.stateDict(), b = actual.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k).toFloatArray(), y = b.get(k).toFloatArray();
            double worst = 0;
            for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1e-3 + Math.abs(x[i])));
            assertTrue(worst <= tol, k + ": relative difference " + worst + " > " + tol);
        }
    }

    @Test
    void twoWorkersGiveTheWeightsOfOneProcessWithTheGlobalBatch_mlp() {
        List<Sample> data = blobs(640, 1);
        JavaRDD<Sample> rdd = sc.parallelize(data, 2); // contiguous halves: partition r = the r-th half
        NablaSpark.Options o = new NablaSpark.Options()
                .workers(2)
                .globalBatchSize(32)
                .epochs(20)
                .shuffle(false)
                .seed(7)
                .progress(null);
        NablaSpark.Result r =
                NablaSpark.fit(sc, rdd, NablaSparkTest::mlp, NablaSparkTest::sgd, CrossEntropyLoss::new, o);
        assertEquals(20 * 20, r.history().stepLosses().size()); // 320 samples per worker / 16 = 20 steps an epoch
        assertEquals(400, r.timing().steps());
        Module single = oneProcess(data, 2, 32, 20, NablaSparkTest::mlp, NablaSparkTest::sgd, new int[] {8}, 7);
        assertClose(single, r.model(), 1e-4);
        assertTrue(
                r.history().last().trainAccuracy() > 0.9,
                "accuracy " + r.history().last().trainAccuracy());
    }

    @Test
    void twoWorkersGiveTheWeightsOfOneProcessWithTheGlobalBatch_cnnWithAdamAndSmallBuckets() {
        List<Sample> data = images(512, 2);
        JavaRDD<Sample> rdd = sc.parallelize(data, 2);
        // 256-byte buckets: every parameter in a bucket of its own, reduced while the backward pass goes on
        NablaSpark.Options o = new NablaSpark.Options()
                .workers(2)
                .globalBatchSize(16)
                .epochs(7)
                .shuffle(false)
                .seed(3)
                .inputShape(1, 8, 8)
                .bucketBytes(256)
                .progress(null);
        NablaSpark.Result r =
                NablaSpark.fit(sc, rdd, NablaSparkTest::cnn, NablaSparkTest::adam, CrossEntropyLoss::new, o);
        assertEquals(7 * 32, r.history().stepLosses().size());
        Module single = oneProcess(data, 2, 16, 7, NablaSparkTest::cnn, NablaSparkTest::adam, new int[] {1, 8, 8}, 3);
        assertClose(single, r.model(), 1e-3);
        assertTrue(
                r.history().last().trainAccuracy() > 0.95,
                "accuracy " + r.history().last().trainAccuracy());
    }

    @Test
    void shuffledRunWithValidationReportsProgressOnTheDriver() {
        List<Sample> train = blobs(900, 3), val = blobs(300, 4);
        List<String> lines = new CopyOnWriteArrayList<>();
        List<int[]> steps = new CopyOnWriteArrayList<>();
        NablaSpark.Options o = new NablaSpark.Options()
                .workers(2)
                .globalBatchSize(30)
                .epochs(3)
                .seed(1)
                .progress(lines::add)
                .onStep((epoch, step, total, loss, acc) -> {
                    assertTrue(loss > 0 && acc >= 0 && acc <= 1, loss + " " + acc);
                    steps.add(new int[] {epoch, step, total});
                });
        NablaSpark.Result r = NablaSpark.fit(
                sc,
                sc.parallelize(train, 3),
                sc.parallelize(val, 2),
                NablaSparkTest::mlp,
                NablaSparkTest::adam,
                CrossEntropyLoss::new,
                o);
        History h = r.history();
        assertEquals(3, h.epochs().size());
        assertTrue(
                h.last().valAccuracy() > 0.9, "validation accuracy " + h.last().valAccuracy());
        assertEquals(3, lines.size(), lines.toString());
        // step updates: each epoch's last one says all its steps are done (450 samples per worker / 15 a batch = 30)
        for (int e = 1; e <= 3; e++) {
            int epoch = e;
            int[] last = steps.stream()
                    .filter(x -> x[0] == epoch)
                    .reduce((a, b) -> b)
                    .orElseThrow();
            assertEquals(last[2], last[1], "epoch " + e);
            assertEquals(30, last[2]);
        }
        assertTrue(
                lines.get(2).startsWith("epoch 3/3  train loss")
                        && lines.get(2).contains("validation loss")
                        && lines.get(2).contains("2 workers"),
                lines.get(2));
        // the driver's model is rank 0's replica: its validation accuracy is the one reported
        var eval = dev.nabla.train.Trainer.evaluate(
                r.model(),
                new CrossEntropyLoss(),
                new dev.nabla.data.DataLoader(
                        SparkWorker.dataset(val, new NablaSpark.Options(), "val", 0), 100, false));
        assertEquals(h.last().valAccuracy(), eval.accuracy(), 1e-6); // summed in float across workers
        assertEquals(h.last().valLoss(), eval.loss(), 1e-4);
    }

    /** Fails on worker 1 in epoch 3 of the stage's first attempt: Spark retries the stage, which resumes from the checkpoint. */
    static Module failingOnce() {
        Module m = mlp();
        m.registerForwardPreHook((module, x) -> {
            var ctx = org.apache.spark.BarrierTaskContext.get();
            if (ctx.stageAttemptNumber() == 0
                    && ctx.partitionId() == 1
                    && Generator.global().initialSeed() == Generator.mix(Generator.mix(5, 1001), 3))
                throw new IllegalStateException("injected failure: the executor of worker 1 is lost");
            return null;
        });
        return m;
    }

    @Test
    void aRetriedStageResumesFromTheCheckpointWithIdenticalResults(@TempDir Path dir) throws Exception {
        List<Sample> data = blobs(600, 5);
        NablaSpark.Options base = new NablaSpark.Options()
                .workers(2)
                .globalBatchSize(20)
                .epochs(5)
                .seed(5)
                .progress(null);
        NablaSpark.Result clean = NablaSpark.fit(
                sc,
                sc.parallelize(data, 2),
                NablaSparkTest::mlp,
                NablaSparkTest::adam,
                CrossEntropyLoss::new,
                base.checkpoint(dir.resolve("clean.safetensors")));
        List<String> lines = new CopyOnWriteArrayList<>();
        NablaSpark.Options o = new NablaSpark.Options()
                .workers(2)
                .globalBatchSize(20)
                .epochs(5)
                .seed(5)
                .progress(lines::add)
                .checkpoint(dir.resolve("retried.safetensors"));
        NablaSpark.Result retried = NablaSpark.fit(
                sc,
                sc.parallelize(data, 2),
                NablaSparkTest::failingOnce,
                NablaSparkTest::adam,
                CrossEntropyLoss::new,
                o);
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith("resumed from") && l.contains("after epoch 2")),
                lines.toString());
        assertEquals(5, retried.history().epochs().size());
        assertEquals(clean.history().stepLosses(), retried.history().stepLosses());
        for (var e : clean.model().stateDict().entrySet())
            assertArrayEquals(
                    e.getValue().toFloatArray(),
                    retried.model().stateDict().get(e.getKey()).toFloatArray(),
                    e.getKey());
        assertTrue(Files.exists(dir.resolve("retried.safetensors")));
    }

    @Test
    void badSettingsAreClearErrors() {
        JavaRDD<Sample> rdd = sc.parallelize(blobs(60, 1), 2);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> NablaSpark.fit(
                        sc,
                        rdd,
                        NablaSparkTest::mlp,
                        NablaSparkTest::sgd,
                        CrossEntropyLoss::new,
                        new NablaSpark.Options().workers(2).globalBatchSize(15).progress(null)));
        assertTrue(e.getMessage().contains("15 is not a multiple of the 2 workers"), e.getMessage());
        var shape = assertThrows(
                Exception.class,
                () -> NablaSpark.fit(
                        sc,
                        rdd,
                        NablaSparkTest::mlp,
                        NablaSparkTest::sgd,
                        CrossEntropyLoss::new,
                        new NablaSpark.Options()
                                .workers(2)
                                .globalBatchSize(10)
                                .inputShape(3, 3)
                                .progress(null)));
        assertTrue(
                rootMessage(shape).contains("input shape [3, 3] holds 9 values, but the training samples have 8"),
                rootMessage(shape));
        var small = assertThrows(
                Exception.class,
                () -> NablaSpark.fit(
                        sc,
                        rdd,
                        NablaSparkTest::mlp,
                        NablaSparkTest::sgd,
                        CrossEntropyLoss::new,
                        new NablaSpark.Options().workers(2).globalBatchSize(100).progress(null)));
        assertTrue(rootMessage(small).contains("fewer than the per-worker batch of 50"), rootMessage(small));
        assertThrows(IllegalStateException.class, () -> NablaSpark.requireSpark42("4.1.1"));
        NablaSpark.requireSpark42("4.2.0");
        NablaSpark.requireSpark42(sc.version());
    }

    static String rootMessage(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause())
            b.append(c.getMessage()).append(" / ");
        return b.toString();
    }
}
