package dev.nabla.spark;

import dev.nabla.DType;
import dev.nabla.HookHandle;
import dev.nabla.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Averages the gradients of a model's parameters across the ring's workers after every backward pass, overlapping
 * the communication with the backward pass as PyTorch's DistributedDataParallel does: the parameters are grouped into
 * buckets of about {@code bucketBytes} in the order backpropagation reaches them (the reverse of registration order),
 * a hook on each parameter counts the gradients that are final, and a full bucket is reduced on a communication
 * thread while the backward pass goes on with the earlier layers.
 *
 * <p>Buckets are reduced strictly in bucket order on every worker (a bucket waits for the ones before it), so the
 * ring's message streams match even when workers finish gradients in different orders. A parameter that got no
 * gradient in a step (a branch not taken) counts as zeros; if no worker gave it a gradient it stays without one, as in
 * a single process. A few extra values ride along in the last bucket (the step's loss sum, correct predictions and
 * sample count, and one presence flag per parameter) and are summed, not averaged, so the step's global metrics cost
 * no extra message.
 */
final class GradientReducer implements AutoCloseable {
    private final RingAllReduce ring;
    private final List<Bucket> buckets = new ArrayList<>();
    private final Map<Tensor, Bucket> bucketOf = new IdentityHashMap<>();
    private final List<Tensor> params;
    private final Map<Tensor, Integer> paramIndex = new IdentityHashMap<>();
    /** Which parameters' gradients this step's backward has finished, by index in {@link #params}. */
    private final boolean[] present;

    private final List<HookHandle> hooks = new ArrayList<>();
    private final ExecutorService comm;
    private final int extraCount;
    private final List<Future<?>> inFlight = new ArrayList<>();
    private int nextToLaunch;
    private float[] stepExtras;
    private volatile long reduceNanos;
    private boolean open;

    private static final class Bucket {
        final List<Tensor> params = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();
        int length; // gradient values (the last bucket's buffer has the extras after them)
        float[] buffer;
        int pending;
    }

    /**
     * @param params      the parameters in registration order
     * @param bucketBytes the target bucket size in bytes (a parameter larger than that gets a bucket of its own)
     * @param extraCount  how many summed extra values a step carries
     */
    GradientReducer(RingAllReduce ring, List<Tensor> params, long bucketBytes, int extraCount) {
        this.ring = ring;
        this.params = List.copyOf(params);
        this.extraCount = extraCount;
        for (int i = 0; i < params.size(); i++) paramIndex.put(params.get(i), i);
        this.present = new boolean[params.size()];
        for (Tensor p : params)
            if (p.dtype() != DType.FLOAT32)
                throw new IllegalArgumentException(
                        "data-parallel training: parameters must be float32, found one of dtype " + p.dtype()
                                + " and shape " + Arrays.toString(p.shape())
                                + " (float64 is for checking in one process)");
        List<Tensor> backwardOrder = new ArrayList<>(params).reversed();
        List<List<Tensor>> groups = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long bytes = 0;
        for (Tensor p : backwardOrder) {
            long b = 4L * p.numel();
            if (!current.isEmpty() && bytes + b > bucketBytes) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(p);
            bytes += b;
        }
        if (!current.isEmpty() || groups.isEmpty()) groups.add(current);
        for (int g = 0; g < groups.size(); g++) {
            Bucket k = new Bucket();
            for (Tensor p : groups.get(g)) {
                k.params.add(p);
                k.offsets.add(k.length);
                k.length += p.numel();
                bucketOf.put(p, k);
            }
            boolean last = g == groups.size() - 1;
            k.buffer = new float[k.length + (last ? extraCount + params.size() : 0)];
            buckets.add(k);
        }
        for (Tensor p : params) hooks.add(p.registerPostAccumulateGradHook(this::ready));
        comm = ring.size() > 1
                ? Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "nabla-allreduce-" + ring.rank());
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    /** The number of buckets (for tests and logs). */
    int bucketCount() {
        return buckets.size();
    }

