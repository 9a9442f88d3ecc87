package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Samples and batches with fields beyond input and target (masks, lengths), through TensorDataset and DataLoader. */
class BatchFieldsTest {
    @Test
    void tensorDatasetBatchesCarryTheirFieldsRowByRow() {
        Tensor x = Tensor.arange(0, 12, 1).reshape(4, 3);
        Tensor y = Tensor.of(new long[] {0, 1, 2, 3}, 4);
        Tensor lengths = Tensor.of(new long[] {3, 1, 2, 3}, 4);
        Tensor mask = Tensor.of(
                new boolean[] {true, true, true, true, false, false, true, true, false, true, true, true}, 4, 3);
        TensorDataset d = new TensorDataset(x, y, Map.of("lengths", lengths, "mask", mask));
        assertEquals(2, d.get(2).fields().size());
        for (Dataset.Batch b : new DataLoader(d, 3, true, false, 5)) {
            long[] ys = b.targets().toLongArray(), ls = b.field("lengths").toLongArray();
            boolean[] ms = b.field("mask").toBooleanArray();
            for (int i = 0; i < ys.length; i++) {
                int row = (int) ys[i];
                assertEquals(lengths.toLongArray()[row], ls[i]);
                for (int t = 0; t < 3; t++) assertEquals(mask.toBooleanArray()[row * 3 + t], ms[i * 3 + t]);
            }
        }
        var e = assertThrows(
                IllegalArgumentException.class, () -> d.batch(new int[] {0}).field("weights"));
        assertTrue(
                e.getMessage().contains("no field 'weights' (fields: lengths, mask)")
                        || e.getMessage().contains("no field 'weights' (fields: mask, lengths)"),
                e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new TensorDataset(x, y, Map.of("lengths", Tensor.of(new long[] {1, 2}, 2))));
    }

    @Test
    void theDefaultCollationStacksTheFieldsOfGetAndNamesAMissingOne() {
        Dataset d = new Dataset() {
            @Override
            public int size() {
                return 3;
            }

            @Override
            public Sample get(int i) {
                Map<String, Tensor> f =
                        i == 2 ? Map.of() : Map.of("length", Tensor.scalar(i + 1, dev.nabla.DType.INT64));
                return new Sample(Tensor.full(i, 2), Tensor.scalar(i), f);
            }
        };
        Dataset.Batch b = d.batch(new int[] {1, 0});
        assertArrayEquals(new long[] {2, 1}, b.field("length").toLongArray());
        var e = assertThrows(IllegalArgumentException.class, () -> d.batch(new int[] {0, 2}));
        assertTrue(e.getMessage().contains("sample 2 has no field 'length'"), e.getMessage());
        assertEquals(Map.of(), new Dataset.Batch(Tensor.zeros(1), Tensor.zeros(1)).fields());
    }
}
