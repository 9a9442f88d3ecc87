package dev.nabla.data;

import dev.nabla.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Indexed samples: {@link #get} returns one (input, target) pair; {@link #size} how many there are. */
public interface Dataset {
    /** The number of samples. */
    int size();

    /** The sample at index (0 &lt;= index &lt; size()). */
    Sample get(int index);

    /**
     * One example: an input tensor and its target (a class index as a 0-d int64 tensor, or any tensor), and any
     * further named fields (a mask, a length, a second input), empty for most datasets.
     */
    record Sample(Tensor input, Tensor target, Map<String, Tensor> fields) {
        /** An example of an input and a target only. */
        public Sample(Tensor input, Tensor target) {
            this(input, target, Map.of());
        }

        /** The compact form checks and copies the fields (ordered by insertion). */
        public Sample {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    /**
     * A batch of samples: inputs [B, ...], targets [B, ...], and the samples' further fields stacked the same way
     * (e.g. "mask" [B, T], "lengths" [B]).
     */
    record Batch(Tensor inputs, Tensor targets, Map<String, Tensor> fields) {
        /** A batch of inputs and targets only. */
        public Batch(Tensor inputs, Tensor targets) {
            this(inputs, targets, Map.of());
        }

        /** The compact form copies the fields (ordered by insertion). */
        public Batch {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        /** The number of samples in the batch. */
        public int size() {
            return inputs.size(0);
        }

        /** The field of that name; an error listing the fields there are when it is missing. */
        public Tensor field(String name) {
            Tensor t = fields.get(name);
            if (t == null)
                throw new IllegalArgumentException(
                        "Batch: no field '" + name + "' (fields: " + String.join(", ", fields.keySet()) + ")");
            return t;
        }
    }

    /**
     * Collates the samples at the given indices into one batch. The default stacks {@link #get} results;
     * datasets backed by whole tensors override it to gather rows in one go.
     */
    default Batch batch(int[] indices) {
        Tensor[] in = new Tensor[indices.length], tg = new Tensor[indices.length];
        Map<String, Tensor[]> extra = new LinkedHashMap<>();
        for (int i = 0; i < indices.length; i++) {
            Sample s = get(indices[i]);
            in[i] = s.input();
            tg[i] = s.target();
            for (var f : s.fields().entrySet()) {
                Tensor[] column = extra.computeIfAbsent(f.getKey(), k -> new Tensor[indices.length]);
                column[i] = f.getValue();
            }
        }
        Map<String, Tensor> fields = new LinkedHashMap<>();
        for (var f : extra.entrySet()) {
            for (int i = 0; i < indices.length; i++)
                if (f.getValue()[i] == null)
                    throw new IllegalArgumentException("Dataset.batch: sample " + indices[i] + " has no field '"
                            + f.getKey() + "' that other samples of the batch have");
            fields.put(f.getKey(), Tensor.stack(f.getValue(), 0));
        }
        return new Batch(Tensor.stack(in, 0), Tensor.stack(tg, 0), fields);
    }
}
