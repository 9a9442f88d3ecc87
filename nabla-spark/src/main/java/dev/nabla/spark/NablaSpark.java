package dev.nabla.spark;

import dev.nabla.nn.Loss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Optimizer;
import dev.nabla.train.History;
import java.io.Serializable;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on Apache Spark (4.2.0 or newer), as BigDL and TorchDistributor do it: Spark
 * schedules, partitions the data and retries; Nabla trains on each worker and averages gradients every step.
 *
 * <p>{@link #fit} runs one barrier stage of {@code workers} tasks for the whole run. Every worker builds the model with
 * the factory and loads the same initial weights (broadcast from the driver), trains on its partition with a
 * per-worker batch of {@code globalBatchSize / workers}, averages the gradients with the others after every backward
 * pass (a ring all-reduce over TCP between the tasks, overlapped with the backward pass bucket by bucket) and applies
 * the same optimizer step, so the replicas stay identical: a checksum of the weights is compared across workers at
 * every epoch end, and a difference stops the run. Rank 0 writes checkpoints (atomically) when asked; when Spark
 * retries the stage after a lost executor, the workers resume from the last checkpoint. The driver gets rank 0's
 * final weights and the history.
 *
 * <p>Each epoch every worker runs the same number of steps: the smallest partition's size divided by the per-worker
 * batch (partitions are balanced by {@code repartition}); each worker reshuffles its partition every epoch.
 */
public final class NablaSpark {
    private NablaSpark() {}

    /** Builds the model on each worker (and on the driver); serializable, so a lambda or method reference will do. */
    @FunctionalInterface
    public interface ModelFactory extends Supplier<Module>, Serializable {}

    /** Builds the optimizer for a worker's replica. */
    @FunctionalInterface
    public interface OptimizerFactory extends Function<Module, Optimizer>, Serializable {}

    /** Builds the loss on each worker. */
    @FunctionalInterface
    public interface LossFactory extends Supplier<Loss>, Serializable {}

    /** Receives rank 0's progress within an epoch on the driver (about five times a second, and at each epoch's end). */
    @FunctionalInterface
    public interface StepListener {
        /**
         * Called with the epoch (from 1), the steps done in it and its step count, and the running (global) loss and
         * accuracy of the epoch so far (accuracy NaN for regression).
         */
        void step(int epoch, int step, int steps, double runningLoss, double runningAccuracy);
    }

    /** What {@link #fit} returns: the trained model (rank 0's replica, on the driver), the history and timings. */
    public record Result(Module model, History history, Timing timing) {}

    /**
     * Where rank 0's time went over the run: steps, seconds in steps (forward, backward, reduction wait, optimizer),
     * seconds the ring's all-reduce ran (mostly overlapped with the backward pass), and seconds the training thread
     * waited for it after its backward pass was done (the communication that was not hidden).
     */
    public record Timing(long steps, double stepSeconds, double allReduceSeconds, double exposedWaitSeconds)
            implements Serializable {
        /** Mean milliseconds per step. */
        public double msPerStep() {
            return steps == 0 ? Double.NaN : 1000 * stepSeconds / steps;
        }
    }

    /**
     * Settings of a distributed run; every setter returns this.
     *
     * @serial exclude
     */
    public static final class Options implements Serializable {
        private int workers = 2;
        private int globalBatchSize = 128;
        private int epochs = 1;
        private long seed = 0;
        private int[] inputShape;
        private boolean shuffle = true;
        private int threadsPerWorker = 0;
        private long bucketBytes = 1L << 20;
        private long timeoutMs = 120_000;
        private String bindAddress;
        private String checkpoint;
        private boolean resume;
        private String validationName = "validation";
        private transient Consumer<String> progress = System.out::println;
        private transient StepListener onStep;

        /** The defaults: 2 workers, global batch 128, 1 epoch, seed 0, shuffled, 1 MiB buckets, 2 minute timeout. */
        public Options() {}

        /** Number of workers (barrier tasks; the cluster needs that many free task slots). Default 2. */
        public Options workers(int n) {
            if (n < 1) throw new IllegalArgumentException("NablaSpark: workers must be at least 1, got " + n);
            workers = n;
            return this;
        }

        /** The batch size of one step summed over the workers; must be a multiple of the worker count. Default 128. */
        public Options globalBatchSize(int b) {
            if (b < 1) throw new IllegalArgumentException("NablaSpark: global batch size must be at least 1, got " + b);
            globalBatchSize = b;
            return this;
        }

        /** Number of epochs (a resumed run continues up to this count). Default 1. */
        public Options epochs(int n) {
            if (n < 1) throw new IllegalArgumentException("NablaSpark: epochs must be at least 1, got " + n);
            epochs = n;
            return this;
        }

        /** Seed of the initial weights (the driver builds the model under it), shuffling and dropout. Default 0. */
        public Options seed(long s) {
            seed = s;
            return this;
        }

        /** The shape of one sample's input (e.g. 1, 28, 28 for an image); default: flat, the sample's length. */
        public Options inputShape(int... shape) {
            for (int d : shape)
                if (d < 1)
                    throw new IllegalArgumentException(
                            "NablaSpark: input shape " + Arrays.toString(shape) + " has a dimension < 1");
            inputShape = shape.clone();
            return this;
        }

        /** Whether each worker reshuffles its partition every epoch. Default true. */
        public Options shuffle(boolean s) {
            shuffle = s;
            return this;
        }

        /** Kernel threads per worker JVM (0: leave Nabla's setting, the available processors). */
        public Options threadsPerWorker(int n) {
            if (n < 0) throw new IllegalArgumentException("NablaSpark: threads per worker must be >= 0, got " + n);
            threadsPerWorker = n;
            return this;
        }

        /** Target size of a gradient bucket (reduced as soon as its gradients are done). Default 1 MiB. */
        public Options bucketBytes(long b) {
            if (b < 1) throw new IllegalArgumentException("NablaSpark: bucket size must be positive, got " + b);
            bucketBytes = b;
            return this;
        }

        /** How long a worker waits for a peer (connecting, or any message) before failing the stage. Default 2 min. */
        public Options timeout(Duration d) {
            if (d.isNegative() || d.isZero())
                throw new IllegalArgumentException("NablaSpark: timeout must be positive, got " + d);
            timeoutMs = d.toMillis();
            return this;
        }

        /**
         * The address the workers listen on for their ring peers (default: the executor's host as Spark knows it).
         * Use it on machines with several networks to keep gradient traffic on the fast one.
         */
        public Options bindAddress(String host) {
            bindAddress = host;
            return this;
        }

        /**
         * A checkpoint file that rank 0 rewrites atomically after every epoch; it must be on storage every executor
         * can read (a shared file system), since a retried stage may run elsewhere. Without it a retried stage
         * starts over.
         */
        public Options checkpoint(Path file) {
            checkpoint = file == null ? null : file.toAbsolutePath().toString();
            return this;
        }

        /** Whether the first attempt also resumes from an existing checkpoint (retries always do). Default false. */
        public Options resume(boolean r) {
            resume = r;
            return this;
        }

        /** What the epoch lines call the validation data (e.g. "test"). Default "validation". */
        public Options validationName(String name) {
            validationName = name;
            return this;
        }

        /** A driver-side listener of the steps within each epoch (for a progress bar); default none. */
        public Options onStep(StepListener listener) {
            onStep = listener;
            return this;
        }

        String validationName() {
            return validationName;
        }

        /** Where the driver's progress lines go (one per epoch; default standard output; null for none). */
        public Options progress(Consumer<String> sink) {
            progress = sink;
            return this;
        }

        int workers() {
            return workers;
        }

        int globalBatchSize() {
            return globalBatchSize;
        }

        int epochs() {
            return epochs;
        }

        long seed() {
            return seed;
        }

        int[] inputShape() {
            return inputShape;
        }

        boolean shuffle() {
            return shuffle;
        }

        int threadsPerWorker() {
            return threadsPerWorker;
        }

        long bucketBytes() {
            return bucketBytes;
        }

        long timeoutMs() {
            return timeoutMs;
        }

        String bindAddress() {
            return bindAddress;
        }

        String checkpoint() {
            return checkpoint;
        }

        boolean resume() {
            return resume;
        }
    }

    /** Everything a worker needs, shipped with the task. */
    record Job(
            ModelFactory model,
            OptimizerFactory optimizer,
            LossFactory loss,
            Options options,
            Broadcast<Weights> initial,
            byte[] secret,
            String progressAddress,
            boolean sendSteps)
            implements Serializable {}

    /** One worker's data: its training partition and its share of the validation data. */
    record Part(List<Sample> train, List<Sample> validation) implements Serializable {}

    /** What rank 0 returns to the driver. */
    record Outcome(Weights weights, String historyJson, Timing timing) implements Serializable {}

    /** {@link #fit(JavaSparkContext, JavaRDD, JavaRDD, ModelFactory, OptimizerFactory, LossFactory, Options)} without validation data. */
    public static Result fit(
            JavaSparkContext sc,
            JavaRDD<Sample> train,
            ModelFactory model,
            OptimizerFactory optimizer,
            LossFactory loss,
            Options options) {
        return fit(sc, train, null, model, optimizer, loss, options);
    }

    /**
     * Trains a model on the samples of {@code train} with {@code options.workers()} Spark tasks in one barrier stage and
     * returns the trained model (on the driver) and its history. With {@code validation} (may be null), each epoch
     * ends with the validation loss and accuracy, every worker evaluating a share.
     */
    public static Result fit(
            JavaSparkContext sc,
            JavaRDD<Sample> train,
            JavaRDD<Sample> validation,
            ModelFactory model,
            OptimizerFactory optimizer,
            LossFactory loss,
            Options options) {
        Objects.requireNonNull(sc, "NablaSpark.fit: the Spark context is null");
        Objects.requireNonNull(train, "NablaSpark.fit: the training RDD is null");
        Objects.requireNonNull(model, "NablaSpark.fit: the model factory is null");
        Objects.requireNonNull(optimizer, "NablaSpark.fit: the optimizer factory is null");
        Objects.requireNonNull(loss, "NablaSpark.fit: the loss factory is null");
        requireSpark42(sc.version());
        int n = options.workers();
        if (options.globalBatchSize() % n != 0)
            throw new IllegalArgumentException("NablaSpark: the global batch size " + options.globalBatchSize()
                    + " is not a multiple of the " + n + " workers (each worker takes an equal share of every step)");
        // the initial weights: built once on the driver under the run's seed and broadcast, so every replica starts
        // equal
        Module initialModel = SparkWorker.build(model, options.seed());
        Broadcast<Weights> initial = sc.broadcast(Weights.of(initialModel.stateDict()));
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);

        JavaRDD<Sample> t = train.getNumPartitions() == n ? train : train.repartition(n);
        JavaRDD<Part> parts;
        if (validation != null) {
            JavaRDD<Sample> v = validation.getNumPartitions() == n ? validation : validation.repartition(n);
            parts = t.zipPartitions(
                    v, (a, b) -> List.of(new Part(list(a), list(b))).iterator());
        } else {
            parts = t.mapPartitions(a -> List.of(new Part(list(a), List.of())).iterator());
        }
        boolean listening = options.progress != null || options.onStep != null;
        try (ProgressServer progress = !listening
                ? null
                : ProgressServer.start(
                        sc.getConf().get("spark.driver.host", "127.0.0.1"),
                        secret,
                        options.progress == null ? line -> {} : options.progress,
                        options.onStep)) {
            Job job = new Job(
                    model,
                    optimizer,
                    loss,
                    options,
                    initial,
                    secret,
                    progress == null ? null : progress.address(),
                    options.onStep != null);
            List<Outcome> outcomes = runBarrierStage(parts, job);
            if (outcomes.size() != 1)
                throw new IllegalStateException("NablaSpark: expected rank 0's result, got " + outcomes.size());
            Outcome o = outcomes.getFirst();
            Module trained = SparkWorker.build(model, options.seed());
            trained.loadStateDict(o.weights().toStateDict());
            return new Result(trained, History.fromJson(o.historyJson()), o.timing());
        } finally {
            initial.destroy();
        }
    }

    private static List<Outcome> runBarrierStage(JavaRDD<Part> parts, Job job) {
        ClassTag<Outcome> tag = ClassTag$.MODULE$.apply(Outcome.class);
        scala.Function1<scala.collection.Iterator<Part>, scala.collection.Iterator<Outcome>> body =
                (scala.Function1<scala.collection.Iterator<Part>, scala.collection.Iterator<Outcome>> & Serializable)
                        it -> {
                            Part part = it.hasNext() ? it.next() : new Part(List.of(), List.of());
                            try {
                                return scala.jdk.javaapi.CollectionConverters.asScala(
                                        SparkWorker.run(part, job).iterator());
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(
                                        "NablaSpark worker " + org.apache.spark.TaskContext.getPartitionId() + ": "
                                                + e.getMessage(),
                                        e);
                            }
                        };
        RDD<Outcome> out = parts.rdd().barrier().mapPartitions(body, false, tag);
        // through a shuffle, so that the barrier stage is a shuffle-map stage: Spark retries a failed barrier stage
        // of that kind as a whole, but aborts the job when a barrier result stage fails
        return new JavaRDD<>(out, tag).repartition(1).collect();
    }

    private static <T> List<T> list(java.util.Iterator<T> it) {
        List<T> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    /** Spark 4.1 executors die on JDK 25 (the Hadoop client's getSubject) and the job hangs: refuse anything before 4.2. */
    static void requireSpark42(String version) {
        String[] p = version.split("[.\\-]");
        try {
            int major = Integer.parseInt(p[0]), minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            if (major > 4 || (major == 4 && minor >= 2)) return;
        } catch (NumberFormatException e) {
            return; // a vendor's version string: let it try
        }
        throw new IllegalStateException(
                "NablaSpark needs Apache Spark 4.2.0 or newer on JDK 25 (this is Spark " + version
                        + "; Spark 4.1 executors fail on JDK 25 with the Hadoop client's \"getSubject is not supported\" and the job hangs)");
    }
}
