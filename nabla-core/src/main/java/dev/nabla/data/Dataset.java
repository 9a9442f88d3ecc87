package dev.nabla.data;

import dev.nabla.Tensor;

/** Indexed samples: {@link #get} returns one (input, target) pair; {@link #size} how many there are. */
public interface Dataset {
    /** The number of samples. */
    int size();

    /** The sample at index (0 &lt;= index &lt; size()). */
    Sample get(int index);

    /** One example: an input tensor and its target (a class index as a 0-d int64 tensor, or any tensor). */
    record Sample(Tensor input, Tensor target) {}

    /** A batch of samples: inputs [B, ...] and targets [B, ...]. */
    record Batch(Tensor inputs, Tensor targets) {
        /** The number of samples in the batch. */
        public int size() {
            return inputs.size(0);
        }
    }

    /**
     * Collates the samples at the given indices into one batch. The default stacks {@link #get} results;
     * datasets backed by whole tensors override it to gather rows in one go.
     */
    default Batch batch(int[] indices) {
        Tensor[] in = new Tensor[indices.length], tg = new Tensor[indices.length];
        for (int i = 0; i < indices.length; i++) {
            Sample s = get(indices[i]);
            in[i] = s.input();
            tg[i] = s.target();
        }
        return new Batch(Tensor.stack(in, 0), Tensor.stack(tg, 0));
    }
}
