package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ring all-reduce between threads of this JVM on loopback sockets (each thread plays one worker). */
class RingAllReduceTest {
    private static final byte[] SECRET = "a per-job secret of 32 bytes....".getBytes();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        pool.shutdownNow();
        for (ServerSocket s : servers) s.close();
    }

    private List<InetSocketAddress> listen(int n) throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            servers.add(s);
            addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
        }
        return addresses;
    }

    private interface Worker {
        float[] run(RingAllReduce ring) throws Exception;
    }

    /** Starts n workers, each connecting with its secret and running body; returns their futures. */
    private List<Future<float[]>> start(int n, byte[][] secrets, long timeoutMs, Worker body) throws IOException {
        List<InetSocketAddress> addresses = listen(n);
        List<Future<float[]>> futures = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            futures.add(pool.submit(() -> {
                try (RingAllReduce ring =
                        RingAllReduce.connect(rank, addresses, servers.get(rank), secrets[rank], timeoutMs)) {
                    return body.run(ring);
                }
            }));
        }
        return futures;
    }

    private static byte[][] same(int n) {
        byte[][] s = new byte[n][];
        java.util.Arrays.fill(s, SECRET);
        return s;
    }

    private static float[] values(int rank, int n) {
        Random g = new Random(1000 + rank);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) g.nextGaussian();
        return v;
    }

    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {1, 2, 3, 4})
    void everyWorkerGetsTheSumWithTheSameBitsForEvenAndUnevenSizes(int workers) throws Exception {
        for (int n : new int[] {0, 1, 3, 7, 1000, 100_003}) {
            List<Future<float[]>> f = start(workers, same(workers), 20_000, ring -> {
                float[] v = values(ring.rank(), n);
                ring.allReduce(v, false);
                return v;
            });
            float[] first = f.get(0).get();
            double[] expectedSums = new double[n];
            for (int r = 0; r < workers; r++) {
                float[] v = values(r, n);
                for (int i = 0; i < n; i++) expectedSums[i] += v[i];
            }
            for (int i = 0; i < n; i++) {
                double expected = expectedSums[i];
                assertEquals(
                        expected, first[i], 1e-5 * Math.max(1, Math.abs(expected)) + 1e-6, "n " + n + ", element " + i);
            }
            for (int r = 1; r < workers; r++)
                assertArrayEquals(first, f.get(r).get(), "worker " + r + " has worker 0's bits, n " + n);
            for (ServerSocket s : servers) s.close();
            servers.clear();
        }
    }

    @Test
    void averagingDividesByTheNumberOfWorkersAndRepeatedCallsWork() throws Exception {
        List<Future<float[]>> f = start(3, same(3), 20_000, ring -> {
            float[] v = {ring.rank(), 1, 2 * ring.rank()};
            for (int step = 0; step < 5; step++) ring.allReduce(v, true); // the mean of equal values stays put
            return v;
        });
        for (Future<float[]> x : f) assertArrayEquals(new float[] {1, 1, 2}, x.get(), 1e-6f);
    }

    @Test
    void aWorkerWithTheWrongSecretCannotJoin() throws Exception {
        byte[][] secrets = same(2).clone();
        secrets[1] = "another job's secret, 32 bytes..".getBytes();
        List<Future<float[]>> f = start(2, secrets, 3_000, ring -> new float[0]);
        for (Future<float[]> x : f) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, x::get);
            assertInstanceOf(IOException.class, e.getCause());
        }
    }

    @Test
    void anIntruderIsIgnoredAndTheRingStillForms() throws Exception {
        List<InetSocketAddress> addresses = listen(2);
        try (Socket intruder =
                new Socket(addresses.get(0).getAddress(), addresses.get(0).getPort())) {
            OutputStream o = intruder.getOutputStream();
            o.write("GET / HTTP/1.0\r\n\r\n".getBytes());
            o.flush();
            List<Future<float[]>> f = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                f.add(pool.submit(() -> {
                    try (RingAllReduce ring =
                            RingAllReduce.connect(rank, addresses, servers.get(rank), SECRET, 10_000)) {
                        float[] v = {rank + 1};
                        ring.allReduce(v, false);
                        return v;
                    }
                }));
            }
            for (Future<float[]> x : f) assertArrayEquals(new float[] {3}, x.get());
        }
    }

    @Test
    void aDeadPeerFailsTheOthersWithAnErrorNamingIt() throws Exception {
        List<Future<float[]>> f = start(3, same(3), 2_000, ring -> {
            if (ring.rank() == 2) return null; // worker 2 "dies": it leaves (closing its sockets) without reducing
            ring.allReduce(new float[1000], false);
            return new float[0];
        });
        assertEquals(null, f.get(2).get());
        long t0 = System.nanoTime();
        for (int r = 0; r < 2; r++) {
            ExecutionException e =
                    org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f.get(r)::get);
            String m = e.getCause().getMessage();
            assertTrue(m.contains("worker 2") || m.contains("worker 1") || m.contains("worker 0"), m);
            assertTrue(m.contains("closed the connection") || m.contains("within") || m.contains("failed"), m);
        }
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "failed within the timeout, no hang");
    }

    @Test
    void aStalledPeerTimesOutInsteadOfHanging() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<Future<float[]>> f = start(2, same(2), 1_500, ring -> {
            if (ring.rank() == 1) { // a machine that stops answering: its sockets stay open, nothing arrives
                release.await();
                return null;
            }
            ring.allReduce(new float[10], false);
            return new float[0];
        });
        long t0 = System.nanoTime();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f.get(0)::get);
        release.countDown();
        assertTrue(
                e.getCause().getMessage().contains("no data from worker 1 within 1500 ms"),
                e.getCause().getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 8, "bounded by the timeout");
    }
}
