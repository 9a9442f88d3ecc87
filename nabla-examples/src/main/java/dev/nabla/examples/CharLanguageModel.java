package dev.nabla.examples;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.CharCorpus;
import dev.nabla.data.Dataset;
import dev.nabla.models.CharGPT;
import dev.nabla.models.CharLSTM;
import dev.nabla.models.CharSampling;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import dev.nabla.optim.GradClip;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A character-level language model: a small GPT ({@link CharGPT}: 4 causal attention blocks, LayerNorm) trained with
 * Adam on random windows of Debian's fortune cookies (90 % of the text; the last 10 % for the validation loss),
 * printing the training and validation loss and a sample of generated text (160 characters after the text's first
 * one, temperature 0.8) after every epoch.
 */
public final class CharLanguageModel {
    private CharLanguageModel() {}

    /** The sizes and the schedule; model is "gpt" or "lstm" (2 LSTM layers of width dModel). */
    public record Config(
            String model,
            int context,
            int dModel,
            int heads,
            int layers,
            int feedForward,
            double dropout,
            int batchSize,
            double lr,
            int epochs,
            int stepsPerEpoch,
            long seed) {
        /** The GPT: 4 blocks of width 64 with 4 heads, context 64, batch 32, Adam lr 3e-3, 5 epochs of 100 steps. */
        public static Config reference() {
            return new Config("gpt", 64, 64, 4, 4, 256, 0.1, 32, 3e-3, 5, 100, 1);
        }

        /** The reference schedule for model "gpt" or "lstm" (2 layers of width 256) over this many epochs. */
        public static Config reference(String model, int epochs) {
            Config r = reference();
            return new Config(
                    model,
                    r.context(),
                    model.equals("lstm") ? 256 : r.dModel(),
                    r.heads(),
                    r.layers(),
                    r.feedForward(),
                    r.dropout(),
                    r.batchSize(),
                    r.lr(),
                    epochs,
                    r.stepsPerEpoch(),
                    r.seed());
        }
    }

    /** One epoch's figures. */
    public record Epoch(
            int epoch,
            double trainLoss,
            double validationLoss,
            double tokensPerSecond,
            String sample,
            double samplesPerSecond) {}

    /** Trains on corpus and returns the epochs (printing them to out, when not null). */
    public static List<Epoch> run(Config c, CharCorpus corpus, PrintStream out) {
        Generator g = new Generator(c.seed());
        Module model = switch (c.model()) {
            case "gpt" ->
                new CharGPT(
                        new CharGPT.Config(
                                corpus.vocabSize(),
                                c.context(),
                                c.dModel(),
                                c.heads(),
                                c.layers(),
                                c.feedForward(),
                                c.dropout()),
                        g,
                        DType.FLOAT32);
            case "lstm" -> new CharLSTM(corpus.vocabSize(), c.dModel(), 2, c.dropout(), g, DType.FLOAT32);
            default -> throw new IllegalArgumentException("char-LM: model must be gpt or lstm, got " + c.model());
        };
        int split = (int) (corpus.length() * 0.9);
        Adam opt = new Adam(model.parameters(), c.lr());
        CrossEntropyLoss ce = new CrossEntropyLoss();
        Generator data = new Generator(c.seed() + 1), sampler = new Generator(c.seed() + 2);
        List<Dataset.Batch> validation = new ArrayList<>();
        Generator vg = new Generator(c.seed() + 3);
        for (int i = 0; i < 8; i++)
            validation.add(corpus.batch(vg, c.batchSize(), c.context(), split, corpus.length()));
        if (out != null)
            out.printf(
                    Locale.ROOT,
                    "char-LM: %,d characters (vocabulary %d), %s, context %d, %,d parameters%n",
                    corpus.length(),
                    corpus.vocabSize(),
                    c.model().equals("gpt")
                            ? "GPT of " + c.layers() + " blocks x " + c.dModel() + " wide, " + c.heads() + " heads"
                            : "LSTM of 2 layers x " + c.dModel() + " wide",
                    c.context(),
                    model.parameterCount());
        List<Epoch> epochs = new ArrayList<>();
        for (int e = 1; e <= c.epochs(); e++) {
            model.train();
            double sum = 0;
            long t0 = System.nanoTime();
            for (int s = 0; s < c.stepsPerEpoch(); s++) {
                Dataset.Batch b = corpus.batch(data, c.batchSize(), c.context(), 0, split);
                opt.zeroGrad();
                Tensor loss = loss(model, ce, b);
                loss.backward();
                GradClip.clipGradNorm(model.parameters(), 1.0);
                opt.step();
                sum += loss.item();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double tokens = (double) c.stepsPerEpoch() * c.batchSize() * c.context();
            model.eval();
            double val = 0;
            try (var ng = GradMode.noGrad()) {
                for (Dataset.Batch b : validation) val += loss(model, ce, b).item();
            }
            long g0 = System.nanoTime();
            String sample = corpus.decode(CharSampling.generate(
                    model, corpus.encode(corpus.text().substring(0, 1)), 160, c.context(), 0.8, sampler));
            double sampling = 160 / ((System.nanoTime() - g0) / 1e9);
            Epoch ep =
                    new Epoch(e, sum / c.stepsPerEpoch(), val / validation.size(), tokens / seconds, sample, sampling);
            epochs.add(ep);
            if (out != null) {
                out.printf(
                        Locale.ROOT,
                        "epoch %d/%d: train loss %.4f, validation loss %.4f, training %,.0f tokens/s, sampling %,.0f"
                                + " characters/s%n",
                        e,
                        c.epochs(),
                        ep.trainLoss(),
                        ep.validationLoss(),
                        ep.tokensPerSecond(),
                        ep.samplesPerSecond());
                out.println("  sample: " + sample.replace("\n", "\n          "));
            }
        }
        return epochs;
    }

    private static Tensor loss(Module model, CrossEntropyLoss ce, Dataset.Batch b) {
        Tensor logits = model.call(b.inputs());
        int v = logits.size(-1);
        return ce.apply(logits.reshape(-1, v), b.targets().reshape(-1));
    }

    /** Trains the reference configuration on Debian's fortune files. */
    public static void main(String[] args) throws Exception {
        Config r = Config.reference();
        run(
                Config.reference(args.length > 0 ? args[0] : "gpt", r.epochs()),
                CharCorpus.read(CharCorpus.fortunes()),
                System.out);
    }
}
