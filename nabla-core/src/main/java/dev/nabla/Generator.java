package dev.nabla;

import java.util.SplittableRandom;

/**
 * A seeded source of random numbers: the same seed gives the same numbers on every machine.
 * Backed by {@link SplittableRandom}; normals by the Box-Muller transform.
 */
public final class Generator {
    private static Generator defaultGenerator = new Generator(0x5EED);

    private SplittableRandom random;
    private long seed;
    private double spareNormal;
    private boolean hasSpare;

    public Generator(long seed) {
        manualSeed(seed);
    }

    /** The process-wide default generator, used when an op is given none. */
    public static Generator global() {
        return defaultGenerator;
    }

    /** Re-seeds the default generator, as {@code torch.manual_seed}. */
    public static void seed(long seed) {
        defaultGenerator.manualSeed(seed);
    }

    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.hasSpare = false;
        return this;
    }

    public long initialSeed() {
        return seed;
    }

    /** Uniform in [0, 1). */
    public synchronized double nextDouble() {
        return random.nextDouble();
    }

    /** Uniform integer in [0, bound). */
    public synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public synchronized long nextLong() {
        return random.nextLong();
    }

    /** Standard normal. */
    public synchronized double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u1;
        do {
            u1 = random.nextDouble();
        } while (u1 <= Double.MIN_NORMAL);
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }
}
