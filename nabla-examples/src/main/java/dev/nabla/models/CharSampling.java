package dev.nabla.models;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Module;
import java.util.Arrays;

/** Text generation for the character models ({@link CharGPT}, {@link CharLSTM}): ids [1, T] → logits [1, T, vocab]. */
public final class CharSampling {
    private CharSampling() {}

    /**
     * Continues prompt (at least one id) by n ids, each drawn with g from softmax(logits / temperature) of the last
     * position, the model seeing the last {@code context} ids at most; in eval mode, without gradients.
     */
    public static long[] generate(Module model, long[] prompt, int n, int context, double temperature, Generator g) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt needs at least one id");
        long[] out = Arrays.copyOf(prompt, prompt.length + n);
        boolean was = model.isTraining();
        model.eval();
        try (var ng = GradMode.noGrad()) {
            for (int i = prompt.length; i < out.length; i++) {
                int start = Math.max(0, i - context);
                Tensor ctx = Tensor.of(Arrays.copyOfRange(out, start, i), 1, i - start);
                Tensor logits = model.call(ctx).select(1, i - start - 1).div(temperature);
                out[i] = logits.softmax(-1).multinomial(1, true, g).toLongArray()[0];
            }
        } finally {
            model.train(was);
        }
        return out;
    }
}
