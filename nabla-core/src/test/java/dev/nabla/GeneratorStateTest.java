package dev.nabla;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The generator draws SplittableRandom's numbers (its oracle) and its whole state round-trips, for exact resumes. */
class GeneratorStateTest {
    @Test
    void drawsExactlyWhatSplittableRandomDraws() {
        for (long seed : new long[] {0, 1, -7, 0x5EED, Long.MAX_VALUE}) {
            Generator g = new Generator(seed);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < 2000; i++) {
                switch (i % 4) {
                    case 0 -> assertEquals(r.nextDouble(), g.nextDouble());
                    case 1 -> assertEquals(r.nextLong(), g.nextLong());
                    case 2 ->
                        assertEquals(
                                r.nextInt(1 + i), g.nextInt(1 + i)); // odd and even bounds, powers of two among them
                    default -> assertEquals(r.nextInt(1 << (i % 31)), g.nextInt(1 << (i % 31)));
                }
            }
            assertEquals(
                    r.nextInt(Integer.MAX_VALUE), g.nextInt(Integer.MAX_VALUE)); // the rejection loop's widest case
        }
    }

    @Test
    void stateRoundTripsIncludingTheSpareNormal() {
        Generator g = new Generator(42);
        g.nextGaussian(); // leaves a spare normal in the state
        long[] saved = g.getState();
        double[] expected = {g.nextGaussian(), g.nextGaussian(), g.nextDouble(), g.nextInt(10)};
        Generator h = new Generator(999);
        h.setState(saved);
        assertArrayEquals(expected, new double[] {h.nextGaussian(), h.nextGaussian(), h.nextDouble(), h.nextInt(10)});
        assertEquals(42, h.initialSeed());
        assertThrows(IllegalArgumentException.class, () -> h.setState(new long[] {1, 2, 3, 4}));
        assertThrows(IllegalArgumentException.class, () -> h.setState(new long[] {1, 2}));
    }

    @Test
    void aThreadCanHaveItsOwnDefaultGenerator() throws Exception {
        Generator mine = new Generator(42);
        Generator processWide = Generator.global();
        try (var scope = Generator.useInThisThread(mine)) {
            assertSame(mine, Generator.global());
            var dropout = new dev.nabla.nn.Dropout(0.5); // layers built in the scope draw from it
            assertSame(mine, dropout.generator());
            Generator[] other = new Generator[1];
            Thread t = new Thread(() -> other[0] = Generator.global());
            t.start();
            t.join();
            assertSame(processWide, other[0]); // other threads keep the process-wide one
            try (var inner = Generator.useInThisThread(new Generator(1))) {
                assertNotSame(mine, Generator.global());
            }
            assertSame(mine, Generator.global()); // nested scopes restore
        }
        assertSame(processWide, Generator.global());
    }
}
