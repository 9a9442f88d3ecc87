package dev.nabla;

/**
 * A seeded source of random numbers: the same seed gives the same numbers on every machine.
 * The algorithm is {@link java.util.SplittableRandom}'s (SplitMix64 with the golden gamma, its bounded-int and
 * double conversions), written out here so that the whole state can be saved and restored: a checkpoint holds
 * it, and a resumed run draws exactly the numbers the uninterrupted run would have drawn. Normals by the
 * Box-Muller transform, one spare kept (also part of the state).
 */
public final class Generator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final Generator defaultGenerator = new Generator(0x5EED);

    private long seed;
    private long state;
    private double spareNormal;
    private boolean hasSpare;

    /** A generator seeded with seed (the same seed gives the same draws). */
    public Generator(long seed) {
        manualSeed(seed);
    }

    private static final ThreadLocal<Generator> threadDefault = new ThreadLocal<>();

    /**
     * The default generator, used when an op or layer is given none: the process-wide one, or the one this thread
     * was given with {@link #useInThisThread} (so that several trainings in one JVM, e.g. Spark tasks of one executor,
     * draw from their own sequences instead of interleaving).
     */
    public static Generator global() {
        Generator g = threadDefault.get();
        return g != null ? g : defaultGenerator;
    }

    /**
     * Makes {@code g} this thread's default generator (what {@link #global()} returns on this thread) until the
     * returned scope is closed; layers built inside the scope (Dropout) keep drawing from it afterwards.
     */
    public static Scope useInThisThread(Generator g) {
        if (g == null) throw new IllegalArgumentException("Generator.useInThisThread: generator is null");
        Generator before = threadDefault.get();
        threadDefault.set(g);
        return () -> {
            if (before == null) threadDefault.remove();
            else threadDefault.set(before);
        };
    }

    /** Ends a {@link #useInThisThread} scope. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        /** Restores the thread's previous default generator. */
        @Override
        void close();
    }

    /** Re-seeds the default generator (this thread's, if it has one), as {@code torch.manual_seed}. */
    public static void seed(long seed) {
        global().manualSeed(seed);
    }

    /** Re-seeds this generator. Returns this. */
    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        this.state = seed;
        this.hasSpare = false;
        this.spareNormal = 0;
        return this;
    }

    /** The seed this generator was last seeded with. */
    public long initialSeed() {
        return seed;
    }

    /**
     * The complete state as four longs (initial seed, SplitMix64 state, whether a spare normal is held, the spare's
     * bits), for checkpoints; {@link #setState} puts it back.
     */
    public synchronized long[] getState() {
        return new long[] {seed, state, hasSpare ? 1 : 0, Double.doubleToRawLongBits(spareNormal)};
    }

    /** Whether {@code s} has the form {@link #getState} gives: 4 values, the third 0 or 1. */
    public static boolean isState(long[] s) {
        return s != null && s.length == 4 && (s[2] == 0 || s[2] == 1);
    }

    /** Restores a state from {@link #getState}. */
    public synchronized void setState(long[] s) {
        if (!isState(s))
            throw new IllegalArgumentException(
                    "Generator.setState: expected 4 values {seed, state, hasSpare 0|1, spare bits}, got "
                            + (s == null ? "null" : java.util.Arrays.toString(s)));
        seed = s[0];
        state = s[1];
        hasSpare = s[2] == 1;
        spareNormal = Double.longBitsToDouble(s[3]);
    }

    private long nextSeed() {
        return state += GOLDEN_GAMMA;
    }

    /** A seed derived from two numbers (e.g. a run's seed and an epoch), well spread: SplittableRandom's mix of a + golden·(b + 1). */
    public static long mix(long a, long b) {
        return mix64(a + 0x9e3779b97f4a7c15L * (b + 1));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }

    /** Uniform in [0, 1). */
    public synchronized double nextDouble() {
        return (mix64(nextSeed()) >>> 11) * 0x1.0p-53;
    }

    /** Fills out with the draws that as many {@link #nextDouble} calls would give, in order, under one lock. */
    public synchronized void nextDoubles(double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = (mix64(nextSeed()) >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound). */
    public synchronized int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("Generator.nextInt: bound must be positive, got " + bound);
        int r = mix32(nextSeed());
        int m = bound - 1;
        if ((bound & m) == 0) return r & m;
        for (int u = r >>> 1; u + m - (r = u % bound) < 0; u = mix32(nextSeed()) >>> 1) {
            // rejection: keeps the result uniform
        }
        return r;
    }

    /** A uniformly distributed long. */
    public synchronized long nextLong() {
        return mix64(nextSeed());
    }

    /** Standard normal. */
    public synchronized double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 <= Double.MIN_NORMAL);
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }
}
