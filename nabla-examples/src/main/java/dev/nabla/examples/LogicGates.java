package dev.nabla.examples;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.data.Synthetic;
import dev.nabla.nn.BCEWithLogitsLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Perceptron;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seed program 2: the perceptron learning rule learns AND, OR and NAND and fails on XOR (not linearly separable);
 * a 2-4-1 multilayer perceptron trained by backpropagation then learns XOR.
 */
public final class LogicGates {
    private LogicGates() {}

    /** The perceptron's fits per gate and the MLP's outputs on XOR. */
    public record Result(Map<String, Perceptron.FitResult> perceptron, float[] mlpXorOutputs) {}

    /** Runs the example, printing to out (null: silent). */
    public static Result run(PrintStream out, long seed) {
        Tensor x = Synthetic.gateInputs();
        Map<String, Perceptron.FitResult> results = new LinkedHashMap<>();
        for (String gate : new String[] {"AND", "OR", "NAND", "XOR"}) {
            Tensor targets = Synthetic.gateTargets(gate).mul(2.0).sub(1.0); // {0,1} -> {-1,+1}
            Perceptron p = new Perceptron(2);
            Perceptron.FitResult r = p.fit(x, targets, 0.1, 100);
            results.put(gate, r);
            if (out != null)
                out.printf(
                        "perceptron %-4s: %s; outputs %s%n",
                        gate, r, java.util.Arrays.toString(p.forward(x).toFloatArray()));
        }
        Generator g = new Generator(seed);
        Sequential mlp = new Sequential(
                new Linear(2, 4, true, g, dev.nabla.DType.FLOAT32),
                new Tanh(),
                new Linear(4, 1, true, g, dev.nabla.DType.FLOAT32));
        Adam opt = new Adam(mlp.parameters(), 0.05);
        BCEWithLogitsLoss bce = new BCEWithLogitsLoss();
        Tensor y = Synthetic.gateTargets("XOR").reshape(4, 1);
        for (int step = 0; step < 500; step++) {
            opt.zeroGrad();
            bce.apply(mlp.forward(x), y).backward();
            opt.step();
        }
        float[] probs = mlp.forward(x).sigmoid().toFloatArray();
        if (out != null)
            out.printf(
                    "MLP 2-4-1 on XOR after 500 Adam steps: P(1) = %s for inputs 00, 01, 10, 11%n",
                    java.util.Arrays.toString(probs));
        return new Result(results, probs);
    }

    /** Runs the example, printing to stdout. */
    public static void main(String[] args) {
        run(System.out, 7);
    }
}
