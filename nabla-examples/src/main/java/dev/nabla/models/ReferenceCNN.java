package dev.nabla.models;

import dev.nabla.Tensor;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;

/**
 * The reference CNN of the seed program, with PyTorch's parameter names (classifier.0.weight ... classifier.10.bias):
 * Conv(1→32, 3x3, pad 1)-ReLU-MaxPool(2), Conv(32→64, 3x3, pad 1)-ReLU-MaxPool(2), Flatten,
 * Linear(3136→128)-ReLU-Dropout(0.3)-Linear(128→10). Shape: [N, 1, 28, 28] → [N, 10] logits.
 */
public final class ReferenceCNN extends Module {
    private final Sequential classifier;

    /** The reference CNN with PyTorch's default initialisation from the global generator. */
    public ReferenceCNN() {
        classifier = child(
                "classifier",
                new Sequential(
                        new Conv2d(1, 32, 3, Conv2d.Options.defaults().padding(1)),
                        new ReLU(),
                        new MaxPool2d(2),
                        new Conv2d(32, 64, 3, Conv2d.Options.defaults().padding(1)),
                        new ReLU(),
                        new MaxPool2d(2),
                        new Flatten(),
                        new Linear(3136, 128),
                        new ReLU(),
                        new Dropout(0.3),
                        new Linear(128, 10)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return classifier.call(x);
    }
}
