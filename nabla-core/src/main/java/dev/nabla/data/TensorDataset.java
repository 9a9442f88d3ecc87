package dev.nabla.data;

import dev.nabla.Shape;
import dev.nabla.Tensor;

/** Samples are the rows of two tensors: inputs [N, ...] and targets [N, ...]. Batches gather rows directly. */
public final class TensorDataset implements Dataset {
    private final Tensor inputs, targets;

    /** Samples as rows of inputs and targets (same first dimension). */
    public TensorDataset(Tensor inputs, Tensor targets) {
        if (inputs.rank() == 0 || targets.rank() == 0 || inputs.size(0) != targets.size(0))
            throw new IllegalArgumentException("TensorDataset: inputs " + Shape.str(inputs.shape()) + " and targets "
                    + Shape.str(targets.shape()) + " must have the same first dimension");
        this.inputs = inputs;
        this.targets = targets;
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

    @Override
    public Sample get(int i) {
        return new Sample(inputs.select(0, i), targets.select(0, i));
    }

    @Override
    public Batch batch(int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) idx[i] = indices[i];
        Tensor index = Tensor.of(idx);
        return new Batch(inputs.index(index), targets.index(index));
    }
}
