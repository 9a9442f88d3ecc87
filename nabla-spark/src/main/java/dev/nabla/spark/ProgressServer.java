package dev.nabla.spark;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Consumer;

/**
 * The driver's end of the progress channel: rank 0 connects (proving the job's secret) and sends one line per epoch,
 * which the driver passes to the user's sink as they come, so that a distributed run shows its progress where it was
 * started. The channel is a courtesy: a worker that cannot reach it trains on.
 */
final class ProgressServer implements AutoCloseable {
    private final ServerSocket server;
    private final String address;
    private final Thread acceptor;
    private volatile boolean reading;

    /** Step lines start with this (then epoch, step, steps, running loss and accuracy); all other lines are epoch lines. */
    static final String STEP = "\u0001step ";

    private ProgressServer(
            ServerSocket server, String address, byte[] secret, Consumer<String> sink, NablaSpark.StepListener steps) {
        this.server = server;
        this.address = address;
        this.acceptor = new Thread(
                () -> {
                    while (!server.isClosed()) {
                        try (Socket s = server.accept()) {
                            s.setSoTimeout(0);
                            byte[] token = new byte[32];
                            new DataInputStream(s.getInputStream()).readFully(token);
                            if (!MessageDigest.isEqual(token, token(secret))) continue;
                            reading = true;
                            BufferedReader r = new BufferedReader(
                                    new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                            for (String line; (line = r.readLine()) != null; ) {
                                if (!line.startsWith(STEP)) {
                                    sink.accept(line);
                                    continue;
                                }
                                if (steps == null) continue;
                                String[] f = line.substring(STEP.length()).split(" ");
                                try {
                                    steps.step(
                                            Integer.parseInt(f[0]),
                                            Integer.parseInt(f[1]),
                                            Integer.parseInt(f[2]),
                                            Double.parseDouble(f[3]),
                                            Double.parseDouble(f[4]));
                                } catch (RuntimeException e) {
                                    // a malformed or failing update: progress is a courtesy
                                }
                            }
                        } catch (IOException e) {
                            // closed by the driver at the end, or a connection that broke: wait for the next (a retried
                            // stage)
                        } finally {
                            reading = false;
                        }
                    }
                },
                "nabla-spark-progress");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static ProgressServer start(String host, byte[] secret, Consumer<String> sink, NablaSpark.StepListener steps) {
        try {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return new ProgressServer(s, host + ":" + s.getLocalPort(), secret, sink, steps);
        } catch (IOException e) {
            return null; // no progress channel: the run still works, the lines go to rank 0's log
        }
    }

    String address() {
        return address;
    }

    static byte[] token(byte[] secret) {
        return RingAllReduce.hmac(secret, "nabla-progress".getBytes(StandardCharsets.UTF_8));
    }

    /** Rank 0's end: connects to the driver, or returns null (progress then only goes to the worker's log). */
    static PrintStream connect(String address, byte[] secret) {
        if (address == null) return null;
        int colon = address.lastIndexOf(':');
        try {
            Socket s = new Socket();
            s.connect(
                    new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                    5000);
            OutputStream o = s.getOutputStream();
            o.write(token(secret));
            o.flush();
            return new PrintStream(o, true, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Stops listening, after the lines rank 0 already sent have reached the sink (rank 0 closes before it returns). */
    @Override
    public void close() {
        long deadline = System.currentTimeMillis() + 2000;
        while (reading && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
