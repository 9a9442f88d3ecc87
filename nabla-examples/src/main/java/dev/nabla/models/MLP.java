package dev.nabla.models;

import dev.nabla.Tensor;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;

/** A multilayer perceptron with ReLU between layers, e.g. 784-256-128-10 for images. Shape: [N, *] → [N, sizes[last]]. */
public final class MLP extends Module {
    private final Sequential classifier;

    /** Linear layers of the given sizes (e.g. 784, 256, 128, 10) with ReLU between them. */
    public MLP(int... sizes) {
        if (sizes.length < 2)
            throw new IllegalArgumentException(
                    "MLP: needs at least an input and an output size, got " + java.util.Arrays.toString(sizes));
        Module[] layers = new Module[1 + 2 * (sizes.length - 1) - 1];
        int k = 0;
        layers[k++] = new Flatten();
        for (int i = 0; i + 1 < sizes.length; i++) {
            layers[k++] = new Linear(sizes[i], sizes[i + 1]);
            if (i + 2 < sizes.length) layers[k++] = new ReLU();
        }
        classifier = child("classifier", new Sequential(layers));
    }

    @Override
    public Tensor forward(Tensor x) {
        return classifier.call(x);
    }
}
