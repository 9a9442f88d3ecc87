package dev.nabla.data;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import java.util.function.UnaryOperator;

/**
 * Per-sample input transforms, as torchvision.transforms: compose them and apply them to a dataset with
 * {@link #apply(Dataset, UnaryOperator)}. Random transforms draw from the generator they are given.
 */
public final class Transforms {
    private Transforms() {}

    /** (x − mean) / std. */
    public static UnaryOperator<Tensor> normalize(double mean, double std) {
        if (!(std > 0)) throw new IllegalArgumentException("normalize: std must be positive, got " + std);
        return x -> x.sub(mean).div(std);
    }

    private static final ThreadLocal<Generator> BATCH_GENERATOR = new ThreadLocal<>();

    /** Runs body with g as the generator of the generator-less random transforms (the DataLoader does, per batch). */
    static <T> T withBatchGenerator(Generator g, java.util.function.Supplier<T> body) {
        Generator before = BATCH_GENERATOR.get();
        BATCH_GENERATOR.set(g);
        try {
            return body.get();
        } finally {
            if (before == null) BATCH_GENERATOR.remove();
            else BATCH_GENERATOR.set(before);
        }
    }

    /** The generator of the batch being assembled, or the global one outside a DataLoader. */
    private static Generator batchGenerator() {
        Generator g = BATCH_GENERATOR.get();
        return g != null ? g : Generator.global();
    }

    /**
     * Mirrors an image [C, H, W] left-right with probability p, drawing from the generator the DataLoader seeds per
     * batch (reproducible with any number of workers).
     */
    public static UnaryOperator<Tensor> randomHorizontalFlip(double p) {
        return x -> flip(x, p, batchGenerator());
    }

    /** Shifts an image by up to maxShift pixels, drawing from the DataLoader's per-batch generator (see the flip). */
    public static UnaryOperator<Tensor> randomShift(int maxShift, double fill) {
        return x -> shift(x, maxShift, fill, batchGenerator());
    }

    private static Tensor flip(Tensor x, double p, Generator g) {
        if (g.nextDouble() >= p) return x;
        int w = x.size(-1);
        long[] idx = new long[w];
        for (int i = 0; i < w; i++) idx[i] = w - 1 - i;
        return x.indexSelect(-1, Tensor.of(idx));
    }

    private static Tensor shift(Tensor x, int maxShift, double fill, Generator g) {
        int dy = g.nextInt(2 * maxShift + 1) - maxShift, dx = g.nextInt(2 * maxShift + 1) - maxShift;
        if (dx == 0 && dy == 0) return x;
        int h = x.size(-2), w = x.size(-1);
        Tensor out = Tensor.full(fill, x.dtype(), x.shape());
        int ys = Math.max(0, dy), ye = Math.min(h, h + dy), xs = Math.max(0, dx), xe = Math.min(w, w + dx);
        if (ye > ys && xe > xs)
            out.narrow(-2, ys, ye - ys)
                    .narrow(-1, xs, xe - xs)
                    .copy_(x.narrow(-2, ys - dy, ye - ys).narrow(-1, xs - dx, xe - xs));
        return out;
    }

    /** Mirrors an image [C, H, W] left-right with probability p (draws from g, in the order samples are read). */
    public static UnaryOperator<Tensor> randomHorizontalFlip(double p, Generator g) {
        return x -> flip(x, p, g);
    }

    /** Shifts an image [C, H, W] by up to maxShift pixels in each direction, filling with the given value. */
    public static UnaryOperator<Tensor> randomShift(int maxShift, double fill, Generator g) {
        return x -> shift(x, maxShift, fill, g);
    }

    /** The transforms applied in order. */
    @SafeVarargs
    public static UnaryOperator<Tensor> compose(UnaryOperator<Tensor>... steps) {
        return x -> {
            for (UnaryOperator<Tensor> s : steps) x = s.apply(x);
            return x;
        };
    }

    /** A view of the dataset whose inputs pass through the transform each time they are read. */
    public static Dataset apply(Dataset base, UnaryOperator<Tensor> transform) {
        return new Dataset() {
            @Override
            public int size() {
                return base.size();
            }

            @Override
            public Sample get(int i) {
                Sample s = base.get(i);
                return new Sample(transform.apply(s.input()), s.target(), s.fields());
            }
        };
    }
}
