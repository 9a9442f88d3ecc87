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
     * Shape: input of the first layer to output of the last. A Conv2d directly followed by a ReLU (and a 2x2
     * MaxPool2d) runs as one fused kernel ({@link Conv2d#forwardRelu}, {@link Conv2d#forwardReluMaxPool}): the same
     * values and gradients, without storing or re-reading the full-resolution activation.
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean fuse = x.dtype() == dev.nabla.DType.FLOAT32 && !ModelSummary.active();
        for (int i = 0; i < layers.length; i++) {
            Module m = layers[i];
            if (fuse && m instanceof Conv2d conv && i + 2 < layers.length && layers[i + 1] instanceof ReLU
                    && layers[i + 2] instanceof MaxPool2d pool && pool.isPlain2x2()) {
                x = conv.forwardReluMaxPool(x);
                i += 2;
                continue;
            }
            if (fuse && m instanceof Conv2d conv && i + 1 < layers.length && layers[i + 1] instanceof ReLU) {
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
