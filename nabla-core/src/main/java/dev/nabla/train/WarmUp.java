package dev.nabla.train;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.nn.F;

/**
 * Gets the JIT compiler to compile the kernels before the first real step. The Vector API is slow until C2 has
 * compiled the code that uses it (the reference CNN's first training step takes about 1.9 s, the following ones
 * 50-60 ms); {@link #start} runs small conv, ReLU, max-pool, matmul and loss steps, forward and backward, on a
 * background daemon thread, so that the compilation overlaps with whatever the program does meanwhile (loading data,
 * building the model). It uses its own generator and tensors: no global state changes, and results do not depend on
 * whether it ran. The command line starts it before loading the data.
 */
public final class WarmUp {
    private WarmUp() {}

    /** Starts the warm-up on a daemon thread (about 1 s of one core) and returns the thread. */
    public static Thread start() {
        Thread t = new Thread(WarmUp::run, "nabla-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    /** Runs the warm-up steps on the calling thread. */
    public static void run() {
        Generator g = new Generator(20261202);
        int[] one = {1, 1}, pad = {1, 1};
        Tensor x = Tensor.randn(g, 4, 1, 16, 16), y = Tensor.randint(g, 0, 10, 4);
        Tensor w1 = Tensor.randn(g, 8, 1, 3, 3).mul(0.3).detach().requiresGrad_(true),
                b1 = Tensor.zeros(8).requiresGrad_(true);
        Tensor w2 = Tensor.randn(g, 16, 8, 3, 3).mul(0.1).detach().requiresGrad_(true),
                b2 = Tensor.zeros(16).requiresGrad_(true);
        Tensor w3 = Tensor.randn(g, 10, 16 * 4 * 4).mul(0.05).detach().requiresGrad_(true),
                b3 = Tensor.zeros(10).requiresGrad_(true);
        long end = System.nanoTime() + 3_000_000_000L; // a bound, should compilation be off or slow
        for (int i = 0; i < 400 && System.nanoTime() < end; i++) {
            Tensor h = F.maxPool2d(F.conv2d(x, w1, b1, one, pad, one).relu(), 2);
            h = F.maxPool2d(F.conv2d(h, w2, b2, one, pad, one).relu(), 2);
            Tensor logits = h.flatten(1).matmul(w3.t()).add(b3);
            F.crossEntropy(logits, y, null, 0.0, F.Reduction.MEAN).backward();
            for (Tensor p : new Tensor[] {w1, b1, w2, b2, w3, b3}) p.zeroGrad();
        }
    }
}
