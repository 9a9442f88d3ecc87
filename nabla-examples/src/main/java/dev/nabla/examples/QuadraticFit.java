package dev.nabla.examples;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.MSELoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.SGD;
import dev.nabla.train.GradientThreshold;
import dev.nabla.train.Trainer;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Seed program 1: fit f(x) = w2·x² + w1·x + w0 by full-batch gradient descent on noisy samples of a known
 * quadratic, stopping when every gradient element is below ε; prints the recovered coefficients.
 */
public final class QuadraticFit {
    private QuadraticFit() {}

    /** The three coefficients as parameters. Shape: x [N, 1] → [N, 1]. */
    static final class Quadratic extends Module {
        Quadratic() {
            param("w2", Tensor.zeros(1));
            param("w1", Tensor.zeros(1));
            param("w0", Tensor.zeros(1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.square().mul(parameter("w2")).add(x.mul(parameter("w1"))).add(parameter("w0"));
        }
    }

    /** The fitted coefficients, the epochs taken and why training stopped. */
    public record Result(double w2, double w1, double w0, int epochs, String stopReason) {}

    /** Fits w2·x² + w1·x + w0 to noisy samples of truth {w2, w1, w0}, printing to out (null: silent). */
    public static Result run(PrintStream out, double[] truth, long seed) {
        TensorDataset data =
                Synthetic.polynomial(200, new double[] {truth[2], truth[1], truth[0]}, -2, 2, 0.1, new Generator(seed));
        Quadratic model = new Quadratic();
        Trainer trainer = new Trainer(model, new SGD(model.parameters(), 0.1), new MSELoss())
                .callbacks(new GradientThreshold(1e-5))
                .output(null);
        trainer.fit(new DataLoader(data, data.size(), false), null, 20_000);
        double w2 = model.parameter("w2").item(),
                w1 = model.parameter("w1").item(),
                w0 = model.parameter("w0").item();
        Result r =
                new Result(w2, w1, w0, trainer.epochsDone(), trainer.history().stopReason());
        if (out != null) {
            out.printf(Locale.ROOT, "true      f(x) = %.4f x^2 + %.4f x + %.4f%n", truth[0], truth[1], truth[2]);
            out.printf(
                    Locale.ROOT,
                    "recovered f(x) = %.4f x^2 + %.4f x + %.4f after %d epochs of gradient descent (lr 0.1)%n",
                    w2,
                    w1,
                    w0,
                    r.epochs());
            out.println("stopped by " + r.stopReason());
        }
        return r;
    }

    /** Runs the example, printing to stdout. */
    public static void main(String[] args) {
        run(System.out, new double[] {2.0, -3.0, 0.5}, 42);
    }
}
