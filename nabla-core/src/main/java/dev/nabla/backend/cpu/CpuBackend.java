package dev.nabla.backend.cpu;

import dev.nabla.DType;
import dev.nabla.backend.AttentionShape;
import dev.nabla.backend.Backend;
import dev.nabla.backend.BinaryOp;
import dev.nabla.backend.Layout;
import dev.nabla.backend.Storage;
import dev.nabla.backend.UnaryOp;
import java.util.Arrays;

/** The CPU backend: scalar kernels for everything, with fast float32 paths for the hot ones. */
public final class CpuBackend implements Backend {
    /** The one CPU backend. */
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public Storage full(DType dtype, int n, double value) {
        Storage s = Storage.allocate(dtype, n);
        if (value != 0.0) {
            switch (dtype) {
                case FLOAT32 -> Arrays.fill(s.floats(), (float) value);
                case FLOAT64 -> Arrays.fill(s.doubles(), value);
                case INT64 -> Arrays.fill(s.longs(), (long) value);
                case BOOL -> Arrays.fill(s.bools(), true);
            }
        }
        return s;
    }

    @Override
    public Storage copy(Storage src, Layout layout, DType out) {
        int n = layout.numel();
        if (layout.isContiguous() && src.dtype() == out) {
            Storage s = Storage.allocate(out, n);
            System.arraycopy(dataOf(src), layout.offset(), dataOf(s), 0, n);
            return s;
        }
        Storage s = Storage.allocate(out, n);
        if (src.dtype() == DType.FLOAT32 && out == DType.FLOAT32 && layout.rank() > 0) {
            copyRows(src.floats(), layout, s.floats());
            return s;
        }
        int[] off = layout.offsets();
        if (src.dtype() == DType.FLOAT32 && out == DType.FLOAT32) {
            float[] a = src.floats(), b = s.floats();
            for (int i = 0; i < n; i++) b[i] = a[off[i]];
        } else if (src.dtype() == DType.INT64 || out == DType.INT64) {
            for (int i = 0; i < n; i++)
                s.setLong(i, src.dtype() == DType.INT64 ? src.getLong(off[i]) : (long) src.get(off[i]));
        } else {
            for (int i = 0; i < n; i++) s.set(i, src.get(off[i]));
        }
        return s;
    }

