package dev.nabla.data;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import java.util.Map;

/**
 * Samples are the rows of tensors: inputs [N, ...], targets [N, ...] and any further named fields [N, ...] (masks,
 * lengths). Batches gather rows directly.
 */
public final class TensorDataset implements Dataset {
    private final Tensor inputs, targets;
    private final Map<String, Tensor> fields;

    /** Samples as rows of inputs and targets (same first dimension). */
    public TensorDataset(Tensor inputs, Tensor targets) {
        this(inputs, targets, Map.of());
    }

    /** Samples as rows of inputs, targets and the named fields (all with the same first dimension). */
    public TensorDataset(Tensor inputs, Tensor targets, Map<String, Tensor> fields) {
        if (inputs.rank() == 0 || targets.rank() == 0 || inputs.size(0) != targets.size(0))
            throw new IllegalArgumentException("TensorDataset: inputs " + Shape.str(inputs.shape()) + " and targets "
                    + Shape.str(targets.shape()) + " must have the same first dimension");
        for (var f : fields.entrySet())
            if (f.getValue().rank() == 0 || f.getValue().size(0) != inputs.size(0))
                throw new IllegalArgumentException("TensorDataset: field '" + f.getKey() + "' "
                        + Shape.str(f.getValue().shape()) + " must have the inputs' first dimension "
                        + inputs.size(0));
        this.inputs = inputs;
        this.targets = targets;
        this.fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** All inputs. */
    public Tensor inputs() {
        return inputs;
    }

    /** All targets. */
    public Tensor targets() {
        return targets;
    }

    @Override
    public int size() {
        return inputs.size(0);
    }

    /** The further fields by name. */
    public Map<String, Tensor> fields() {
        return fields;
    }

    @Override
    public Sample get(int i) {
        Map<String, Tensor> row = new java.util.LinkedHashMap<>();
        fields.forEach((k, v) -> row.put(k, v.select(0, i)));
        return new Sample(inputs.select(0, i), targets.select(0, i), row);
    }

    @Override
    public Batch batch(int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) idx[i] = indices[i];
        Tensor index = Tensor.of(idx);
        Map<String, Tensor> rows = new java.util.LinkedHashMap<>();
        fields.forEach((k, v) -> rows.put(k, v.index(index)));
        return new Batch(inputs.index(index), targets.index(index), rows);
    }
}
