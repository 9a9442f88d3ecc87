package dev.nabla.nn;

import dev.nabla.Tensor;

/** Max pooling; stride defaults to the kernel size. Shape: [N, C, H, W] → [N, C, OH, OW]. */
public final class MaxPool2d extends Module {
    private final int[] kernel, stride, padding, dilation;
    private final boolean ceilMode;

    /** Max pooling over kernel x kernel windows with stride kernel. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0, 1);
    }

    /** Max pooling with the given window, stride, padding (-∞) and dilation. */
    public MaxPool2d(int kernel, int stride, int padding, int dilation) {
        this(kernel, stride, padding, dilation, false);
    }

    /** With {@code ceilMode}, the output size is rounded up (PyTorch's ceil_mode). */
    public MaxPool2d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this.ceilMode = ceilMode;
        this.kernel = new int[] {kernel, kernel};
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {padding, padding};
        this.dilation = new int[] {dilation, dilation};
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, "[N, C, H, W]", x.rank() == 4 || x.rank() == 3);
        return F.maxPool2d(x, kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    public String describe() {
        return "MaxPool2d " + kernel[0] + "x" + kernel[1];
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel[0] + ", stride=" + stride[0] + ", padding=" + padding[0] + ", dilation="
                + dilation[0] + (ceilMode ? ", ceil_mode=True" : "");
    }
}