    /**
     * A strided float32 view copied row by row (rows along the last dim) into b in row-major order: the same
     * elements as reading through {@link Layout#offsets}, without building the offset array.
     */
    static void copyRows(float[] a, Layout layout, float[] b) {
        int[] shape = layout.shape(), strides = layout.strides();
        int rank = shape.length, last = shape[rank - 1], ls = strides[rank - 1];
        int n = layout.numel();
        if (n == 0) return;
        int rows = n / last;
        int[] idx = new int[rank - 1];
        int pos = layout.offset();
        for (int r = 0, o = 0; r < rows; r++, o += last) {
            if (ls == 1) System.arraycopy(a, pos, b, o, last);
            else for (int j = 0, p = pos; j < last; j++, p += ls) b[o + j] = a[p];
            for (int d = rank - 2; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    pos += strides[d];
                    break;
                }
                pos -= strides[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
    }

    private static Object dataOf(Storage s) {
        return switch (s.dtype()) {
            case FLOAT32 -> s.floats();
            case FLOAT64 -> s.doubles();
            case INT64 -> s.longs();
            case BOOL -> s.bools();
        };
    }

    @Override
    public void assign(Storage dst, Layout dl, Storage src, Layout sl) {
        int n = dl.numel();
        int[] d = dl.offsets(), s = sl.offsets();
        if (dst.dtype() == DType.FLOAT32 && src.dtype() == DType.FLOAT32) {
            float[] a = dst.floats(), b = src.floats();
            for (int i = 0; i < n; i++) a[d[i]] = b[s[i]];
        } else if (dst.dtype() == DType.INT64) {
            for (int i = 0; i < n; i++) dst.setLong(d[i], src.getLong(s[i]));
        } else {
            for (int i = 0; i < n; i++) dst.set(d[i], src.get(s[i]));
        }
    }

    @Override
    public Storage map(UnaryOp op, double p, double q, Storage src, Layout layout, DType out) {
        int n = layout.numel();
        Storage r = Storage.allocate(out, n);
        if (src.dtype() == DType.FLOAT32 && out == DType.FLOAT32) {
            float[] a = src.floats(), b = r.floats();
            if (layout.isContiguous()) {
                int o = layout.offset();
                Parallel.forRange(n, 1 << 14, (s, e) -> Kernels.unary(op, p, q, a, o + s, b, s, e - s));
            } else {
                overRows(layout, null, n, (row, pa, pb, zo, inner, sa, sb) -> {
                    if (sa == 1) Kernels.unary(op, p, q, a, pa, b, zo, inner);
                    else for (int j = 0; j < inner; j++) b[zo + j] = (float) op.apply(a[pa + j * sa], p, q);
                });
            }
            return r;
        }
        int[] off = layout.offsets();
        for (int i = 0; i < n; i++) r.set(i, op.apply(src.get(off[i]), p, q));
        return r;
    }

    @FunctionalInterface
    private interface RowBody {
        void run(int row, int pa, int pb, int outOffset, int inner, int strideA, int strideB);
    }

    /**
     * Walks a strided (e.g. broadcast) layout, and optionally a second one of the same shape, row by row of the last
     * dimension, rows split over the cores: each row's start is computed from its index, so no table of n offsets is
     * built and elements are read straight from the arrays.
     */
    private static void overRows(Layout la, Layout lb, int n, RowBody body) {
        int[] shape = la.shape(), stA = la.strides(), stB = lb == null ? null : lb.strides();
        int rank = shape.length;
        int inner = rank == 0 ? 1 : shape[rank - 1];
        if (n == 0 || inner == 0) return;
        int sa = rank == 0 ? 0 : stA[rank - 1], sb = rank == 0 || lb == null ? 0 : stB[rank - 1];
        int rows = n / inner, oa = la.offset(), ob = lb == null ? 0 : lb.offset();
        Parallel.forRange(rows, Math.max(1, (1 << 15) / inner), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int pa = oa, pb = ob;
                for (int d = rank - 2, rem = row; d >= 0; d--) {
                    int i = rem % shape[d];
                    rem /= shape[d];
                    pa += i * stA[d];
                    if (stB != null) pb += i * stB[d];
                }
                body.run(row, pa, pb, row * inner, inner, sa, sb);
            }
        });
    }

    @Override
    public Storage zip(BinaryOp op, Storage a, Layout la, Storage b, Layout lb, DType out) {
        int n = la.numel();
        Storage r = Storage.allocate(out, n);
        if (a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32 && out == DType.FLOAT32) {
            float[] x = a.floats(), y = b.floats(), z = r.floats();
            int ao = la.offset(), bo = lb.offset();
            if (la.isContiguous() && lb.isContiguous())
                Parallel.forRange(n, 1 << 14, (s, e) -> Kernels.binary(op, x, ao + s, y, bo + s, z, s, e - s));
            else if (la.isContiguous() && allZero(lb.strides()))
                Parallel.forRange(n, 1 << 14, (s, e) -> Kernels.binaryScalarRight(op, x, ao + s, y[bo], z, s, e - s));
            else if (allZero(la.strides()) && lb.isContiguous())
                Parallel.forRange(n, 1 << 14, (s, e) -> Kernels.binaryScalarLeft(op, x[ao], y, bo + s, z, s, e - s));
            else
                overRows(la, lb, n, (row, pa, pb, zo, inner, sa, sb) -> { // broadcasts such as per-channel [1, C, 1, 1]
                    if (sa == 1 && sb == 1) Kernels.binary(op, x, pa, y, pb, z, zo, inner);
                    else if (sa == 1 && sb == 0) Kernels.binaryScalarRight(op, x, pa, y[pb], z, zo, inner);
                    else if (sa == 0 && sb == 1) Kernels.binaryScalarLeft(op, x[pa], y, pb, z, zo, inner);
                    else for (int j = 0; j < inner; j++) z[zo + j] = (float) op.apply(x[pa + j * sa], y[pb + j * sb]);
                });
            return r;
        }
        int[] oa = la.offsets(), ob = lb.offsets();
        if (op.exactOnLongs() && a.dtype() == DType.INT64 && b.dtype() == DType.INT64 && out == DType.INT64) {
            long[] x = a.longs(), y = b.longs(), z = r.longs();
            for (int i = 0; i < n; i++) z[i] = op.applyLong(x[oa[i]], y[ob[i]]);
            return r;
        }
        for (int i = 0; i < n; i++) r.set(i, op.apply(a.get(oa[i]), b.get(ob[i])));
        return r;
    }

