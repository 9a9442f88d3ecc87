package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;

/**
 * Long short-term memory, as PyTorch's {@code nn.LSTM}: gates i, f, g, o; c = f·c + i·g, h = o·tanh(c). See
 * {@link Recurrent}.
 */
public final class LSTM extends Recurrent {
    /** One layer, sequence first. */
    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0, false, Generator.global(), DType.FLOAT32);
    }

    /** The full form. */
    public LSTM(
            int inputSize,
            int hiddenSize,
            int numLayers,
            boolean bias,
            boolean batchFirst,
            double dropout,
            boolean bidirectional,
            Generator g,
            DType dtype) {
        super(Cell.LSTM, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, g, dtype);
    }
}
