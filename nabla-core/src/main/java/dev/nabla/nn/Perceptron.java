package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;

/**
 * Rosenblatt's perceptron: output sign(w·x + b) as ±1 (+1 at 0), trained by the perceptron learning rule
 * (on each misclassified sample w += η·t·x, b += η·t) until an epoch has no mistakes or a maximum of epochs.
 * Shape: [N, in] → [N].
 */
public final class Perceptron extends Module {

    /** How training ended: converged (an epoch without mistakes) or not, after how many epochs, with the last count of mistakes. */
    public record FitResult(boolean converged, int epochs, int mistakesInLastEpoch) {
        @Override
        public String toString() {
            return converged
                    ? "converged after " + epochs + " epoch(s): no sample misclassified"
                    : "did not converge in " + epochs + " epochs: " + mistakesInLastEpoch
                            + " sample(s) still misclassified";
        }
    }

    /** A perceptron with zero weights and bias. */
    public Perceptron(int inFeatures) {
        buffer("weight", Tensor.zeros(DType.FLOAT64, inFeatures));
        buffer("bias", Tensor.zeros(DType.FLOAT64));
    }

    /** The weights [inFeatures]. */
    public Tensor weight() {
        return buffer("weight");
    }

    /** The bias (0-d). */
    public Tensor bias() {
        return buffer("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor weight = weight(), bias = bias();
        expectInput(x, "[N, " + weight.numel() + "]", x.rank() == 2 && x.size(1) == weight.numel());
        return x.toDouble().matmul(weight).add(bias).step().mul(2.0).sub(1.0);
    }

    /** Runs the learning rule over the samples in order; targets are ±1. */
    public FitResult fit(Tensor x, Tensor targets, double learningRate, int maxEpochs) {
        double[][] xs = new double[x.size(0)][];
        double[] xd = x.toDoubleArray(), t = targets.toDoubleArray();
        int n = x.size(0), d = x.size(1);
        if (t.length != n)
            throw new IllegalArgumentException("Perceptron.fit: " + n + " samples but " + t.length + " targets");
        for (double v : t)
            if (v != 1 && v != -1)
                throw new IllegalArgumentException("Perceptron.fit: targets must be +1 or -1, got " + v);
        double[] w = weight().toDoubleArray();
        double b = bias().item();
        int mistakes = 0;
        for (int epoch = 1; epoch <= maxEpochs; epoch++) {
            mistakes = 0;
            for (int i = 0; i < n; i++) {
                double s = b;
                for (int j = 0; j < d; j++) s += w[j] * xd[i * d + j];
                double y = s >= 0 ? 1 : -1;
                if (y != t[i]) {
                    mistakes++;
                    for (int j = 0; j < d; j++) w[j] += learningRate * t[i] * xd[i * d + j];
                    b += learningRate * t[i];
                }
            }
            if (mistakes == 0) {
                store(w, b);
                return new FitResult(true, epoch, 0);
            }
        }
        store(w, b);
        return new FitResult(false, maxEpochs, mistakes);
    }

    private void store(double[] w, double b) {
        try (var g = GradMode.noGrad()) {
            weight().copy_(Tensor.of(w));
            bias().fill_(b);
        }
    }
}