    private static boolean allZero(int[] strides) {
        for (int st : strides) if (st != 0) return false;
        return true;
    }

    @Override
    public Storage where(Storage cond, Layout lc, Storage a, Layout la, Storage b, Layout lb, DType out) {
        int n = lc.numel();
        Storage r = Storage.allocate(out, n);
        int[] oc = lc.offsets(), oa = la.offsets(), ob = lb.offsets();
        for (int i = 0; i < n; i++) {
            boolean c = cond.get(oc[i]) != 0.0;
            if (out == DType.INT64) r.setLong(i, c ? a.getLong(oa[i]) : b.getLong(ob[i]));
            else r.set(i, c ? a.get(oa[i]) : b.get(ob[i]));
        }
        return r;
    }

    @Override
    public Storage reduce(ReduceOp op, Storage src, Layout layout, boolean[] reduce, DType out) {
        int[] shape = layout.shape();
        int[] outShape = shape.clone();
        for (int d = 0; d < shape.length; d++) if (reduce[d]) outShape[d] = 1;
        int outN = 1;
        for (int d : outShape) outN *= d;
        int[] cs = Layout.contiguousStrides(outShape);
        int[] masked = new int[shape.length];
        for (int d = 0; d < shape.length; d++) masked[d] = reduce[d] ? 0 : cs[d];
        if (src.dtype() == DType.FLOAT32 && out == DType.FLOAT32 && op == ReduceOp.SUM && shape.length > 0)
            return sumFloat(src.floats(), layout, masked, outN);
        int[] inOff = layout.offsets();
        int[] outIdx = new Layout(shape, masked, 0).offsets();
        double init = switch (op) {
            case SUM -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        Storage r = Storage.allocate(out, outN);
        if (out == DType.INT64 && op == ReduceOp.SUM) {
            long[] acc = new long[outN];
            for (int i = 0; i < inOff.length; i++) acc[outIdx[i]] += src.getLong(inOff[i]);
            System.arraycopy(acc, 0, r.longs(), 0, outN);
            return r;
        }
        double[] acc = new double[outN];
        Arrays.fill(acc, init);
        boolean[] nan = new boolean[outN];
        for (int i = 0; i < inOff.length; i++) {
            double v = src.get(inOff[i]);
            int o = outIdx[i];
            switch (op) {
                case SUM -> acc[o] += v;
                case MAX -> {
                    if (v > acc[o]) acc[o] = v;
                    else if (Double.isNaN(v)) nan[o] = true;
                }
                case MIN -> {
                    if (v < acc[o]) acc[o] = v;
                    else if (Double.isNaN(v)) nan[o] = true;
                }
            }
        }
        for (int o = 0; o < outN; o++) r.set(o, nan[o] ? Double.NaN : acc[o]);
        return r;
    }

    /** Sums float32 with double accumulators, walking input and output positions together (no index arrays). */
    private static Storage sumFloat(float[] x, Layout layout, int[] outStrides, int outN) {
        int[] shape = layout.shape(), st = layout.strides();
        int rank = shape.length, last = rank - 1;
        double[] acc = new double[outN];
        int n = layout.numel();
        if (n > 0) {
            int len = shape[last], inS = st[last], outS = outStrides[last];
            int[] idx = new int[rank];
            int inPos = layout.offset(), outPos = 0;
            for (int done = 0; done < n; done += len) {
                if (outS == 0) {
                    double s = 0;
                    for (int j = 0; j < len; j++) s += x[inPos + j * inS];
                    acc[outPos] += s;
                } else {
                    for (int j = 0; j < len; j++) acc[outPos + j * outS] += x[inPos + j * inS];
                }
                for (int d = last - 1; d >= 0; d--) {
                    if (++idx[d] < shape[d]) {
                        inPos += st[d];
                        outPos += outStrides[d];
                        break;
                    }
                    inPos -= st[d] * (shape[d] - 1);
                    outPos -= outStrides[d] * (shape[d] - 1);
                    idx[d] = 0;
                }
            }
        }
        float[] r = new float[outN];
        for (int i = 0; i < outN; i++) r[i] = (float) acc[i];
        return Storage.of(r);
    }

    @Override
    public Storage relu(Storage x, Layout layout) {
        if (x.dtype() != DType.FLOAT32 || !layout.isContiguous())
            return map(UnaryOp.CLAMP, 0, Double.POSITIVE_INFINITY, x, layout, x.dtype());
        float[] a = x.floats(), r = new float[layout.numel()];
        int o = layout.offset();
        Parallel.forRange(r.length, 1 << 16, (s, e) -> Kernels.relu(a, o, r, s, e));
        return Storage.of(r);
    }

    @Override
    public Storage reluBackward(Storage gy, Layout gl, Storage y, Layout yl) {
        if (gy.dtype() != DType.FLOAT32 || y.dtype() != DType.FLOAT32 || !gl.isContiguous() || !yl.isContiguous()) {
            int n = gl.numel();
            Storage r = Storage.allocate(gy.dtype(), n);
            int[] og = gl.offsets(), oy = yl.offsets();
            for (int i = 0; i < n; i++) r.set(i, y.get(oy[i]) > 0 ? gy.get(og[i]) : 0.0);
            return r;
        }
        float[] g = gy.floats(), v = y.floats(), r = new float[gl.numel()];
        int go = gl.offset(), yo = yl.offset();
        Parallel.forRange(r.length, 1 << 16, (s, e) -> Kernels.reluBackward(g, go, v, yo, r, s, e));
        return Storage.of(r);
    }

    @Override
    public Storage argReduce(boolean max, Storage src, Layout layout, int dim) {
        int[] shape = layout.shape();
        int[] outShape = shape.clone();
        outShape[dim] = 1;
        Layout outer = new Layout(outShape, layout.strides(), layout.offset());
        int[] base = outer.offsets();
        int len = shape[dim], stride = layout.strides()[dim];
        long[] r = new long[base.length];
        for (int o = 0; o < base.length; o++) {
            double best = src.get(base[o]);
            int bi = 0;
            for (int j = 1; j < len; j++) {
                double v = src.get(base[o] + j * stride);
                if (Double.isNaN(best)) break;
                if (max ? (v > best || Double.isNaN(v)) : (v < best || Double.isNaN(v))) {
                    best = v;
                    bi = j;
                }
            }
            r[o] = bi;
        }
        return Storage.of(r);
    }

    @Override
    public Storage matmul(Storage a, Layout la, Storage b, Layout lb) {
        int batch = la.shape()[0], m = la.shape()[1], k = la.shape()[2], n = lb.shape()[2];
        DType dt = a.dtype();
        Storage c = Storage.allocate(dt, batch * m * n);
        if (dt == DType.FLOAT32) {
            float[] af = a.floats(), bf = b.floats(), cf = c.floats();
            for (int t = 0; t < batch; t++)
                Gemm.sgemm(
                        m,
                        n,
                        k,
                        af,
                        la.offset() + t * la.strides()[0],
                        la.strides()[1],
                        la.strides()[2],
                        bf,
                        lb.offset() + t * lb.strides()[0],
                        lb.strides()[1],
                        lb.strides()[2],
                        cf,
                        t * m * n,
                        n,
                        false,
                        true);
            return c;
        }
        if (dt == DType.FLOAT64) {
            double[] ad = a.doubles(), bd = b.doubles(), cd = c.doubles();
            for (int t = 0; t < batch; t++)
                Gemm.dgemm(
                        m,
                        n,
                        k,
                        ad,
                        la.offset() + t * la.strides()[0],
                        la.strides()[1],
                        la.strides()[2],
                        bd,
                        lb.offset() + t * lb.strides()[0],
                        lb.strides()[1],
                        lb.strides()[2],
                        cd,
                        t * m * n,
                        n,
                        false);
            return c;
        }
        for (int t = 0; t < batch; t++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    long s = 0;
                    for (int p = 0; p < k; p++)
                        s += a.getLong(la.offset() + t * la.strides()[0] + i * la.strides()[1] + p * la.strides()[2])
                                * b.getLong(
                                        lb.offset() + t * lb.strides()[0] + p * lb.strides()[1] + j * lb.strides()[2]);
                    c.setLong((t * m + i) * n + j, s);
                }
        return c;
    }

    @Override
    public Storage indexSelect(Storage src, Layout layout, int dim, long[] index) {
        if (dim == 0
                && layout.isContiguous()) { // rows of a contiguous tensor (a data loader's batch): one copy per row
            int rows = layout.shape()[0], row = rows == 0 ? 0 : layout.numel() / rows;
            Storage r = Storage.allocate(src.dtype(), index.length * row);
            Object from = dataOf(src), to = dataOf(r);
            for (int i = 0; i < index.length; i++)
                System.arraycopy(from, layout.offset() + (int) index[i] * row, to, i * row, row);
            return r;
        }
        int[] outShape = layout.shape().clone();
        outShape[dim] = index.length;
        int[] st = layout.strides();
        int[] zeroDim = st.clone();
        zeroDim[dim] = 0;
        int[] base = new Layout(outShape, zeroDim, layout.offset()).offsets();
        int[] idxShape = new int[outShape.length];
        Arrays.fill(idxShape, 1);
        int n = base.length;
        Storage r = Storage.allocate(src.dtype(), n);
        int inner = 1;
        for (int d = dim + 1; d < outShape.length; d++) inner *= outShape[d];
        for (int i = 0; i < n; i++) {
            int j = (i / inner) % Math.max(index.length, 1);
            int pos = base[i] + (int) index[j] * st[dim];
            if (src.dtype() == DType.INT64) r.setLong(i, src.getLong(pos));
            else r.set(i, src.get(pos));
        }
        return r;
    }

    @Override
    public void indexAdd(Storage dst, int[] dstShape, int dim, long[] index, Storage src, Layout srcLayout) {
        int[] srcShape = srcLayout.shape();
        int[] so = srcLayout.offsets();
        int inner = 1;
        for (int d = dim + 1; d < srcShape.length; d++) inner *= srcShape[d];
        int len = srcShape[dim];
        int dstDim = dstShape[dim];
        for (int i = 0; i < so.length; i++) {
            int in = i % inner, j = (i / inner) % len, outer = i / (inner * len);
            int at = (outer * dstDim + (int) index[j]) * inner + in;
            dst.set(at, dst.get(at) + src.get(so[i]));
        }
    }

    @Override
    public Storage gather(Storage src, Layout layout, int dim, Storage index, Layout il) {
        int[] shape = il.shape();
        int[] io = il.offsets();
        int[] zeroDim = layout.strides().clone();
        zeroDim[dim] = 0;
        int[] base = new Layout(shape, zeroDim, layout.offset()).offsets();
        Storage r = Storage.allocate(src.dtype(), io.length);
        int size = layout.shape()[dim], st = layout.strides()[dim];
        for (int i = 0; i < io.length; i++) {
            long k = index.getLong(io[i]);
            if (k < 0 || k >= size)
                throw new IndexOutOfBoundsException(
                        "gather: index " + k + " is out of bounds for dimension " + dim + " with size " + size);
            r.set(i, src.get(base[i] + (int) k * st));
        }
        return r;
    }

    @Override
    public void scatterAdd(Storage dst, int[] dstShape, int dim, Storage index, Layout il, Storage src, Layout sl) {
        int[] shape = il.shape();
        int[] io = il.offsets(), so = sl.offsets();
        int[] cs = Layout.contiguousStrides(dstShape);
        int[] zeroDim = cs.clone();
        zeroDim[dim] = 0;
        int[] base = new Layout(shape, zeroDim, 0).offsets();
        for (int i = 0; i < io.length; i++) {
            int at = base[i] + (int) index.getLong(io[i]) * cs[dim];
            dst.set(at, dst.get(at) + src.get(so[i]));
        }
    }

    @Override
    public Attention attention(Storage q, Storage k, Storage v, Storage dropMask, AttentionShape a) {
        requireFloat32("attention", q, k, v);
        float[] out = new float[a.batch() * a.l() * a.ev()], lse = new float[a.batch() * a.l()];
        AttentionKernels.forward(
                q.floats(),
                k.floats(),
                v.floats(),
                dropMask == null ? null : dropMask.floats(),
                a,
                out,
                lse,
                Kernels.vectorized());
        return new Attention(Storage.of(out), Storage.of(lse));
    }

    @Override
    public Storage[] attentionBackward(
            Storage q,
            Storage k,
            Storage v,
            Storage dropMask,
            Storage out,
            Storage lse,
            Storage gOut,
            AttentionShape a) {
        requireFloat32("attention backward", q, k, v);
        float[] dq = new float[a.batch() * a.l() * a.e()],
                dk = new float[a.batch() * a.s() * a.e()],
                dv = new float[a.batch() * a.s() * a.ev()];
        AttentionKernels.backward(
                q.floats(),
                k.floats(),
                v.floats(),
                dropMask == null ? null : dropMask.floats(),
                out.floats(),
                lse.floats(),
                gOut.floats(),
                a,
                dq,
                dk,
                dv,
                Kernels.vectorized());
        return new Storage[] {Storage.of(dq), Storage.of(dk), Storage.of(dv)};
    }

    private static void requireFloat32(String op, Storage... ss) {
        for (Storage s : ss)
            if (s.dtype() != DType.FLOAT32)
                throw new IllegalArgumentException(op + ": the fused kernel is float32 only, got " + s.dtype());
    }

    @Override
    public Storage conv2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvGeometry g, boolean relu) {
        if (x.dtype() == DType.FLOAT32)
            return Storage.of(ConvKernels.DEFAULT.conv2d(
                    x.floats(), xs, w.floats(), ws, bias == null ? null : bias.floats(), g, relu));
        double[] y = ConvReference.conv2d(x.doubles(), xs, w.doubles(), ws, bias == null ? null : bias.doubles(), g);
        if (relu) for (int i = 0; i < y.length; i++) y[i] = y[i] > 0 ? y[i] : 0.0;
        return Storage.of(y);
    }

