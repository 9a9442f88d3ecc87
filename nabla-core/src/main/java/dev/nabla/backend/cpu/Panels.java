package dev.nabla.backend.cpu;

/**
 * A GEMM operand as the packing step sees it: X(i, p), with i the outer index (a row of A, a column of B) and p the
 * depth (the summed index). {@link #pack} writes a block of it in the panel layout the micro-kernel reads:
 * dst[(panel·kc + p)·width + r] = X(i0 + panel·width + r, p0 + p), zero for outer indices past i0 + count.
 * {@link Strided} is a plain matrix; {@link Im2col} reads zero-padded images so that a convolution's (transposed)
 * column matrix is packed straight from them, with no column matrix in memory.
 */
abstract class Panels {
    abstract void pack(int i0, int count, int p0, int kc, int width, float[] dst);

    /** X(i, p) = a[off + i·is + p·ps]. */
    static final class Strided extends Panels {
        private final float[] a;
        private final int off, is, ps;

        Strided(float[] a, int off, int is, int ps) {
            this.a = a;
            this.off = off;
            this.is = is;
            this.ps = ps;
        }

        @Override
        void pack(int i0, int count, int p0, int kc, int width, float[] dst) {
            for (int s = 0; s < count; s += width) {
                int base = s * kc, rows = Math.min(width, count - s);
                if (is == 1 && rows == width) { // unit stride along the outer index: each depth step is one copy
                    int src = off + i0 + s + p0 * ps;
                    for (int p = 0; p < kc; p++) System.arraycopy(a, src + p * ps, dst, base + p * width, width);
                    continue;
                }
                for (int r = 0; r < width; r++) {
                    if (r >= rows) {
                        for (int p = 0; p < kc; p++) dst[base + p * width + r] = 0f;
                        continue;
                    }
                    int src = off + (i0 + s + r) * is + p0 * ps;
                    for (int p = 0; p < kc; p++) dst[base + p * width + r] = a[src + p * ps];
                }
            }
        }
    }

    /**
     * The transposed column matrix of a stride-1 convolution, read from zero-padded images on the extended grid (see
     * {@link ConvKernels}): outer index = row p of the column matrix (input channel, kernel row, kernel column), depth =
     * column j, X(p, j) = xp[j / perImage · imageStride + j % perImage + rowOff[p]]. The B operand of the weight
     * gradient dW = G·colᵀ: along the depth the reads are contiguous within one image.
     */
    static final class Im2col extends Panels {
        private final float[] xp;
        private final int[] rowOff;
        private final int perImage, imageStride;

        Im2col(float[] xp, int[] rowOff, int perImage, int imageStride) {
            this.xp = xp;
            this.rowOff = rowOff;
            this.perImage = perImage;
            this.imageStride = imageStride;
        }

        @Override
        void pack(int r0, int count, int p0, int kc, int width, float[] dst) {
            for (int s = 0; s < count; s += width) {
                int base = s * kc, rows = Math.min(width, count - s);
                for (int r = 0; r < width; r++) {
                    if (r >= rows) {
                        for (int p = 0; p < kc; p++) dst[base + p * width + r] = 0f;
                        continue;
                    }
                    int ro = rowOff[r0 + s + r];
                    for (int p = 0; p < kc; ) { // runs of columns inside one image are contiguous in xp
                        int col = p0 + p, inImage = col % perImage, run = Math.min(kc - p, perImage - inImage);
                        int src = col / perImage * imageStride + inImage + ro;
                        for (int q = 0; q < run; q++) dst[base + (p + q) * width + r] = xp[src + q];
                        p += run;
                    }
                }
            }
        }
    }
}
