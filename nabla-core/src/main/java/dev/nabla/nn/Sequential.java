package dev.nabla.nn;

import dev.nabla.Tensor;

/** Modules applied in order; children are named "0", "1", ... as in PyTorch. */
public final class Sequential extends Module {
    private final Module[] layers;

    /** The layers, named 0, 1, ... in order. */
    public Sequential(Module... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) child(Integer.toString(i), layers[i]);
    }

    /**
     * Shape: input of the first layer to output of the last. Nothing is special-cased here: Conv2d, ReLU and a 2x2
     * MaxPool2d in a row run as one fused kernel because the ops fuse themselves ({@code dev.nabla.ops.Fusion}), in
     * Sequential and in a hand-written forward alike.
     */
    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.call(x);
        return x;
    }

    /** Layer i. */
    public Module get(int i) {
        return layers[i];
    }

    /** The number of layers. */
    public int size() {
        return layers.length;
    }
}