    @Override
    public Pooled conv2dReluMaxPool(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvGeometry g) {
        return conv2dReluMaxPool(x, xs, w, ws, bias, g, true);
    }

    @Override
    public Pooled conv2dReluMaxPool(
            Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvGeometry g, boolean argmax) {
        if (x.dtype() == DType.FLOAT32) {
            ConvKernels.PooledArrays r = ConvKernels.DEFAULT.conv2dReluMaxPool(
                    x.floats(), xs, w.floats(), ws, bias == null ? null : bias.floats(), g, argmax);
            // the argmax as one window code a byte (conv2dMaxPoolBackward below reads it): an int64 index was 8 bytes
            // to allocate, write and read back per pooled value
            byte[] codes = r.argmax();
            return new Pooled(Storage.of(r.values()), codes == null ? null : Storage.opaque(codes, codes.length));
        }
        Storage y = conv2d(x, xs, w, ws, bias, g, true);
        int[] ys = {xs[0], ws[0], g.outH(xs[2], ws[2]), g.outW(xs[3], ws[3])};
        return maxPool2d(y, ys, 2, 2, new ConvGeometry(2, 2, 0, 0, 1, 1));
    }

    /** gy masked by reluOut > 0 (float64 path of the fused conv+ReLU backward). */
    private static double[] masked(Storage gy, Storage reluOut) {
        double[] g = gy.doubles().clone();
        if (reluOut != null) {
            double[] y = reluOut.doubles();
            for (int i = 0; i < g.length; i++) if (!(y[i] > 0)) g[i] = 0.0;
        }
        return g;
    }

