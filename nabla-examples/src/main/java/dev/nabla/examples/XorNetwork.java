package dev.nabla.examples;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BCEWithLogitsLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.optim.SGD;
import dev.nabla.train.Trainer;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Seed program 3: the XOR network. 4,000 points uniform in [−1, 1]² labelled (x1 ≥ 0) xor (x2 ≥ 0); a network
 * 2 → H sigmoid units → 1 logit, BCE with logits, SGD with lr 0.15 on mini-batches of 10, tested on 4,000 fresh
 * points. The seed saw about 83 % with two hidden units; wider hidden layers do better.
 */
public final class XorNetwork {
    private XorNetwork() {}

    /** Epochs and batch size of the seed program. */
    public static final int EPOCHS = 100, BATCH = 10;

    /** Test accuracy per hidden-layer width. */
    public static Map<Integer, Double> run(PrintStream out, int[] widths, long seed) {
        TensorDataset train = Synthetic.xor(4000, new Generator(seed));
        TensorDataset test = Synthetic.xor(4000, new Generator(seed + 1));
        Map<Integer, Double> acc = new LinkedHashMap<>();
        for (int h : widths) {
            Generator g = new Generator(seed + 100 + h);
            Sequential net = new Sequential(
                    new Linear(2, h, true, g, DType.FLOAT32), new Sigmoid(), new Linear(h, 1, true, g, DType.FLOAT32));
            Trainer t = new Trainer(net, new SGD(net.parameters(), 0.15), new BCEWithLogitsLoss()).output(null);
            t.fit(new DataLoader(train, BATCH, true, false, seed), null, EPOCHS);
            double a = t.evaluate(new DataLoader(test, 1000, false)).accuracy();
            acc.put(h, a);
            if (out != null)
                out.printf(
                        Locale.ROOT,
                        "hidden units %3d: test accuracy %.4f on 4,000 fresh points (train loss %.4f after %d epochs)%n",
                        h,
                        a,
                        t.history().last().trainLoss(),
                        EPOCHS);
        }
        return acc;
    }

    /** Runs the example, printing to stdout. */
    public static void main(String[] args) {
        run(System.out, new int[] {2, 4, 8, 16}, 1);
    }
}
