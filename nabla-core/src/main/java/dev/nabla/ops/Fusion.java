package dev.nabla.ops;

import dev.nabla.Tensor;
import dev.nabla.autograd.Tracing;

/**
 * The fusion rules, in one place, applied by the ops themselves so that every model gets them, whatever calls the
 * ops (Sequential, a hand-written forward, the functional API):
 * <ul>
 *   <li>conv2d returns a deferred result (computed on first use, {@link Tensor#deferred});</li>
 *   <li>relu of a pending conv2d is a pending conv2d+ReLU (the ReLU applied as the output is written, its mask as
 *       the gradient is read back);</li>
 *   <li>a 2x2, stride-2 max-pool of a pending conv2d+ReLU runs conv, bias, ReLU and pooling in one pass, without
 *       storing the full-resolution activation.</li>
 * </ul>
 * Values and gradients are those of the separate ops (tested in FusionTest). The intermediate results stay usable:
 * read later, they are computed on their own. Fusion is skipped where it would change what the user sees: a result
 * that retains its gradient keeps its own node in the graph, and nothing is fused while a model is traced for export.
 */
final class Fusion {
    private Fusion() {}

    /** relu(x) fused with the pending conv2d that makes x, or null when x is no such result. */
    static Tensor relu(Tensor x) {
        if (x.pending() instanceof Convolution.ConvRecipe r && !r.relu && !x.retainsGrad() && !Tracing.active()) {
            Tensor out = Convolution.conv2dRelu(r.x, r.weight, r.bias, r.stride, r.padding, r.dilation);
            r.fusedAway = true;
            return out;
        }
        return null;
    }

    /** maxPool2d(x, 2) fused with the pending conv2d+ReLU that makes x, or null when the pool or x does not fit. */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (x.pending() instanceof Convolution.ConvRecipe r
                && r.relu
                && !x.retainsGrad()
                && !Tracing.active()
                && x.rank() == 4
                && kernel[0] == 2
                && kernel[1] == 2
                && stride[0] == 2
                && stride[1] == 2
                && padding[0] == 0
                && padding[1] == 0
                && dilation[0] == 1
                && dilation[1] == 1
                && x.size(2) % 2 == 0
                && x.size(3) % 2 == 0) {
            Tensor out = Convolution.conv2dReluMaxPool(r.x, r.weight, r.bias, r.stride, r.padding, r.dilation);
            r.fusedAway = true;
            return out;
        }
        return null;
    }
}
