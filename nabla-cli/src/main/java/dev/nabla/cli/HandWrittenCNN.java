package dev.nabla.cli;

import dev.nabla.Tensor;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.F;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;

/**
 * The reference CNN as a user writes it by hand: layers as fields, {@code forward} calling conv, relu and max-pool
 * one by one (no Sequential). The benchmark runs it beside {@link dev.nabla.models.ReferenceCNN} to show that fusion
 * does not depend on the container. Same parameter names as PyTorch's equivalent module (conv1.weight, ...).
 */
final class HandWrittenCNN extends Module {
    private final Conv2d conv1 =
            child("conv1", new Conv2d(1, 32, 3, Conv2d.Options.defaults().padding(1)));
    private final Conv2d conv2 =
            child("conv2", new Conv2d(32, 64, 3, Conv2d.Options.defaults().padding(1)));
    private final Linear fc1 = child("fc1", new Linear(3136, 128));
    private final Dropout dropout = child("dropout", new Dropout(0.3));
    private final Linear fc2 = child("fc2", new Linear(128, 10));

    @Override
    public Tensor forward(Tensor x) {
        x = F.maxPool2d(conv1.call(x).relu(), 2);
        x = conv2.call(x);
        x = x.relu();
        x = F.maxPool2d(x, 2);
        x = x.flatten(1);
        x = fc1.call(x).relu();
        return fc2.call(dropout.call(x));
    }
}