    @Override
    public Storage conv2dBackwardBias(Storage gy, int[] gys, Storage reluOut) {
        int n = gys[0], o = gys[1], hw = gys[2] * gys[3];
        if (gy.dtype() == DType.FLOAT32)
            return Storage.of(
                    ConvKernels.conv2dBackwardBias(gy.floats(), gys, reluOut == null ? null : reluOut.floats()));
        double[] g = masked(gy, reluOut), b = new double[o];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < o; c++) for (int p = 0; p < hw; p++) b[c] += g[(i * o + c) * hw + p];
        return Storage.of(b);
    }

    @Override
    public ConvGrads conv2dMaxPoolBackward(
            Storage gp,
            int[] ps,
            Storage argmax,
            int[] ys,
            Storage x,
            int[] xs,
            Storage w,
            int[] ws,
            ConvGeometry g,
            boolean input,
            boolean weight) {
        // float64 results come from the composed ops and carry their int64 indices; float32 ones, window codes
        if (!(argmax.opaque() instanceof byte[] codes))
            return Backend.super.conv2dMaxPoolBackward(gp, ps, argmax, ys, x, xs, w, ws, g, input, weight);
        if (!ConvKernels.DEFAULT.pooledBackwardSupported(g, ws[2], ws[3])) {
            Storage indices = Storage.of(PoolKernels.indices(codes, ps[0] * ps[1], ps[2], ps[3], ys[3]));
            return Backend.super.conv2dMaxPoolBackward(gp, ps, indices, ys, x, xs, w, ws, g, input, weight);
        }
        ConvKernels.GradArrays r = ConvKernels.DEFAULT.conv2dMaxPoolBackward(
                gp.floats(), codes, ys, x.floats(), xs, w.floats(), ws, g, input, weight);
        return new ConvGrads(
                r.input() == null ? null : Storage.of(r.input()), r.weight() == null ? null : Storage.of(r.weight()));
    }

    @Override
    public Storage conv2dBackwardInput(
            Storage gy, int[] gys, Storage w, int[] ws, int[] xs, ConvGeometry g, Storage reluOut) {
        if (gy.dtype() == DType.FLOAT32)
            return Storage.of(ConvKernels.DEFAULT.conv2dBackwardInput(
                    gy.floats(), gys, w.floats(), ws, xs, g, reluOut == null ? null : reluOut.floats()));
        return Storage.of(ConvReference.conv2dBackwardInput(masked(gy, reluOut), gys, w.doubles(), ws, xs, g));
    }

    @Override
    public Storage conv2dBackwardWeight(
            Storage gy, int[] gys, Storage x, int[] xs, int[] ws, ConvGeometry g, Storage reluOut) {
        if (gy.dtype() == DType.FLOAT32)
            return Storage.of(ConvKernels.DEFAULT.conv2dBackwardWeight(
                    gy.floats(), gys, x.floats(), xs, ws, g, reluOut == null ? null : reluOut.floats()));
        return Storage.of(ConvReference.conv2dBackwardWeight(masked(gy, reluOut), gys, x.doubles(), xs, ws, g));
    }

    @Override
    public Pooled maxPool2d(Storage x, int[] xs, int kh, int kw, ConvGeometry g) {
        return PoolKernels.maxPool2d(x, xs, kh, kw, g);
    }

    @Override
    public Storage maxPool2dBackward(Storage gy, int[] gys, Storage argmax, int[] xs) {
        return PoolKernels.maxPool2dBackward(gy, gys, argmax, xs);
    }

    @Override
    public Storage avgPool2d(Storage x, int[] xs, int kh, int kw, ConvGeometry g) {
        return PoolKernels.avgPool2d(x, xs, kh, kw, g);
    }

    @Override
    public Storage avgPool2dBackward(Storage gy, int[] gys, int[] xs, int kh, int kw, ConvGeometry g) {
        return PoolKernels.avgPool2dBackward(gy, gys, xs, kh, kw, g);
    }

    /**
     * Below this many elements an Adam step runs on the caller (a loop hand-off costs more than the work); above, the
     * elements are split over the cores, each element computed exactly as {@link Backend#adamRange} does.
     */
    static final int PARALLEL_ADAM = 32_768;

    @Override
    public void adamStep(Storage param, Storage grad, Storage m, Storage v, Storage vmax, AdamStep a) {
        int n = param.length();
        if (n < PARALLEL_ADAM) Backend.adamRange(param, grad, m, v, vmax, a, 0, n);
        else Parallel.forRange(n, PARALLEL_ADAM / 4, (s, e) -> Backend.adamRange(param, grad, m, v, vmax, a, s, e));
    }
}
