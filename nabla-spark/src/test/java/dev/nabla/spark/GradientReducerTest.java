package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bucketed gradient averaging, with workers as threads on loopback (no Spark). */
class GradientReducerTest {
    private static final byte[] SECRET = "another per-job secret, 32 bytes".getBytes();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        pool.shutdownNow();
        for (ServerSocket s : servers) s.close();
    }

    interface Body<T> {
        T run(RingAllReduce ring) throws Exception;
    }

    <T> List<T> onWorkers(int n, Body<T> body) throws Exception {
        List<InetSocketAddress> addresses = new ArrayList<>();
        List<ServerSocket> mine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            servers.add(s);
            mine.add(s);
            addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
        }
        List<Future<T>> fs = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            fs.add(pool.submit(() -> {
                try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, mine.get(rank), SECRET, 20_000)) {
                    return body.run(ring);
                }
            }));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : fs) out.add(f.get());
        return out;
    }

    static Module model() {
        try (var s = Generator.useInThisThread(new Generator(11))) {
            return new Sequential(new Linear(6, 40), new ReLU(), new Linear(40, 20), new ReLU(), new Linear(20, 3));
        }
    }

    static Tensor input(int rank) {
        Generator g = new Generator(100 + rank);
        float[] x = new float[5 * 6];
        for (int i = 0; i < x.length; i++) x[i] = (float) g.nextGaussian();
        return Tensor.of(x, 5, 6);
    }

    /** Each worker's mean-loss gradient, averaged by a plain loop: the oracle. */
    static List<float[]> expectedMean(int n) {
        List<float[]> sum = null;
        for (int r = 0; r < n; r++) {
            Module m = model();
            m.call(input(r)).square().mean().backward();
            List<float[]> gs = new ArrayList<>();
            for (Tensor p : m.parameters()) gs.add(p.grad().toFloatArray().clone());
            if (sum == null) sum = gs;
            else
                for (int i = 0; i < gs.size(); i++)
                    for (int j = 0; j < gs.get(i).length; j++) sum.get(i)[j] += gs.get(i)[j];
        }
        for (float[] g : sum) for (int j = 0; j < g.length; j++) g[j] /= n;
        return sum;
    }

    @Test
    void bucketsOfAnySizeAverageTheGradientsAndSumTheExtras() throws Exception {
        for (int n : new int[] {1, 2, 3}) {
            List<float[]> expected = expectedMean(n);
            for (long bucketBytes : new long[] {16, 700, 1 << 20}) {
                List<Object[]> results = onWorkers(n, ring -> {
                    Module m = model();
                    try (GradientReducer red = new GradientReducer(ring, m.parameters(), bucketBytes, 2)) {
                        red.begin(new float[] {ring.rank() + 1, 10});
                        m.call(input(ring.rank())).square().mean().backward();
                        float[] extras = red.finish();
                        List<float[]> gs = new ArrayList<>();
                        for (Tensor p : m.parameters()) gs.add(p.grad().toFloatArray());
                        return new Object[] {extras, gs, red.bucketCount()};
                    }
                });
                for (Object[] r : results) {
                    assertArrayEquals(
                            new float[] {n * (n + 1) / 2f, 10f * n}, (float[]) r[0], 0f, "extras, " + n + " workers");
                    @SuppressWarnings("unchecked")
                    List<float[]> gs = (List<float[]>) r[1];
                    for (int i = 0; i < gs.size(); i++)
                        assertArrayEquals(
                                expected.get(i),
                                gs.get(i),
                                1e-6f,
                                "parameter " + i + ", " + n + " workers, " + bucketBytes + " B");
                    // and every worker holds the same bits
                    @SuppressWarnings("unchecked")
                    List<float[]> first = (List<float[]>) results.getFirst()[1];
                    for (int i = 0; i < gs.size(); i++) assertArrayEquals(first.get(i), gs.get(i), 0f);
                }
                int buckets = (int) results.getFirst()[2];
                if (bucketBytes == 16) assertEquals(6, buckets); // one per parameter
                if (bucketBytes == 1 << 20) assertEquals(1, buckets);
            }
        }
    }

    @Test
    void aParameterOnlySomeWorkersUsedCountsAsZerosAndOneNoWorkerUsedKeepsNoGradient() throws Exception {
        List<Object[]> results = onWorkers(2, ring -> {
            Linear a = new Linear(3, 2), unused = new Linear(3, 2);
            Linear sometimes = new Linear(3, 2);
            List<Tensor> params = new ArrayList<>(a.parameters());
            params.addAll(sometimes.parameters());
            params.addAll(unused.parameters());
            try (GradientReducer red = new GradientReducer(ring, params, 1 << 20, 1)) {
                red.begin(new float[] {0});
                Tensor x = Tensor.ones(4, 3);
                Tensor y = a.forward(x).sum();
                if (ring.rank() == 0) y = y.add(sometimes.forward(x).sum()); // only worker 0 takes this branch
                y.backward();
                red.finish();
                return new Object[] {
                    sometimes.weight().grad() == null
                            ? null
                            : sometimes.weight().grad().toFloatArray(),
                    unused.weight().grad(),
                    a.weight().grad().toFloatArray()
                };
            }
        });
        for (Object[] r : results) {
            assertArrayEquals(
                    new float[] {2, 2, 2, 2, 2, 2}, (float[]) r[0], 0f); // worker 0's 4, averaged with worker 1's zeros
            assertNull(r[1]);
            assertArrayEquals(new float[] {4, 4, 4, 4, 4, 4}, (float[]) r[2], 0f);
        }
    }

    @Test
    void replicasThatDivergedAreNamed() throws Exception {
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () -> onWorkers(3, ring -> {
                    Module m = model();
                    SparkWorker.checkReplicas(m, ring, 1); // equal: passes
                    if (ring.rank() == 2)
                        try (var g = dev.nabla.autograd.GradMode.noGrad()) {
                            m.parameters().getFirst().add_(1e-3);
                        }
                    SparkWorker.checkReplicas(m, ring, 2);
                    return null;
                }));
        assertTrue(
                e.getCause().getMessage().contains("after epoch 2 the weights of worker 2 differ from worker 0's"),
                e.getCause().getMessage());
    }
}
