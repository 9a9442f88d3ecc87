package dev.nabla.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sums (or averages) a float array across N workers with a ring all-reduce over TCP sockets, as data-parallel
 * training needs after every backward pass: a reduce-scatter (N-1 steps, each worker sends one of N segments to the
 * next worker and adds the segment it receives from the previous one) and an all-gather (N-1 steps passing on the
 * finished segments). Each worker sends and receives 2(N-1)/N of the array, whatever N.
 *
 * <p>Every worker ends with bit-identical values: each segment is summed once, in ring order, by the worker that
 * finishes it, and then copied. Workers find each other through a list of addresses (Spark's barrier tasks exchange
 * them with one {@code allGather}); each connection starts with a handshake that proves knowledge of the job's shared
 * secret (HMAC-SHA256 over the two ranks and a fresh challenge), so no other process can join the ring. Every read
 * and write has a timeout, so a dead peer fails the operation with an error naming it instead of hanging.
 */
public final class RingAllReduce implements AutoCloseable {
    private static final int MAGIC = 0x4e41424c; // "NABL"

    private final int rank, size;
    private final Socket toNext, fromPrev;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final ExecutorService sender;
    private final long timeoutMs;

    private RingAllReduce(int rank, int size, Socket toNext, Socket fromPrev, long timeoutMs) throws IOException {
        this.rank = rank;
        this.size = size;
        this.toNext = toNext;
        this.fromPrev = fromPrev;
        this.timeoutMs = timeoutMs;
        this.out = toNext == null
                ? null
                : new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
        this.in = fromPrev == null
                ? null
                : new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 16));
        this.sender = size == 1
                ? null
                : Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "nabla-ring-send-" + rank);
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Joins the ring as worker {@code rank} of {@code addresses.size()}: listens on {@code server} (bound by the
     * caller to this worker's own address, so that its port could be published first), connects to the next worker
     * and accepts the previous one, each connection checked with the shared secret. Blocks until both connections
     * stand or {@code timeoutMs} has passed.
     */
    public static RingAllReduce connect(
            int rank, List<InetSocketAddress> addresses, ServerSocket server, byte[] secret, long timeoutMs)
            throws IOException {
        int n = addresses.size();
        if (n < 1 || rank < 0 || rank >= n)
            throw new IllegalArgumentException("RingAllReduce: rank " + rank + " of " + n + " workers");
        if (secret == null || secret.length < 16)
            throw new IllegalArgumentException("RingAllReduce: the shared secret must have at least 16 bytes");
        if (timeoutMs < 1)
            throw new IllegalArgumentException("RingAllReduce: timeout must be positive, got " + timeoutMs);
        if (n == 1) return new RingAllReduce(0, 1, null, null, timeoutMs);
        int next = (rank + 1) % n, prev = (rank + n - 1) % n;
        long deadline = System.currentTimeMillis() + timeoutMs;
        ExecutorService acceptor = Executors.newSingleThreadExecutor();
        try {
            Future<Socket> accepted = acceptor.submit(() -> accept(server, rank, prev, secret, deadline));
            Socket toNext = dial(addresses.get(next), rank, next, secret, deadline);
            Socket fromPrev;
            try {
                fromPrev = accepted.get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                toNext.close();
                throw new IOException(
                        "ring worker " + rank + ": worker " + prev + " did not connect within " + timeoutMs + " ms");
            } catch (ExecutionException e) {
                toNext.close();
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting the ring");
            }
            for (Socket s : new Socket[] {toNext, fromPrev}) {
                s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
                s.setTcpNoDelay(true);
            }
            return new RingAllReduce(rank, n, toNext, fromPrev, timeoutMs);
        } finally {
            acceptor.shutdownNow();
        }
    }

    /** Connects to the next worker (retrying while it is not listening yet) and answers its challenge. */
    private static Socket dial(InetSocketAddress to, int rank, int next, byte[] secret, long deadline)
            throws IOException {
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            Socket s = new Socket();
            try {
                s.connect(to, (int) Math.max(1, Math.min(5000, deadline - System.currentTimeMillis())));
                s.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                DataOutputStream o = new DataOutputStream(s.getOutputStream());
                DataInputStream i = new DataInputStream(s.getInputStream());
                o.writeInt(MAGIC);
                o.writeInt(rank);
                o.flush();
                byte[] challenge = new byte[32];
                i.readFully(challenge);
                o.write(mac(secret, rank, next, challenge));
                o.flush();
                if (i.readInt() != MAGIC)
                    throw new IOException("ring worker " + next + " at " + to + " refused the handshake");
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
                if (!(e instanceof java.net.ConnectException))
                    throw new IOException(
                            "ring worker " + rank + ": handshake with worker " + next + " at " + to + " failed: "
                                    + e.getMessage(),
                            e);
                sleep(50);
            }
        }
        throw new IOException("ring worker " + rank + ": could not connect to worker " + next + " at " + to
                + " before the timeout" + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /** Accepts connections until one proves the secret and comes from the previous worker; others are closed. */
    private static Socket accept(ServerSocket server, int rank, int prev, byte[] secret, long deadline)
            throws IOException {
        java.security.SecureRandom random = new java.security.SecureRandom();
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0)
                throw new SocketTimeoutException("ring worker " + rank + ": no handshake from worker " + prev);
            server.setSoTimeout((int) left);
            Socket s = server.accept();
            try {
                s.setSoTimeout((int) Math.max(1, Math.min(left, 10_000)));
                DataInputStream i = new DataInputStream(s.getInputStream());
                DataOutputStream o = new DataOutputStream(s.getOutputStream());
                if (i.readInt() != MAGIC) throw new IOException("not a Nabla ring peer");
                int from = i.readInt();
                byte[] challenge = new byte[32];
                random.nextBytes(challenge);
                o.write(challenge);
                o.flush();
                byte[] answer = new byte[32];
                i.readFully(answer);
                if (from != prev || !MessageDigest.isEqual(answer, mac(secret, from, rank, challenge)))
                    throw new IOException("wrong secret or rank");
                o.writeInt(MAGIC);
                o.flush();
                return s;
            } catch (IOException e) {
                s.close(); // an intruder, a stray connection or a wrong job: keep waiting for the real peer
            }
        }
    }

    private static byte[] mac(byte[] secret, int from, int to, byte[] challenge) {
        return hmac(secret, ("nabla-ring " + from + "->" + to).getBytes(StandardCharsets.UTF_8), challenge);
    }

    /** HMAC-SHA256 under the job's secret of the parts, in order: every proof of the secret in nabla-spark. */
    static byte[] hmac(byte[] secret, byte[]... parts) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            for (byte[] part : parts) m.update(part);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This worker's rank. */
    public int rank() {
        return rank;
    }

    /** The number of workers. */
    public int size() {
        return size;
    }

    /** Segment s of an array of n values split into `size` near-equal parts: [start, end). */
    static int segmentStart(int n, int parts, int s) {
        return (int) ((long) n * s / parts);
    }

    /**
     * Replaces data with the element-wise sum over all workers (every worker must call it with an array of the same
     * length); with {@code average}, divides by the number of workers. All workers end with the same bits.
     */
    public void allReduce(float[] data, boolean average) throws IOException {
        int n = data.length, p = size;
        if (p > 1 && n > 0) {
            float[] buf = new float[segmentStart(n, p, 1) + 1 + n / p + 1];
            // reduce-scatter: after step k, this worker holds the partial sum of k + 2 workers in segment (rank - k -
            // 1)
            for (int k = 0; k < p - 1; k++) {
                int sendSeg = Math.floorMod(rank - k, p), recvSeg = Math.floorMod(rank - k - 1, p);
                exchange(data, sendSeg, recvSeg, buf);
                int s = segmentStart(n, p, recvSeg), e = segmentStart(n, p, recvSeg + 1);
                for (int i = s; i < e; i++) data[i] += buf[i - s];
            }
            // all-gather: the finished segment (rank + 1) travels around the ring
            for (int k = 0; k < p - 1; k++) {
                int sendSeg = Math.floorMod(rank + 1 - k, p), recvSeg = Math.floorMod(rank - k, p);
                exchange(data, sendSeg, recvSeg, buf);
                int s = segmentStart(n, p, recvSeg), e = segmentStart(n, p, recvSeg + 1);
                System.arraycopy(buf, 0, data, s, e - s);
            }
        }
        if (average && p > 1) {
            float inv = 1f / p;
            for (int i = 0; i < n; i++) data[i] *= inv;
        }
    }

    /** Sends segment sendSeg of data to the next worker while receiving segment recvSeg from the previous one into buf. */
    private void exchange(float[] data, int sendSeg, int recvSeg, float[] buf) throws IOException {
        int n = data.length;
        int ss = segmentStart(n, size, sendSeg), se = segmentStart(n, size, sendSeg + 1);
        int rs = segmentStart(n, size, recvSeg), re = segmentStart(n, size, recvSeg + 1);
        byte[] sendBytes = new byte[(se - ss) * 4];
        ByteBuffer.wrap(sendBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .put(data, ss, se - ss);
        Future<?> sent = sender.submit(() -> {
            out.writeInt(sendBytes.length);
            out.write(sendBytes);
            out.flush();
            return null;
        });
        int prev = Math.floorMod(rank - 1, size);
        try {
            int len = in.readInt();
            if (len != (re - rs) * 4)
                throw new IOException("ring worker " + rank + ": worker " + prev + " sent " + len + " bytes where "
                        + (re - rs) * 4 + " were expected (arrays of different lengths?)");
            byte[] recvBytes = new byte[len];
            in.readFully(recvBytes);
            ByteBuffer.wrap(recvBytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(buf, 0, re - rs);
        } catch (SocketTimeoutException e) {
            throw new IOException(
                    "ring worker " + rank + ": no data from worker " + prev + " within " + timeoutMs
                            + " ms (dead or stalled?)",
                    e);
        } catch (EOFException e) {
            throw new IOException(
                    "ring worker " + rank + ": worker " + prev + " closed the connection (it died or left the job)", e);
        }
        try {
            sent.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("ring worker " + rank + ": worker " + (rank + 1) % size
                    + " did not take the data within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            throw new IOException(
                    "ring worker " + rank + ": sending to worker " + (rank + 1) % size + " failed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public void close() {
        if (sender != null) sender.shutdownNow();
        for (Socket s : new Socket[] {toNext, fromPrev})
            if (s != null)
                try {
                    s.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
    }
}
