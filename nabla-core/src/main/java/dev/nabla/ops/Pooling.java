package dev.nabla.ops;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backend.ConvGeometry;
import dev.nabla.backend.Storage;

/** Max and average pooling over NCHW; max pooling saves its argmax and routes the gradient there. */
public final class Pooling {
    private Pooling() {}

    /** Shape: x [N, C, H, W] (or [C, H, W]) to [N, C, OH, OW]; padding counts as -infinity. */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (x.rank() == 3)
            return maxPool2d(x.unsqueeze(0), kernel, stride, padding, dilation).squeeze(0);
        ConvGeometry g = check("maxPool2d", x, kernel, stride, padding, dilation);
        Tensor fused = Fusion.maxPool2d(x, kernel, stride, padding, dilation);
        if (fused != null) return fused;
        int[] xs = x.shape();
        Tensor xc = x.contiguous();
        Backend.Pooled r = x.backend().maxPool2d(Convolution.data(xc), xs, kernel[0], kernel[1], g);
        int[] ys = {xs[0], xs[1], g.outH(xs[2], kernel[0]), g.outW(xs[3], kernel[1])};
        Tensor out = Tensor.wrap(r.values(), ys);
        Storage argmax = r.argmax();
        return Autograd.record(
                "max_pool2d",
                out,
                gy -> {
                    Tensor gc = gy.contiguous();
                    return Convolution.twice(
                            "max_pool2d",
                            new Tensor[] {
                                Tensor.wrap(gc.backend().maxPool2dBackward(Convolution.data(gc), ys, argmax, xs), xs)
                            },
                            gy,
                            x);
                },
                x);
    }

    /** Average pooling; zero padding is counted in the divisor (PyTorch's count_include_pad=True). */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        if (x.rank() == 3)
            return avgPool2d(x.unsqueeze(0), kernel, stride, padding).squeeze(0);
        int[] one = {1, 1};
        ConvGeometry g = check("avgPool2d", x, kernel, stride, padding, one);
        int[] xs = x.shape();
        Tensor xc = x.contiguous();
        Storage s = x.backend().avgPool2d(Convolution.data(xc), xs, kernel[0], kernel[1], g);
        int[] ys = {xs[0], xs[1], g.outH(xs[2], kernel[0]), g.outW(xs[3], kernel[1])};
        Tensor out = Tensor.wrap(s, ys);
        return Autograd.record(
                "avg_pool2d",
                out,
                gy -> {
                    Tensor gc = gy.contiguous();
                    return Convolution.twice(
                            "avg_pool2d",
                            new Tensor[] {
                                Tensor.wrap(
                                        gc.backend()
                                                .avgPool2dBackward(
                                                        Convolution.data(gc), ys, xs, kernel[0], kernel[1], g),
                                        xs)
                            },
                            gy,
                            x);
                },
                x);
    }

    private static ConvGeometry check(String op, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (x.rank() != 4)
            throw new IllegalArgumentException(
                    op + ": expected 3-D or 4-D input [N, C, H, W], got shape " + Shape.str(x.shape()));
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": expected a floating point tensor, got " + x.dtype());
        if (kernel.length != 2 || kernel[0] < 1 || kernel[1] < 1)
            throw new IllegalArgumentException(
                    op + ": kernel size must be 2 positive values, got " + Shape.str(kernel));
        ConvGeometry g = Convolution.geometry(op, stride, padding, dilation);
        if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1])
            throw new IllegalArgumentException(op + ": pad should be at most half of the kernel size, got padding "
                    + Shape.str(padding) + " for kernel " + Shape.str(kernel));
        int[] xs = x.shape();
        int oh = g.outH(xs[2], kernel[0]), ow = g.outW(xs[3], kernel[1]);
        if (oh <= 0 || ow <= 0)
            throw new IllegalArgumentException(
                    op + ": Given input size: " + Shape.str(xs) + ". Calculated output size: " + oh + "x" + ow
                            + ". Output size is too small (kernel " + Shape.str(kernel) + ", stride " + g.strideH()
                            + "x" + g.strideW() + ", padding " + Shape.str(padding) + ")");
        return g;
    }
}
