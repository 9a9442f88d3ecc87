package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;

/**
 * Gated recurrent unit, as PyTorch's {@code nn.GRU}: gates r, z, n; n = tanh(x_n + r·h_n), h = (1 − z)·n + z·h. See
 * {@link Recurrent}.
 */
public final class GRU extends Recurrent {
    /** One layer, sequence first. */
    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0, false, Generator.global(), DType.FLOAT32);
    }

    /** The full form. */
    public GRU(
            int inputSize,
            int hiddenSize,
            int numLayers,
            boolean bias,
            boolean batchFirst,
            double dropout,
            boolean bidirectional,
            Generator g,
            DType dtype) {
        super(Cell.GRU, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, g, dtype);
    }
}
