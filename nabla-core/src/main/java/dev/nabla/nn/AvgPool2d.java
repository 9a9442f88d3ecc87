package dev.nabla.nn;

import dev.nabla.Tensor;

/** Average pooling (zero padding counted unless countIncludePad is false; ceilMode optional); stride defaults to the kernel size. Shape: [N, C, H, W] → [N, C, OH, OW]. */
public final class AvgPool2d extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;

    /** Average pooling over kernel x kernel windows with stride kernel. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Average pooling with the given window, stride and zero padding (counted in the divisor). */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false, true);
    }

    /** PyTorch's ceil_mode (output size rounded up) and count_include_pad (false: the divisor counts only input elements). */
    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.kernel = new int[] {kernel, kernel};
        this.stride = new int[] {stride, stride};
        this.padding = new int[] {padding, padding};
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, "[N, C, H, W]", x.rank() == 4 || x.rank() == 3);
        return F.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel[0] + ", stride=" + stride[0] + ", padding=" + padding[0]
                + (ceilMode ? ", ceil_mode=True" : "") + (countIncludePad ? "" : ", count_include_pad=False");
    }
}
