package dev.nabla.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.io.FileFormatException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Seeded mutation fuzzing of a file reader: each input is a valid seed file mutated a few times (bit flips,
 * interesting bytes and 32-bit integers, insertions, deletions, truncation, duplicated chunks). For every input the
 * reader must either succeed or throw the library's {@link FileFormatException} with a message that starts with the
 * file's path, and the bytes the reading thread allocates must stay within {@code memoryBound(inputSize)}.
 * The iteration count comes from the environment variable NABLA_FUZZ_ITERATIONS (the long run of scripts/fuzz),
 * else the default of the caller. A failing input is kept under target/fuzz-failures for reproduction.
 */
public final class Fuzz {
    private Fuzz() {}

    @FunctionalInterface
    public interface Reader {
        void read(Path file) throws Exception;
    }

    @FunctionalInterface
    public interface Bound {
        long maxBytes(long inputSize);
    }

    /** What a run saw, for the figures in RELIABILITY.md. */
    public record Result(String name, int inputs, int accepted, int rejected, long maxAllocated, double seconds) {
        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "fuzz %s: %d inputs, %d read, %d refused with FileFormatException, 0 other failures, max %,d bytes allocated per input, %.1f s",
                    name,
                    inputs,
                    accepted,
                    rejected,
                    maxAllocated,
                    seconds);
        }
    }

    public static int iterations(int defaultCount) {
        String env = System.getenv("NABLA_FUZZ_ITERATIONS");
        return env == null || env.isBlank() ? defaultCount : Integer.parseInt(env.strip());
    }

    public static Result run(
            String name,
            byte[][] seeds,
            int iterations,
            long seed,
            Path dir,
            String fileName,
            Bound bound,
            Reader reader)
            throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        SplittableRandom r = new SplittableRandom(seed);
        Path file = dir.resolve(fileName);
        int accepted = 0, rejected = 0;
        long maxAllocated = 0, t0 = System.nanoTime();
        for (byte[] s : seeds) { // warm-up on the valid seeds: class loading is not the reader's allocation
            Files.write(file, s);
            try {
                reader.read(file);
            } catch (FileFormatException expected) {
                // seeds may be invalid on purpose (pre-mutated inputs); the loop below checks them all
            }
        }
        for (int i = 0; i < iterations; i++) {
            byte[] input = mutate(seeds[r.nextInt(seeds.length)], r);
            Files.write(file, input);
            long before = threads.getThreadAllocatedBytes(tid);
            Throwable failure = null;
            try {
                reader.read(file);
                accepted++;
            } catch (FileFormatException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith(file.toString()))
                    failure = new AssertionError("message does not start with the file name: " + e.getMessage(), e);
                rejected++;
            } catch (Throwable e) {
                failure = e;
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            maxAllocated = Math.max(maxAllocated, allocated);
            if (failure == null && allocated > bound.maxBytes(input.length))
                failure = new AssertionError("allocated " + allocated + " bytes for an input of " + input.length
                        + " bytes (bound " + bound.maxBytes(input.length) + ")");
            if (failure != null) {
                Path keep = Path.of("target", "fuzz-failures", name + "-" + seed + "-" + i + "-" + fileName);
                Files.createDirectories(keep.getParent());
                Files.write(keep, input);
                fail("fuzz " + name + ", input " + i + " (kept as " + keep + "): " + failure, failure);
            }
        }
        Result res = new Result(name, iterations, accepted, rejected, maxAllocated, (System.nanoTime() - t0) / 1e9);
        System.out.println(res);
        return res;
    }

    private static final int[] INTERESTING = {
        0, 1, -1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0x7ffffff0, 0xffff, 0x10000, 60000, 28
    };

    static byte[] mutate(byte[] seed, SplittableRandom r) {
        byte[] b = seed.clone();
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            int n = b.length;
            switch (r.nextInt(8)) {
                case 0 -> {
                    if (n > 0) b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                }
                case 1 -> {
                    if (n > 0) b[r.nextInt(n)] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
                }
                case 2 -> { // a big-endian or little-endian 32-bit integer: sizes and dimensions
                    if (n >= 4) {
                        int at = r.nextInt(n - 3), v = INTERESTING[r.nextInt(INTERESTING.length)];
                        boolean big = r.nextBoolean();
                        for (int j = 0; j < 4; j++) b[at + j] = (byte) (big ? v >>> (24 - 8 * j) : v >>> (8 * j));
                    }
                }
                case 3 -> b = java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n)); // truncate
                case 4 -> { // delete a range
                    if (n > 1) {
                        int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(16, n - at));
                        byte[] c = new byte[n - len];
                        System.arraycopy(b, 0, c, 0, at);
                        System.arraycopy(b, at + len, c, at, n - at - len);
                        b = c;
                    }
                }
                case 5 -> { // insert random bytes
                    int at = n == 0 ? 0 : r.nextInt(n + 1), len = 1 + r.nextInt(8);
                    byte[] c = new byte[n + len];
                    System.arraycopy(b, 0, c, 0, at);
                    for (int j = 0; j < len; j++) c[at + j] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, c, at + len, n - at);
                    b = c;
                }
                case 6 -> { // duplicate a chunk
                    if (n > 0) {
                        int at = r.nextInt(n), len = 1 + r.nextInt(Math.min(32, n - at));
                        byte[] c = new byte[n + len];
                        System.arraycopy(b, 0, c, 0, at + len);
                        System.arraycopy(b, at, c, at + len, n - at);
                        b = c;
                    }
                }
                default -> {
                    if (n > 0) b[r.nextInt(n)] = (byte) r.nextInt(256);
                }
            }
        }
        return b;
    }
}
