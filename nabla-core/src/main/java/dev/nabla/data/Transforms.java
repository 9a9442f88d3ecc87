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

    /** Mirrors an image [C, H, W] left-right with probability p. */
    public static UnaryOperator<Tensor> randomHorizontalFlip(double p, Generator g) {
        return x -> {
            if (g.nextDouble() >= p) return x;
            int w = x.size(-1);
            long[] idx = new long[w];
            for (int i = 0; i < w; i++) idx[i] = w - 1 - i;
            return x.indexSelect(-1, Tensor.of(idx));
        };
    }

    /** Shifts an image [C, H, W] by up to maxShift pixels in each direction, filling with the given value. */
    public static UnaryOperator<Tensor> randomShift(int maxShift, double fill, Generator g) {
        return x -> {
            int dy = g.nextInt(2 * maxShift + 1) - maxShift, dx = g.nextInt(2 * maxShift + 1) - maxShift;
            if (dx == 0 && dy == 0) return x;
            int h = x.size(-2), w = x.size(-1);
            Tensor out = Tensor.full(fill, x.dtype(), x.shape());
            int ys = Math.max(0, dy), ye = Math.min(h, h + dy), xs = Math.max(0, dx), xe = Math.min(w, w + dx);
            if (ye > ys && xe > xs)
                out.narrow(-2, ys, ye - ys).narrow(-1, xs, xe - xs).copy_(x.narrow(-2, ys - dy, ye - ys).narrow(-1, xs - dx, xe - xs));
            return out;
        };
    }

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
                return new Sample(transform.apply(s.input()), s.target());
            }
        };
    }
}
