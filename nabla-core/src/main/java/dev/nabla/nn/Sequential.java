package dev.nabla.nn;

import dev.nabla.Tensor;

/** Modules applied in order; children are named "0", "1", ... as in PyTorch. */
public final class Sequential extends Module {
    private final Module[] layers;

    public Sequential(Module... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) child(Integer.toString(i), layers[i]);
    }

    /** Shape: input of the first layer to output of the last. */
    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) {
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
