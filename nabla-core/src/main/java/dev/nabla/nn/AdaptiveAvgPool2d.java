package dev.nabla.nn;

import dev.nabla.Tensor;

/** Adaptive average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool2d. Shape: [N, C, H, W] → [N, C, outH, outW]. */
public final class AdaptiveAvgPool2d extends Module {
    private final int outH, outW;

    /** Averages to a size x size output whatever the input size. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /** Averages to an outH x outW output whatever the input size. */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1)
            throw new IllegalArgumentException(
                    "AdaptiveAvgPool2d: output size must be positive, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        expectInput(x, "[N, C, H, W]", x.rank() == 4 || x.rank() == 3);
        return F.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + outH + ", " + outW + ")";
    }
}
