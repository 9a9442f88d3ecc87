package dev.nabla.nn;

import dev.nabla.Tensor;

/** Modules applied in order; children are named "0", "1", ... as in PyTorch. */
public final class Sequential extends Module {
    private final Module[] layers;

    public Sequential(Module... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) child(Integer.toString(i), layers[i]);
    }

    /**
     * Shape: input of the first layer to output of the last. A Conv2d directly followed by a ReLU runs as one fused
     * kernel ({@link Conv2d#forwardRelu}): the same values and gradients, one pass less over the activation.
     */
    @Override
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.length; i++) {
            Module m = layers[i];
            if (m instanceof Conv2d conv && i + 1 < layers.length && layers[i + 1] instanceof ReLU && x.dtype() == dev.nabla.DType.FLOAT32) {
                x = conv.forwardRelu(x);
                ModelSummary.record(conv, x);
                ModelSummary.record(layers[++i], x);
                continue;
            }
            x = m.forward(x);
            ModelSummary.record(m, x);
        }
        return x;
    }

    public Module get(int i) {
        return layers[i];
    }

    public int size() {
        return layers.length;
    }
}
