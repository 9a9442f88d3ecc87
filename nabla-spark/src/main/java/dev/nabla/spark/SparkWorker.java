package dev.nabla.spark;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.Safetensors;
import dev.nabla.nn.Loss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Optimizer;
import dev.nabla.train.EpochStats;
import dev.nabla.train.History;
import dev.nabla.train.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one barrier task: joins the ring, builds the replica, trains it in lockstep with the other workers and,
 * on rank 0, writes checkpoints and returns the weights and history.
 */
final class SparkWorker {
    private static final Logger LOG = LoggerFactory.getLogger(SparkWorker.class);
    /** Extras summed with every step's gradients: loss x samples, correct predictions, samples, non-classification flag. */
    private static final int EXTRAS = 4;

    static final String CHECKPOINT_FORMAT = "nabla-spark-checkpoint-1";

    private SparkWorker() {}

    /** Builds a model under a seed, so that the driver and any retry build the same initial weights. */
    static Module build(NablaSpark.ModelFactory factory, long seed) {
        try (var scope = Generator.useInThisThread(new Generator(seed))) {
            Module m = factory.get();
            if (m == null) throw new IllegalArgumentException("NablaSpark: the model factory returned null");
            return m;
        }
    }

    static List<NablaSpark.Outcome> run(NablaSpark.Part part, NablaSpark.Job job) throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        NablaSpark.Options o = job.options();
        int rank = ctx.partitionId();
        BarrierTaskInfo[] infos = ctx.getTaskInfos();
        int n = infos.length;
        String host = hostOf(infos[rank].address());
        String bind = o.bindAddress() != null ? o.bindAddress() : host;
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(bind), 0));
            String advertised = (o.bindAddress() != null && !o.bindAddress().equals("0.0.0.0") ? o.bindAddress() : host)
                    + ":" + server.getLocalPort();
            String[] all = ctx.allGather(advertised);
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (String a : all)
                addresses.add(new InetSocketAddress(hostOf(a), Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))));
            try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, server, job.secret(), o.timeoutMs())) {
                return train(part, job, ring, ctx.stageAttemptNumber());
            }
        }
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    /** Trains this worker's replica; separate from Spark so that tests can run workers as plain threads. */
    static List<NablaSpark.Outcome> train(NablaSpark.Part part, NablaSpark.Job job, RingAllReduce ring, int attempt)
            throws IOException {
        NablaSpark.Options o = job.options();
        int rank = ring.rank(), n = ring.size();
        int b = o.globalBatchSize() / n;
        if (o.threadsPerWorker() > 0) Nabla.setNumThreads(o.threadsPerWorker());
        Generator gen = new Generator(Generator.mix(o.seed(), 1000 + rank));
        try (var scope = Generator.useInThisThread(gen)) {
            Module model = job.model().get();
            var loaded = model.loadStateDict(job.initial().value().toStateDict(), true);
            Optimizer optimizer = job.optimizer().apply(model);
            Loss loss = job.loss().get();
            List<Tensor> params = model.parameters();
            TensorDataset train = dataset(part.train(), o, "training", rank);
            TensorDataset validation =
                    part.validation().isEmpty() ? null : dataset(part.validation(), o, "validation", rank);

            // every worker runs the same number of steps: the smallest partition decides
            float[] sizes = new float[2 * n];
            sizes[2 * rank] = train == null ? 0 : train.size();
            sizes[2 * rank + 1] = part.validation().size();
            ring.allReduce(sizes, false);
            int smallest = Integer.MAX_VALUE, largest = 0;
            for (int r = 0; r < n; r++) {
                smallest = Math.min(smallest, (int) sizes[2 * r]);
                largest = Math.max(largest, (int) sizes[2 * r]);
            }
            int steps = smallest / b;
            if (steps == 0)
                throw new IllegalArgumentException("NablaSpark: the smallest partition has " + smallest
                        + " samples, fewer than the per-worker batch of " + b + " (global batch " + o.globalBatchSize()
                        + " / " + n + " workers); use more data or a smaller batch");
            if (rank == 0 && smallest < 0.9 * largest)
                LOG.warn(
                        "partitions are uneven ({} to {} samples): each epoch uses {} steps of {} samples per worker",
                        smallest,
                        largest,
                        steps,
                        b);

            History history = new History();
            int start = 0;
            Path checkpoint = o.checkpoint() == null ? null : Path.of(o.checkpoint());
            if (checkpoint != null && (attempt > 0 || o.resume()) && Files.exists(checkpoint)) {
                start = resume(checkpoint, model, optimizer, history, o, n);
                if (rank == 0)
                    LOG.info("stage attempt {}: resuming after epoch {} from {}", attempt, start, checkpoint);
            }
            PrintStream progress = rank == 0 ? ProgressServer.connect(job.progressAddress(), job.secret()) : null;
            long steps0 = 0, stepNanos = 0, reduceNanos = 0, waitNanos = 0, lastSent = 0;
            try (GradientReducer reducer = new GradientReducer(ring, params, o.bucketBytes(), EXTRAS)) {
                if (start > 0 && progress != null)
                    progress.println("resumed from " + checkpoint + " after epoch " + start + " (stage attempt "
                            + attempt + ")");
                for (int epoch = start + 1; epoch <= o.epochs(); epoch++) {
                    long t0 = System.nanoTime();
                    gen.manualSeed(Generator.mix(
                            Generator.mix(o.seed(), 1000 + rank),
                            epoch)); // dropout: a fresh stream per epoch, so a resume repeats it
                    DataLoader loader = new DataLoader(train, b, o.shuffle(), true, Generator.mix(o.seed(), rank));
                    loader.setEpoch(epoch);
                    model.train();
                    double lossSum = 0, correct = 0, count = 0;
                    boolean classification = true;
                    int step = 0;
                    for (Dataset.Batch batch : loader) {
                        if (step == steps) break;
                        long s0 = System.nanoTime();
                        optimizer.zeroGrad();
                        Tensor out = model.call(batch.inputs());
                        Tensor l = loss.apply(out, batch.targets());
                        double lv = l.item();
                        long c = correct(out, batch.targets());
                        reducer.begin(
                                new float[] {(float) (lv * batch.size()), c < 0 ? 0 : c, batch.size(), c < 0 ? 1 : 0});
                        l.backward();
                        long w0 = System.nanoTime();
                        float[] sums = reducer.finish();
                        waitNanos += System.nanoTime() - w0;
                        if (!Double.isFinite(sums[0]))
                            throw new IllegalStateException(String.format(
                                    Locale.ROOT,
                                    "NablaSpark: the loss is not finite at epoch %d, step %d on %s (worker %d's own loss: %s)",
                                    epoch,
                                    step,
                                    n == 1 ? "the worker" : "at least one of the " + n + " workers",
                                    rank,
                                    lv));
                        for (Tensor p : params)
                            if (p.grad() != null && !p.grad().allFinite())
                                throw new IllegalStateException("NablaSpark: a gradient is not finite at epoch " + epoch
                                        + ", step " + step + " (after averaging over the workers)");
                        optimizer.step();
                        lossSum += sums[0];
                        correct += sums[1];
                        count += sums[2];
                        if (sums[3] > 0) classification = false;
                        history.addStep(sums[0] / sums[2]);
                        stepNanos += System.nanoTime() - s0;
                        steps0++;
                        step++;
                        if (progress != null
                                && job.sendSteps()
                                && (step == steps || System.nanoTime() - lastSent > 200_000_000L)) {
                            lastSent = System.nanoTime();
                            progress.println(ProgressServer.STEP + epoch + " " + step + " " + steps + " "
                                    + (lossSum / count) + " " + (classification ? correct / count : Double.NaN));
                        }
                    }
                    reduceNanos += reducer.takeReduceNanos();
                    averageBuffers(model, ring);
                    checkReplicas(model, ring, epoch);
                    double[] val =
                            validation == null && sizes[1] == 0 ? null : evaluate(model, loss, validation, b, ring);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    EpochStats s = new EpochStats(
                            epoch,
                            lossSum / count,
                            classification ? correct / count : Double.NaN,
                            val == null ? Double.NaN : val[0],
                            val == null ? Double.NaN : val[1],
                            seconds,
                            optimizer.paramGroups().get(0).get("lr"));
                    history.add(s);
                    if (rank == 0) {
                        String line = s.line(o.epochs(), o.validationName()) + " on " + n + " workers";
                        LOG.info(line);
                        if (progress != null) progress.println(line);
                        if (checkpoint != null) save(checkpoint, model, optimizer, history, epoch, o, n);
                    }
                }
            } finally {
                if (progress != null) progress.close();
            }
            history.setStopReason("completed " + o.epochs() + " epochs");
            if (rank != 0) return List.of();
            var timing = new NablaSpark.Timing(steps0, stepNanos / 1e9, reduceNanos / 1e9, waitNanos / 1e9);
            return List.of(new NablaSpark.Outcome(Weights.of(model.stateDict()), history.toJson(), timing));
        }
    }

    /** The worker's samples as tensors: inputs [n, inputShape...], int64 labels or float targets. */
    static TensorDataset dataset(List<Sample> samples, NablaSpark.Options o, String what, int rank) {
        if (samples.isEmpty()) return null;
        Sample first = samples.getFirst();
        int width = first.input().length;
        int[] shape = o.inputShape() == null ? new int[] {width} : o.inputShape();
        long per = 1;
        for (int d : shape) per *= d;
        if (per != width)
            throw new IllegalArgumentException("NablaSpark: the input shape " + java.util.Arrays.toString(shape)
                    + " holds " + per + " values, but the " + what + " samples have " + width);
        int count = samples.size();
        float[] x = new float[Math.multiplyExact(count, width)];
        boolean labeled = first.isLabeled();
        int tw = labeled ? 1 : first.target().length;
        long[] labels = labeled ? new long[count] : null;
        float[] targets = labeled ? null : new float[count * tw];
        for (int i = 0; i < count; i++) {
            Sample s = samples.get(i);
            if (s.input().length != width)
                throw new IllegalArgumentException("NablaSpark: " + what + " sample " + i + " of partition " + rank
                        + " has " + s.input().length + " input values where the first had " + width);
            if (s.isLabeled() != labeled || (!labeled && s.target().length != tw))
                throw new IllegalArgumentException("NablaSpark: " + what + " sample " + i + " of partition " + rank
                        + " mixes labels and targets (or target sizes)");
            System.arraycopy(s.input(), 0, x, i * width, width);
            if (labeled) labels[i] = s.label();
            else System.arraycopy(s.target(), 0, targets, i * tw, tw);
        }
        int[] full = new int[shape.length + 1];
        full[0] = count;
        System.arraycopy(shape, 0, full, 1, shape.length);
        Tensor in = Tensor.fromArray(x, full);
        Tensor t = labeled ? Tensor.of(labels, count) : Tensor.fromArray(targets, count, tw);
        return new TensorDataset(in, t);
    }

    private static long correct(Tensor out, Tensor targets) {
        try (var g = GradMode.noGrad()) {
            return targets.dtype() == DType.INT64 && out.rank() == 2 ? Metrics.correct(out, targets) : -1;
        }
    }

    /** Float buffers (BatchNorm's running statistics) are averaged across the replicas at each epoch end. */
    private static void averageBuffers(Module model, RingAllReduce ring) throws IOException {
        if (ring.size() == 1) return;
        for (var e : model.namedBuffers().entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype() != DType.FLOAT32) continue;
            float[] v = t.toFloatArray().clone();
            ring.allReduce(v, true);
            try (var g = GradMode.noGrad()) {
                t.copy_(Tensor.fromArray(v, t.shape()));
            }
        }
    }

    /** Compares a CRC-32 of every replica's weights; a difference means the lockstep broke, and the run stops. */
    static void checkReplicas(Module model, RingAllReduce ring, int epoch) throws IOException {
        int n = ring.size();
        if (n == 1) return;
        long crc = checksum(model);
        float[] all = new float[2 * n];
        all[2 * ring.rank()] = crc >>> 16; // 16-bit halves: exact in a float, and the sum of zeros leaves them
        all[2 * ring.rank() + 1] = crc & 0xffff;
        ring.allReduce(all, false);
        for (int r = 1; r < n; r++)
            if (all[2 * r] != all[0] || all[2 * r + 1] != all[1])
                throw new IllegalStateException("NablaSpark: after epoch " + epoch + " the weights of worker " + r
                        + " differ from worker 0's (checksum "
                        + Long.toHexString(((long) all[2 * r] << 16) | (long) all[2 * r + 1]) + " vs "
                        + Long.toHexString(((long) all[0] << 16) | (long) all[1])
                        + "): the replicas diverged");
    }

    static long checksum(Module model) {
        CRC32 crc = new CRC32();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * 4096);
        for (Tensor p : model.parameters()) {
            float[] v = p.toFloatArray();
            for (int i = 0; i < v.length; ) {
                buf.clear();
                int m = Math.min(4096, v.length - i);
                buf.asFloatBuffer().put(v, i, m);
                crc.update(buf.array(), 0, 4 * m);
                i += m;
            }
        }
        return crc.getValue();
    }

    /** Mean validation loss and accuracy over all workers' shares; each evaluates its own. */
    private static double[] evaluate(Module model, Loss loss, TensorDataset data, int batch, RingAllReduce ring)
            throws IOException {
        double lossSum = 0, correct = 0, count = 0;
        boolean classification = true;
        if (data != null) {
            model.eval();
            try (var g = GradMode.noGrad()) {
                for (Dataset.Batch bt : new DataLoader(data, Math.max(batch, 256), false)) {
                    Tensor out = model.call(bt.inputs());
                    lossSum += loss.apply(out, bt.targets()).item() * bt.size();
                    long c = correct(out, bt.targets());
                    if (c < 0) classification = false;
                    else correct += c;
                    count += bt.size();
                }
            } finally {
                model.train();
            }
        }
        float[] sums = {(float) lossSum, (float) correct, (float) count, classification ? 0 : 1};
        ring.allReduce(sums, false);
        return new double[] {sums[0] / sums[2], sums[3] > 0 ? Double.NaN : sums[1] / sums[2]};
    }

    /** Rank 0's checkpoint: model, optimizer, history, epoch and the run's shape (workers, batch, seed), atomically. */
    static void save(
            Path file, Module model, Optimizer optimizer, History history, int epoch, NablaSpark.Options o, int workers)
            throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> all.put("model." + k, v));
        optimizer.stateDict().forEach((k, v) -> all.put("optim." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", CHECKPOINT_FORMAT);
        meta.put("epoch", Integer.toString(epoch));
        meta.put("workers", Integer.toString(workers));
        meta.put("global_batch", Integer.toString(o.globalBatchSize()));
        meta.put("seed", Long.toString(o.seed()));
        meta.put("history", history.toJson());
        Safetensors.save(file, all, meta);
    }

    /** Loads a checkpoint written by {@link #save}, after checking it belongs to a run of the same shape; returns its epoch. */
    static int resume(Path file, Module model, Optimizer optimizer, History history, NablaSpark.Options o, int workers)
            throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!CHECKPOINT_FORMAT.equals(meta.get("format")))
            throw new IOException(file + ": not a NablaSpark checkpoint (format " + meta.get("format") + ", expected "
                    + CHECKPOINT_FORMAT + ")");
        check(file, meta, "workers", Integer.toString(workers));
        check(file, meta, "global_batch", Integer.toString(o.globalBatchSize()));
        check(file, meta, "seed", Long.toString(o.seed()));
        Map<String, Tensor> m = new LinkedHashMap<>(), opt = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) m.put(k.substring(6), v);
            else if (k.startsWith("optim.")) opt.put(k.substring(6), v);
        });
        History h = History.fromJson(meta.get("history"));
        int epoch;
        try {
            epoch = Integer.parseInt(meta.get("epoch"));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": metadata \"epoch\" is not a number: " + meta.get("epoch"));
        }
        model.loadStateDict(m, true);
        optimizer.loadStateDict(opt);
        h.epochs().forEach(history::add);
        h.stepLosses().forEach(history::addStep);
        return epoch;
    }

    private static void check(Path file, Map<String, String> meta, String key, String expected) throws IOException {
        if (!expected.equals(meta.get(key)))
            throw new IOException(file + ": the checkpoint was written by a run with " + key + " " + meta.get(key)
                    + ", this run has " + expected);
    }
}
