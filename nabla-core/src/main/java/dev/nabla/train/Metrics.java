package dev.nabla.train;

import dev.nabla.Shape;
import dev.nabla.Tensor;

/** Classification and regression metrics over whole tensors. */
public final class Metrics {
    private Metrics() {}

    /** Predicted class per row of logits [N, C]. */
    public static long[] predictions(Tensor logits) {
        return logits.argmax(1, false).toLongArray();
    }

    /** Number of rows whose argmax equals the int64 target. */
    public static long correct(Tensor logits, Tensor targets) {
        long[] p = predictions(logits), t = targets.toLongArray();
        if (p.length != t.length)
            throw new IllegalArgumentException("accuracy: " + p.length + " predictions but " + t.length + " targets");
        long c = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == t[i]) c++;
        return c;
    }

    /** The share of rows whose largest logit is at the target class. */
    public static double accuracy(Tensor logits, Tensor targets) {
        return (double) correct(logits, targets) / Math.max(1, logits.size(0));
    }

    /** Fraction of rows whose target is among the k largest logits. */
    public static double topK(Tensor logits, Tensor targets, int k) {
        if (logits.rank() != 2 || k < 1 || k > logits.size(1))
            throw new IllegalArgumentException(
                    "topK: expected logits [N, C] and 1 <= k <= C, got " + Shape.str(logits.shape()) + " and k=" + k);
        int n = logits.size(0), c = logits.size(1);
        float[] l = logits.toFloatArray();
        long[] t = targets.toLongArray();
        long hits = 0;
        for (int i = 0; i < n; i++) {
            float target = l[i * c + (int) t[i]];
            int above = 0;
            for (int j = 0; j < c; j++) if (l[i * c + j] > target) above++;
            if (above < k) hits++;
        }
        return (double) hits / Math.max(1, n);
    }

    /** counts[true][predicted]. */
    public static long[][] confusionMatrix(long[] predicted, long[] targets, int classes) {
        long[][] m = new long[classes][classes];
        for (int i = 0; i < predicted.length; i++) m[(int) targets[i]][(int) predicted[i]]++;
        return m;
    }

    /** Mean squared error. */
    public static double mse(Tensor predictions, Tensor targets) {
        return predictions.sub(targets).square().mean().item();
    }

    /** Mean absolute error. */
    public static double mae(Tensor predictions, Tensor targets) {
        return predictions.sub(targets).abs().mean().item();
    }
}
