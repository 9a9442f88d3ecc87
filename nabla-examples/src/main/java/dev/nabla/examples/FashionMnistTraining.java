package dev.nabla.examples;

import dev.nabla.Generator;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.MnistDatasets;
import dev.nabla.data.Subset;
import dev.nabla.data.TensorDataset;
import dev.nabla.models.MLP;
import dev.nabla.models.ReferenceCNN;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import dev.nabla.train.Callback;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Seed programs 4 and 5: an MLP 784-256-128-10 and the reference CNN on Fashion-MNIST (or MNIST), with
 * cross-entropy and Adam (lr 1e-3, weight decay 1e-4), batch 128, printing train and test loss and accuracy
 * after every epoch.
 */
public final class FashionMnistTraining {
    private FashionMnistTraining() {}

    /** What to train and how; {@code trainLimit} > 0 trains on the first that many images only (quick runs). */
    public record Config(
            String model,
            MnistDatasets.Variant data,
            Path dataDir,
            int epochs,
            int batchSize,
            double lr,
            double weightDecay,
            long seed,
            int trainLimit,
            boolean progress,
            Trainer.NonFinitePolicy onNonFinite) {
        /** A configuration that stops on non-finite values. */
        public Config(
                String model,
                MnistDatasets.Variant data,
                Path dataDir,
                int epochs,
                int batchSize,
                double lr,
                double weightDecay,
                long seed,
                int trainLimit,
                boolean progress) {
            this(
                    model,
                    data,
                    dataDir,
                    epochs,
                    batchSize,
                    lr,
                    weightDecay,
                    seed,
                    trainLimit,
                    progress,
                    Trainer.NonFinitePolicy.STOP);
        }

        /** The seed program's configuration: the CNN on Fashion-MNIST, 5 epochs, batch 128, Adam lr 1e-3, weight decay 1e-4, seed 0. */
        public static Config reference() {
            return new Config("cnn", MnistDatasets.Variant.FASHION_MNIST, null, 5, 128, 1e-3, 1e-4, 0, 0, true);
        }
    }

    /** What a run produced: the model, its trainer, the history and the test evaluation. */
    public record Run(Module model, Trainer trainer, History history, Trainer.Evaluation test) {}

    /** A fresh model by name: cnn (the reference CNN) or mlp. */
    public static Module model(String name) {
        return switch (name) {
            case "cnn" -> new ReferenceCNN();
            case "mlp" -> new MLP(784, 256, 128, 10);
            default -> throw new IllegalArgumentException("unknown model '" + name + "' (cnn, mlp)");
        };
    }

    /** Trains as configured, printing to out (null: silent). */
    public static Run run(Config c, PrintStream out, Callback... callbacks) throws IOException {
        return run(c, out, null, callbacks);
    }

    /** As above; with {@code resume} (a file written by {@link dev.nabla.train.Checkpoint}) the run continues from it. */
    /** A number as people write it: 0.001, 1e-05, 0.5, 3 (no trailing zeros, no fixed 6 digits). */
    static String number(double v) {
        if (v == 0 || !Double.isFinite(v)) return Double.toString(v).replace(".0", "");
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6)
            return new java.math.BigDecimal(Double.toString(v))
                    .stripTrailingZeros()
                    .toPlainString();
        String e = String.format(java.util.Locale.ROOT, "%.6e", v); // 1.000000e-04 -> 1e-04
        String[] parts = e.split("e");
        String mant = new java.math.BigDecimal(parts[0]).stripTrailingZeros().toPlainString();
        return mant + "e" + parts[1];
    }

    /** Trains as configured, resuming from a checkpoint when resume is not null. */
    public static Run run(Config c, PrintStream out, Path resume, Callback... callbacks) throws IOException {
        Generator.seed(c.seed()); // initial weights and dropout masks come from the seeded global generator
        TensorDataset trainSet = MnistDatasets.load(c.data(), c.dataDir(), true);
        TensorDataset testSet = MnistDatasets.load(c.data(), c.dataDir(), false);
        Dataset train = trainSet;
        if (c.trainLimit() > 0 && c.trainLimit() < trainSet.size()) {
            int[] first = new int[c.trainLimit()];
            for (int i = 0; i < first.length; i++) first[i] = i;
            train = new Subset(trainSet, first);
        }
        Module model = model(c.model());
        Adam adam = new Adam(model.parameters(), c.lr(), c.weightDecay());
        Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss())
                .output(out)
                .validationName("test")
                .onNonFinite(c.onNonFinite())
                .callbacks(callbacks);
        if (resume != null) {
            dev.nabla.train.Checkpoint.resume(resume, trainer);
            if (out != null) out.println("resumed from " + resume + " after epoch " + trainer.epochsDone());
        }
        if (out != null)
            out.printf(
                    "%s: %s on %s, %,d training and %,d test images, %s, batch %d, Adam lr %s weight decay %s%n",
                    c.model(),
                    model.getClass().getSimpleName(),
                    c.data().title,
                    train.size(),
                    testSet.size(),
                    c.epochs() == 1 ? "1 epoch" : c.epochs() + " epochs",
                    c.batchSize(),
                    number(c.lr()),
                    number(c.weightDecay()));
        DataLoader testLoader = new DataLoader(testSet, 500, false);
        History h = trainer.fit(new DataLoader(train, c.batchSize(), true, false, c.seed()), testLoader, c.epochs());
        return new Run(model, trainer, h, trainer.evaluate(testLoader));
    }
}
