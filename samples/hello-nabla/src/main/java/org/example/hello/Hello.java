package org.example.hello;

import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.data.Csv;
import dev.nabla.data.DataLoader;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.Safetensors;
import dev.nabla.nn.*;
import dev.nabla.nn.Module;   // with dev.nabla.nn.*, this single-type import wins over java.lang.Module
import dev.nabla.optim.Adam;
import dev.nabla.train.EarlyStopping;
import dev.nabla.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Three programs a new user writes from the README: a hand-written CNN module (its summary, a hook and a training
 * step), a CSV regression with early stopping (the file as Excel writes it), and a safetensors round trip. Prints
 * one "ok ..." line per program, which scripts/sample-app-check looks for.
 */
public final class Hello {
    /** A CNN written by hand: fields and a forward, no Sequential. */
    static final class SmallCnn extends Module {
        final Conv2d conv1 = child("conv1", new Conv2d(1, 8, 3, Conv2d.Options.defaults().padding(1)));
        final Conv2d conv2 = child("conv2", new Conv2d(8, 16, 3, Conv2d.Options.defaults().padding(1)));
        final Linear fc = child("fc", new Linear(16 * 7 * 7, 10));

        @Override
        public Tensor forward(Tensor x) {
            x = F.maxPool2d(conv1.call(x).relu(), 2);
            x = F.maxPool2d(conv2.call(x).relu(), 2);
            return fc.call(x.flatten(1));
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println("nabla " + Nabla.version() + ", vectorized=" + Nabla.vectorized() + ", module " + (Nabla.class.getModule().isNamed() ? Nabla.class.getModule().getName() : "(class path)"));
        Nabla.manualSeed(0);

        // 1. a hand-written CNN: summary rows for every layer, a forward hook, one Adam step
        SmallCnn cnn = new SmallCnn();
        String summary = cnn.summary(2, 1, 28, 28);
        if (!summary.contains("conv2: Conv2d") || !summary.contains("fc: Linear")) throw new AssertionError(summary);
        int[] seen = {0};
        try (var h = cnn.conv1.registerForwardHook((m, in, out) -> {
            seen[0]++;
            return null;
        })) {
            Tensor x = Tensor.randn(new dev.nabla.Generator(1), 16, 1, 28, 28);
            Tensor y = Tensor.randint(new dev.nabla.Generator(2), 0, 10, 16);
            var opt = new Adam(cnn.parameters(), 1e-3);
            Tensor loss = new CrossEntropyLoss().apply(cnn.call(x), y);
            loss.backward();
            opt.step();
            System.out.printf(Locale.ROOT, "ok cnn: loss %.4f, hook calls %d, params %d%n", loss.item(), seen[0], cnn.parameterCount());
        }

        // 2. CSV regression (BOM, quoted header, as Excel writes it) with early stopping on a validation split
        Path dir = Files.createTempDirectory("hello-nabla");
        StringBuilder csv = new StringBuilder("\uFEFF\"x\",\"y\"\r\n");
        var g = new java.util.Random(3);
        for (int i = 0; i < 200; i++) {
            double x = g.nextDouble() * 4 - 2;
            csv.append(String.format(Locale.ROOT, "%.5f,%.5f\r\n", x, 3 * x - 1 + 0.05 * g.nextGaussian()));
        }
        Path file = dir.resolve("data.csv");
        Files.writeString(file, csv);
        TensorDataset data = Csv.read(file, true, "y", false);
        var split = DataLoader.randomSplit(data, new int[] {160, 40}, 0);
        var model = new Sequential(new Linear(1, 8), new Tanh(), new Linear(8, 1));
        var trainer = new Trainer(model, new Adam(model.parameters(), 0.05), new MSELoss()).output(null)
                .callbacks(new EarlyStopping("val_loss", 5, 1e-4, true));
        var history = trainer.fit(new DataLoader(split[0], 16, true, false, 0), new DataLoader(split[1], 40, false), 200);
        double val = history.epochs().stream().mapToDouble(e -> e.valLoss()).min().orElseThrow();
        if (!(val < 0.05)) throw new AssertionError("validation MSE " + val);
        System.out.printf(Locale.ROOT, "ok csv: %d epochs (%s), best validation MSE %.4f%n", history.epochs().size(), history.stopReason(), val);

        // 3. a safetensors round trip: saved, loaded into a fresh model, same outputs
        Path weights = dir.resolve("model.safetensors");
        Safetensors.save(weights, model.stateDict());
        var copy = new Sequential(new Linear(1, 8), new Tanh(), new Linear(8, 1));
        copy.loadStateDict(Safetensors.load(weights));
        Tensor probe = Tensor.of(new float[] {-1, 0, 1}, 3, 1);
        if (!java.util.Arrays.equals(model.call(probe).toFloatArray(), copy.call(probe).toFloatArray())) throw new AssertionError("round trip");
        System.out.println("ok safetensors: " + Files.size(weights) + " bytes, outputs equal");
    }
}