    /** Nanoseconds spent in the ring's all-reduce since the last call (communication, overlapped or not). */
    long takeReduceNanos() {
        long n = reduceNanos;
        reduceNanos = 0;
        return n;
    }

    /** Starts a step: call before backward with the step's extra values (summed across workers by {@link #finish}). */
    void begin(float[] extras) {
        if (extras.length != extraCount)
            throw new IllegalArgumentException("expected " + extraCount + " extras, got " + extras.length);
        if (open) throw new IllegalStateException("GradientReducer: begin called twice without finish");
        open = true;
        stepExtras = extras.clone();
        nextToLaunch = 0;
        inFlight.clear();
        for (Bucket b : buckets) b.pending = b.params.size();
        Arrays.fill(present, false);
    }

    /** The hook: a parameter's gradient is final for this backward. */
    private void ready(Tensor p) {
        if (!open) return; // a backward outside a training step (e.g. a user's own check): not reduced
        int i = paramIndex.get(p);
        if (present[i]) return;
        present[i] = true;
        bucketOf.get(p).pending--;
        launchReady();
    }

    private void launchReady() {
        while (nextToLaunch < buckets.size() && buckets.get(nextToLaunch).pending == 0)
            launch(buckets.get(nextToLaunch++));
    }

    private void launch(Bucket b) {
        boolean last = b == buckets.getLast();
        // the gradients are read on this (the backward) thread: they are final, and the comm thread gets its own copy
        float[] buf = b.buffer;
        for (int i = 0; i < b.params.size(); i++) {
            Tensor g = b.params.get(i).grad();
            int off = b.offsets.get(i), n = b.params.get(i).numel();
            if (g == null) Arrays.fill(buf, off, off + n, 0f);
            else System.arraycopy(g.toFloatArray(), 0, buf, off, n);
        }
        if (last) {
            System.arraycopy(stepExtras, 0, buf, b.length, extraCount);
            for (int i = 0; i < params.size(); i++)
                buf[b.length + extraCount + i] = present[i] && params.get(i).grad() != null ? 1f : 0f;
        }
        if (comm == null) {
            if (last) System.arraycopy(buf, b.length, stepExtras, 0, extraCount);
            return; // one worker: the gradients are already the average
        }
        inFlight.add(comm.submit(() -> {
            long t0 = System.nanoTime();
            ring.allReduce(buf, false);
            reduceNanos += System.nanoTime() - t0;
            return null;
        }));
    }

    /**
     * Ends the step after backward: reduces the buckets not launched yet (parameters without a gradient count as
     * zeros), waits for all, writes the averaged gradients back and returns the extras summed over the workers.
     */
    float[] finish() throws IOException {
        if (!open) throw new IllegalStateException("GradientReducer: finish without begin");
        try {
            for (Bucket b : buckets) b.pending = 0;
            launchReady();
            for (Future<?> f : inFlight) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    throw c instanceof IOException io
                            ? io
                            : c instanceof UncheckedIOException u ? u.getCause() : new IOException(c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reducing gradients");
                }
            }
            if (comm == null) return stepExtras;
            Bucket lastBucket = buckets.getLast();
            float inv = 1f / ring.size();
            for (Bucket b : buckets) {
                for (int i = 0; i < b.params.size(); i++) {
                    Tensor p = b.params.get(i);
                    int off = b.offsets.get(i), n = p.numel();
                    float presence = lastBucket.buffer[lastBucket.length + extraCount + paramIndex.get(p)];
                    if (presence == 0f) {
                        p.setGrad(null); // no worker computed it: as in one process, the optimizer skips it
                        continue;
                    }
                    float[] g = new float[n];
                    for (int j = 0; j < n; j++) g[j] = b.buffer[off + j] * inv;
                    p.setGrad(Tensor.fromArray(g, p.shape()));
                }
            }
            return Arrays.copyOfRange(lastBucket.buffer, lastBucket.length, lastBucket.length + extraCount);
        } finally {
            open = false;
        }
    }

    @Override
    public void close() {
        hooks.forEach(HookHandle::remove);
        if (comm != null) comm.shutdownNow();
    }
}
