package dev.nabla.cli;

import dev.nabla.data.DataLoader;
import dev.nabla.data.MnistDatasets;
import dev.nabla.data.TensorDataset;
import dev.nabla.examples.FashionMnistTraining;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import dev.nabla.spark.NablaSpark;
import dev.nabla.spark.Sample;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code nabla train --spark MASTER --workers N}: the reference training on a Spark cluster. The driver reads the IDX
 * files, Spark partitions the images over the workers, {@link NablaSpark#fit} trains, and the driver evaluates the
 * trained model on the test set and writes the same files as a local run.
 */
final class SparkTraining {
    private SparkTraining() {}

    record Outcome(Module model, dev.nabla.train.History history, Trainer.Evaluation test, NablaSpark.Timing timing) {}

    /** The driver's progress bar: one per epoch, fed by rank 0's step updates. */
    static final class Bar implements NablaSpark.StepListener, AutoCloseable {
        private final int epochs;
        private me.tongfei.progressbar.ProgressBar bar;
        private int epoch = -1;

        Bar(int epochs) {
            this.epochs = epochs;
        }

        @Override
        public synchronized void step(int e, int step, int steps, double loss, double acc) {
            if (e != epoch) {
                close();
                epoch = e;
                bar = new me.tongfei.progressbar.ProgressBarBuilder()
                        .setTaskName("epoch " + e + "/" + epochs)
                        .setInitialMax(steps)
                        .setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII)
                        .setMaxRenderedLength(120)
                        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err, 120))
                        .build();
            }
            if (bar == null) return;
            bar.stepTo(step);
            bar.setExtraMessage(String.format(
                    java.util.Locale.ROOT,
                    " loss %.4f%s",
                    loss,
                    Double.isNaN(acc) ? "" : String.format(java.util.Locale.ROOT, " acc %.4f", acc)));
            if (step == steps) close();
        }

        @Override
        public synchronized void close() {
            if (bar != null) bar.close();
            bar = null;
        }
    }

    static Outcome run(
            FashionMnistTraining.Config c,
            String master,
            int workers,
            Integer threadsPerWorker,
            String bindAddress,
            Path checkpoint,
            Path resume,
            PrintStream out,
            boolean progressBar)
            throws IOException {
        TensorDataset trainSet = MnistDatasets.load(c.data(), c.dataDir(), true);
        TensorDataset testSet = MnistDatasets.load(c.data(), c.dataDir(), false);
        int n = c.trainLimit() > 0 ? Math.min(c.trainLimit(), trainSet.size()) : trainSet.size();
        List<Sample> train = samples(trainSet, n), test = samples(testSet, testSet.size());
        SparkConf conf = new SparkConf().setAppName("nabla train " + c.model());
        if (master != null && !master.equals("submit")) conf.setMaster(master);
        // the images travel inside the tasks (about 190 MB for Fashion-MNIST's training set, split over the workers)
        conf.setIfMissing("spark.rpc.message.maxSize", "1024");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // as the launcher's JVM: G1 with 32 MiB regions (large tensors are not humongous allocations), a deep stack
        conf.setIfMissing(
                "spark.executor.extraJavaOptions",
                "-XX:+UseG1GC -XX:G1HeapRegionSize=32m -XX:TypeProfileLevel=222 -Xss8m");
        if (conf.get("spark.master", "").startsWith("local-cluster"))
            conf.setIfMissing("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        String kind = c.model();
        double lr = c.lr(), wd = c.weightDecay();
        NablaSpark.Options o = new NablaSpark.Options()
                .workers(workers)
                .globalBatchSize(c.batchSize())
                .epochs(c.epochs())
                .seed(c.seed())
                .inputShape(1, 28, 28)
                .validationName("test")
                .progress(out == null ? null : out::println)
                .checkpoint(checkpoint);
        if (threadsPerWorker != null) o.threadsPerWorker(threadsPerWorker);
        if (bindAddress != null) o.bindAddress(bindAddress);
        Bar bar = progressBar && System.console() != null && System.console().isTerminal() ? new Bar(c.epochs()) : null;
        if (bar != null) o.onStep(bar);
        if (resume != null) {
            if (checkpoint != null && !checkpoint.toAbsolutePath().equals(resume.toAbsolutePath()))
                throw new IllegalArgumentException(
                        "--spark: --resume and --checkpoint must name the same file (the workers continue in it)");
            o.checkpoint(resume).resume(true);
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf);
                Bar b = bar) {
            sc.setLogLevel("WARN");
            if (out != null)
                out.printf(
                        "%s on Spark %s (%s): %d workers, %,d training and %,d test images, %s, global batch %d (%d per worker), Adam lr %s weight decay %s%n",
                        kind,
                        sc.version(),
                        sc.master(),
                        workers,
                        train.size(),
                        test.size(),
                        c.epochs() == 1 ? "1 epoch" : c.epochs() + " epochs",
                        c.batchSize(),
                        c.batchSize() / workers,
                        lr,
                        wd);
            NablaSpark.Result r = NablaSpark.fit(
                    sc,
                    sc.parallelize(train, workers),
                    sc.parallelize(test, workers),
                    () -> FashionMnistTraining.model(kind),
                    m -> new Adam(m.parameters(), lr, wd),
                    CrossEntropyLoss::new,
                    o);
            Trainer.Evaluation eval =
                    Trainer.evaluate(r.model(), new CrossEntropyLoss(), new DataLoader(testSet, 500, false));
            return new Outcome(r.model(), r.history(), eval, r.timing());
        }
    }

    private static List<Sample> samples(TensorDataset d, int n) {
        float[] x = d.inputs().toFloatArray();
        long[] y = d.targets().toLongArray();
        int w = x.length / d.size();
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Sample.labeled(java.util.Arrays.copyOfRange(x, i * w, (i + 1) * w), y[i]));
        return out;
    }
}
