package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Background workers give the batches of the single-threaded loader, in order, with the same random augmentations. */
class DataLoaderWorkersTest {
    private static Dataset augmented() {
        Tensor images = Tensor.rand(new Generator(5), 37, 1, 6, 6), labels = Tensor.randint(new Generator(6), 0, 3, 37);
        return Transforms.apply(
                new TensorDataset(images, labels),
                Transforms.compose(Transforms.randomHorizontalFlip(0.5), Transforms.randomShift(2, 0.0)));
    }

    private static List<float[]> epoch(DataLoader l, int e) {
        l.setEpoch(e);
        List<float[]> out = new ArrayList<>();
        for (Dataset.Batch b : l) {
            out.add(b.inputs().toFloatArray());
            out.add(b.targets().toFloat().toFloatArray());
        }
        return out;
    }

    @Test
    void anyNumberOfWorkersGivesTheSameBatchesAndAugmentations() {
        Dataset d = augmented();
        List<float[]> serial = epoch(new DataLoader(d, 8, true, false, 11), 3);
        for (int w : new int[] {1, 2, 4}) {
            List<float[]> parallel = epoch(new DataLoader(d, 8, true, false, 11).workers(w), 3);
            assertEquals(serial.size(), parallel.size());
            for (int i = 0; i < serial.size(); i++)
                assertArrayEquals(serial.get(i), parallel.get(i), "workers " + w + ", array " + i);
        }
        assertNotEquals(
                java.util.Arrays.toString(serial.get(0)),
                java.util.Arrays.toString(
                        epoch(new DataLoader(d, 8, true, false, 11), 4).get(0)),
                "another epoch, other draws");
    }

    @Test
    void aWorkersErrorReachesTheTrainingThreadAsItself() {
        Dataset bad = new Dataset() {
            @Override
            public int size() {
                return 10;
            }

            @Override
            public Sample get(int i) {
                if (i == 7) throw new IllegalArgumentException("sample 7 is corrupt");
                return new Sample(Tensor.zeros(2), Tensor.of(new long[] {0}).reshape());
            }
        };
        DataLoader l = new DataLoader(bad, 4, false).workers(2);
        var it = l.iterator();
        it.next();
        var e = assertThrows(IllegalArgumentException.class, it::next);
        assertEquals("sample 7 is corrupt", e.getMessage());
    }

    @Test
    void leavingAnEpochEarlyIsHarmlessAndTheNextOneStartsClean() {
        DataLoader l = new DataLoader(augmented(), 5, true, false, 2).workers(2, 4);
        var it = l.iterator();
        it.next();
        it.next(); // abandoned after two batches
        int n = 0;
        for (Dataset.Batch b : l) n += b.size();
        assertEquals(37, n);
        assertTrue(l.workers() == 2);
        assertThrows(IllegalArgumentException.class, () -> l.workers(-1));
        assertThrows(IllegalArgumentException.class, () -> l.workers(3, 2));
    }
}
