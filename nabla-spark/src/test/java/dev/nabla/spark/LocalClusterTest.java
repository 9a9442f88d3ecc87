package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Generator;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster in miniature: Spark's local-cluster[2,1,1024] starts a standalone master, two workers and an executor
 * JVM per worker (one core each), so the ring runs between processes. Worker 1's executor JVM dies in epoch 3 of the
 * first attempt; Spark starts a new executor, retries the barrier stage, and the run resumes from rank 0's checkpoint.
 * The result must still be the weights of one process trained with the global batch.
 *
 * <p>Needs, as Surefire sets them (see the POM): SPARK_HOME with an empty jars/ folder, SPARK_SCALA_VERSION=2.13,
 * SPARK_LOCAL_IP=127.0.0.1, and the test class path handed to the executors.
 */
class LocalClusterTest {
    /** The CNN of NablaSparkTest, with a crash of worker 1's whole JVM in epoch 3 of the stage's first attempt. */
    static Module crashingCnn() {
        Module m = NablaSparkTest.cnn();
        m.registerForwardPreHook((module, x) -> {
            var ctx = org.apache.spark.BarrierTaskContext.get();
            if (ctx.stageAttemptNumber() == 0
                    && ctx.partitionId() == 1
                    && Generator.global().initialSeed() == Generator.mix(Generator.mix(3, 1001), 3))
                Runtime.getRuntime().halt(137); // as if the machine was lost
            return null;
        });
        return m;
    }

    @Test
    void twoExecutorJvmsSurviveALostExecutorAndMatchOneProcess(@TempDir Path dir) throws Exception {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        SparkConf conf = new SparkConf()
                .setMaster("local-cluster[2,1,1024]")
                .setAppName("nabla-spark-local-cluster")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", "-XX:+UseSerialGC -Xss8m")
                .set("spark.driver.host", "127.0.0.1");
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            sc.setLogLevel("ERROR");
            List<Sample> data = NablaSparkTest.images(512, 2);
            List<String> lines = new CopyOnWriteArrayList<>();
            NablaSpark.Options o = new NablaSpark.Options()
                    .workers(2)
                    .globalBatchSize(16)
                    .epochs(5)
                    .shuffle(false)
                    .seed(3)
                    .inputShape(1, 8, 8)
                    .threadsPerWorker(1)
                    .checkpoint(dir.resolve("ckpt.safetensors"))
                    .progress(lines::add);
            NablaSpark.Result r = NablaSpark.fit(
                    sc,
                    sc.parallelize(data, 2),
                    LocalClusterTest::crashingCnn,
                    NablaSparkTest::adam,
                    CrossEntropyLoss::new,
                    o);
            assertTrue(
                    lines.stream().anyMatch(l -> l.startsWith("resumed from") && l.contains("after epoch 2")),
                    lines.toString());
            assertEquals(5, r.history().epochs().size());
            Module single = NablaSparkTest.oneProcess(
                    data, 2, 16, 5, NablaSparkTest::cnn, NablaSparkTest::adam, new int[] {1, 8, 8}, 3);
            NablaSparkTest.assertClose(single, r.model(), 1e-3);
        } finally {
            sc.stop();
        }
    }
}
