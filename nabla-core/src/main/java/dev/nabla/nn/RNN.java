package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;

/** Elman RNN, h = tanh (or relu)(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), as PyTorch's {@code nn.RNN}; see {@link Recurrent}. */
public final class RNN extends Recurrent {
    /** One tanh layer, sequence first. */
    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, true, false, 0, false, Generator.global(), DType.FLOAT32);
    }

    /** The full form (relu: ReLU instead of tanh). */
    public RNN(
            int inputSize,
            int hiddenSize,
            int numLayers,
            boolean relu,
            boolean bias,
            boolean batchFirst,
            double dropout,
            boolean bidirectional,
            Generator g,
            DType dtype) {
        super(
                relu ? Cell.RELU : Cell.TANH,
                inputSize,
                hiddenSize,
                numLayers,
                bias,
                batchFirst,
                dropout,
                bidirectional,
                g,
                dtype);
    }
}
