package dev.nabla;

import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradMode;
import dev.nabla.autograd.Node;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Layout;
import dev.nabla.backend.Storage;
import dev.nabla.ops.Activations;
import dev.nabla.ops.Creation;
import dev.nabla.ops.Elementwise;
import dev.nabla.ops.Indexing;
import dev.nabla.ops.MatMul;
import dev.nabla.ops.Movement;
import dev.nabla.ops.Reductions;
import java.util.List;

/**
 * An n-dimensional array with reverse-mode automatic differentiation. A small facade: storage, layout (shape,
 * strides, offset), dtype, device, {@code requiresGrad}, {@code grad} and the node that made it. Each method
 * delegates to {@code dev.nabla.ops}; names follow PyTorch in camelCase, in-place methods end in {@code _}.
 */
public final class Tensor {
    /** Null while the tensor is deferred (see {@link Deferred}); set once, by {@link #storage()}. */
    private volatile Storage storage;
    /** The pending computation of a deferred result, null for an ordinary tensor and once computed. */
    private volatile Deferred deferred;
    private final DType dtype;
    private final Layout layout;
    private final Device device;
    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;
    /** The tensor whose storage this view shares (null when this is no view); set by autograd when a view op runs. */
    private Tensor viewBase;
    private Node gradFn;

    private Tensor(Storage storage, Layout layout, Device device) {
        this.storage = storage;
        this.dtype = storage.dtype();
        this.layout = layout;
        this.device = device;
    }

    private Tensor(Deferred deferred, DType dtype, int[] shape) {
        this.deferred = deferred;
        this.dtype = dtype;
        this.layout = Layout.contiguous(shape);
        this.device = Device.CPU;
    }

    /**
     * Internal: a result whose values are computed on first use. This is how ops fuse whatever container calls them
     * (see {@code dev.nabla.ops.Fusion}): conv2d returns a deferred result, so that a relu and a 2x2 max-pool applied
     * to it next can run as one kernel with it, and the full-resolution activation is never written. Any access to
     * the data ({@link #storage()}) computes it first; so does an in-place write to the inputs it was computed from.
     */
    public interface Deferred {
        /** Computes the values (called at most once, under the tensor's lock). */
        Storage compute();
    }

    /** Internal: a contiguous tensor of the given dtype and shape whose values {@code d} computes on first use. */
    public static Tensor deferred(Deferred d, DType dtype, int... shape) {
        return new Tensor(d, dtype, shape.clone());
    }

    /** Internal: the pending computation of a deferred result (without computing it), or null. */
    public Deferred pending() { return deferred; }

    private synchronized Storage materialize() {
        Storage s = storage;
        if (s == null) {
            s = deferred.compute();
            if (s.length() != layout.numel() || s.dtype() != dtype)
                throw new IllegalStateException("a deferred result computed " + s.length() + " " + s.dtype() + " values for shape "
                        + Shape.str(layout.shape()) + " " + dtype);
            storage = s;
            deferred = null;
        }
        return s;
    }

    /** Wraps a storage and layout (internal: for ops and kernels). */
    public static Tensor wrap(Storage storage, Layout layout) {
        return new Tensor(storage, layout, Device.CPU);
    }

    /** A new contiguous tensor over a storage (internal: for ops and kernels). */
    public static Tensor wrap(Storage storage, int... shape) {
        if (storage.length() != Shape.numel(shape))
            throw new IllegalArgumentException("storage of " + storage.length() + " elements does not match shape " + Shape.str(shape));
        return new Tensor(storage, Layout.contiguous(shape), Device.CPU);
    }

    // ------------------------------------------------------------------ creation

    public static Tensor zeros(int... shape) { return Creation.full(0, DType.FLOAT32, shape); }
    public static Tensor zeros(DType dtype, int... shape) { return Creation.full(0, dtype, shape); }
    public static Tensor ones(int... shape) { return Creation.full(1, DType.FLOAT32, shape); }
    public static Tensor ones(DType dtype, int... shape) { return Creation.full(1, dtype, shape); }
    public static Tensor full(double value, int... shape) { return Creation.full(value, DType.FLOAT32, shape); }
    public static Tensor full(double value, DType dtype, int... shape) { return Creation.full(value, dtype, shape); }
    public static Tensor zerosLike(Tensor t) { return Creation.full(0, t.dtype(), t.shape()); }
    public static Tensor onesLike(Tensor t) { return Creation.full(1, t.dtype(), t.shape()); }
    public static Tensor fullLike(Tensor t, double value) { return Creation.full(value, t.dtype(), t.shape()); }
    /** 0, 1, ..., end-1 as int64, as {@code torch.arange(end)}. */
    public static Tensor arange(long end) { return Creation.arange(0, end, 1, DType.INT64); }
    public static Tensor arange(double start, double end, double step) { return Creation.arange(start, end, step, DType.FLOAT32); }
    public static Tensor arange(double start, double end, double step, DType dtype) { return Creation.arange(start, end, step, dtype); }
    public static Tensor linspace(double start, double end, int steps) { return Creation.linspace(start, end, steps, DType.FLOAT32); }
    public static Tensor eye(int n) { return Creation.eye(n, n, DType.FLOAT32); }
    public static Tensor eye(int n, int m, DType dtype) { return Creation.eye(n, m, dtype); }
    /** A tensor over a copy of data with the given shape (a 1-d tensor when no shape is given). */
    public static Tensor of(float[] data, int... shape) { return Creation.of(Storage.of(data.clone()), shape); }
    /** A float32 tensor over {@code data} itself, not a copy (as torch.from_numpy): later writes to the array show in the tensor. */
    public static Tensor fromArray(float[] data, int... shape) { return Creation.of(Storage.of(data), shape); }
    public static Tensor of(double[] data, int... shape) { return Creation.of(Storage.of(data.clone()), shape); }
    public static Tensor of(long[] data, int... shape) { return Creation.of(Storage.of(data.clone()), shape); }
    public static Tensor of(boolean[] data, int... shape) { return Creation.of(Storage.of(data.clone()), shape); }
    public static Tensor of(float[][] rows) { return Creation.of(rows); }
    public static Tensor of(double[][] rows) { return Creation.of(rows); }
    /** A 0-d float32 tensor. */
    public static Tensor scalar(double value) { return Creation.full(value, DType.FLOAT32); }
    public static Tensor scalar(double value, DType dtype) { return Creation.full(value, dtype); }
    /** Uniform in [0, 1) from the default generator. */
    public static Tensor rand(int... shape) { return Creation.rand(Generator.global(), DType.FLOAT32, shape); }
    public static Tensor rand(Generator g, int... shape) { return Creation.rand(g, DType.FLOAT32, shape); }
    public static Tensor rand(Generator g, DType dtype, int... shape) { return Creation.rand(g, dtype, shape); }
    /** Standard normal from the default generator. */
    public static Tensor randn(int... shape) { return Creation.randn(Generator.global(), DType.FLOAT32, shape); }
    public static Tensor randn(Generator g, int... shape) { return Creation.randn(g, DType.FLOAT32, shape); }
    public static Tensor randn(Generator g, DType dtype, int... shape) { return Creation.randn(g, dtype, shape); }
    /** Integers uniform in [low, high) as int64. */
    public static Tensor randint(long low, long high, int... shape) { return Creation.randint(Generator.global(), low, high, shape); }
    public static Tensor randint(Generator g, long low, long high, int... shape) { return Creation.randint(g, low, high, shape); }
    /** 1 with probability p, else 0, in float32. */
    public static Tensor bernoulli(double p, int... shape) { return Creation.bernoulli(Generator.global(), p, DType.FLOAT32, shape); }
    public static Tensor bernoulli(Generator g, double p, int... shape) { return Creation.bernoulli(g, p, DType.FLOAT32, shape); }
    /** Each element 1 with the probability this tensor holds at its position. */
    public Tensor bernoulli(Generator g) { return Creation.bernoulli(g, this); }

    // ------------------------------------------------------------------ properties

    public int[] shape() { return layout.shape().clone(); }
    /** Size of one dimension (negative dims count from the end). */
    public int size(int dim) { return layout.shape()[Shape.dim("size", dim, rank())]; }
    public int rank() { return layout.rank(); }
    public int dim() { return layout.rank(); }
    public int numel() { return layout.numel(); }
    public DType dtype() { return dtype; }
    public Device device() { return device; }
    public int[] strides() { return layout.strides().clone(); }
    public boolean isContiguous() { return layout.isContiguous(); }
    /** Internal: the storage this tensor views. */
    public Storage storage() {
        Storage s = storage;
        return s != null ? s : materialize();
    }
    /** The version counter of this tensor's storage (PyTorch's {@code _version}): bumped by in-place ops, shared with views and detach(). */
    public int version() { return storage().version(); }
    /** Internal: how this tensor views its storage. */
    public Layout layout() { return layout; }
    public Backend backend() { return device.backend(); }

    // ------------------------------------------------------------------ dtype and data out

    public Tensor to(DType dtype) { return Elementwise.cast(this, dtype); }
    public Tensor toFloat() { return to(DType.FLOAT32); }
    public Tensor toDouble() { return to(DType.FLOAT64); }
    public Tensor toLong() { return to(DType.INT64); }
    public Tensor toBool() { return to(DType.BOOL); }

    /** The single element as a double; an error unless numel is 1. */
    public double item() {
        if (numel() != 1)
            throw new IllegalStateException("item: a Tensor with " + numel() + " elements (shape " + Shape.str(layout.shape())
                    + ") cannot be converted to a scalar");
        return storage().get(layout.offset());
    }

    public float[] toFloatArray() { return contiguousData(DType.FLOAT32).floats(); }
    public double[] toDoubleArray() { return contiguousData(DType.FLOAT64).doubles(); }
    public long[] toLongArray() { return contiguousData(DType.INT64).longs(); }
    public boolean[] toBooleanArray() { return contiguousData(DType.BOOL).bools(); }

    private Storage contiguousData(DType dt) {
        return backend().copy(storage(), layout, dt);
    }

    /** Element at the given index as a double. */
    public double get(int... index) {
        if (index.length != rank())
            throw new IllegalArgumentException("get: expected " + rank() + " indices for shape " + Shape.str(layout.shape()) + ", got " + index.length);
        int pos = layout.offset();
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + layout.shape()[d] : index[d];
            if (i < 0 || i >= layout.shape()[d])
                throw new IndexOutOfBoundsException("get: index " + index[d] + " is out of bounds for dimension " + d + " with size " + layout.shape()[d]);
            pos += i * layout.strides()[d];
        }
        return storage().get(pos);
    }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as needing a gradient (float dtypes only); returns this. */
    public Tensor requiresGrad_(boolean value) {
        if (value && !dtype().isFloatingPoint())
            throw new IllegalArgumentException("requiresGrad_: only floating point tensors can require gradients, this one is " + dtype());
        if (!value && gradFn != null)
            throw new IllegalStateException("requiresGrad_: you can only change requiresGrad of leaf tensors; use detach()");
        requiresGrad = value;
        return this;
    }

    public Tensor requiresGrad_() { return requiresGrad_(true); }

    /** The accumulated gradient, or null. */
    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.shape(), layout.shape()))
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.str(g.shape()) + " differs from tensor shape " + Shape.str(layout.shape()));
        grad = g;
    }

    /** Drops the gradient (PyTorch's default set_to_none). */
    public void zeroGrad() { grad = null; }

    public Node gradFn() { return gradFn; }
    public boolean isLeaf() { return gradFn == null; }
    public boolean retainsGrad() { return retainsGrad; }

    /** Keeps the gradient of this non-leaf tensor in {@link #grad()} after backward. */
    public Tensor retainGrad() {
        if (!requiresGrad) throw new IllegalStateException("retainGrad: can't retain grad on a tensor that has requiresGrad=false");
        retainsGrad = true;
        return this;
    }

    /** The tensor this view was taken of (its root, through views of views), or null. */
    public Tensor viewBase() { return viewBase; }

    /** Internal: called by {@link Autograd#record} for ops whose output shares its input's storage. */
    public void setViewBase(Tensor base) { viewBase = base; }

    /** Internal: called by {@link Autograd#record}. */
    public void attachGradFn(Node node) {
        gradFn = node;
        requiresGrad = true;
    }

    /** Internal: called by the engine for leaves and tensors that retain their gradient. */
    public void accumulateGrad(Tensor g) {
        if (grad == null) grad = GradMode.isEnabled() ? g : g.contiguous() == g ? g.clone() : g.contiguous();
        else grad = grad.add(g);
    }

    /** Backpropagates from this scalar. */
    public void backward() { Autograd.backward(this, null, false, false); }
    /** Backpropagates {@code gradient} (same shape as this). */
    public void backward(Tensor gradient) { Autograd.backward(this, gradient, false, false); }
    public void backward(Tensor gradient, boolean retainGraph) { Autograd.backward(this, gradient, retainGraph, false); }
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) { Autograd.backward(this, gradient, retainGraph, createGraph); }

    /** A tensor sharing storage with this one, cut from the graph. */
    public Tensor detach() { return new Tensor(storage(), layout, device); }

    // ------------------------------------------------------------------ element-wise

    public Tensor add(Tensor o) { return Elementwise.add(this, o); }
    public Tensor add(double s) { return Elementwise.add(this, Elementwise.scalarLike(this, s)); }
    /** this + alpha * o. */
    public Tensor add(Tensor o, double alpha) { return Elementwise.add(this, Elementwise.mul(o, Elementwise.scalarLike(o, alpha))); }
    public Tensor sub(Tensor o) { return Elementwise.sub(this, o); }
    public Tensor sub(double s) { return Elementwise.sub(this, Elementwise.scalarLike(this, s)); }
    /** s - this. */
    public Tensor rsub(double s) { return Elementwise.sub(Elementwise.scalarLike(this, s), this); }
    public Tensor mul(Tensor o) { return Elementwise.mul(this, o); }
    public Tensor mul(double s) { return Elementwise.mul(this, Elementwise.scalarLike(this, s)); }
    public Tensor div(Tensor o) { return Elementwise.div(this, o); }
    public Tensor div(double s) { return Elementwise.div(this, Elementwise.scalarLike(this, s)); }
    public Tensor neg() { return Elementwise.neg(this); }
    public Tensor pow(double exponent) { return Elementwise.pow(this, exponent); }
    public Tensor pow(Tensor exponent) { return Elementwise.pow(this, exponent); }
    public Tensor square() { return Elementwise.mul(this, this); }
    public Tensor exp() { return Elementwise.exp(this); }
    public Tensor log() { return Elementwise.log(this); }
    public Tensor sqrt() { return Elementwise.sqrt(this); }
    public Tensor abs() { return Elementwise.abs(this); }
    public Tensor sign() { return Elementwise.sign(this); }
    public Tensor reciprocal() { return Elementwise.div(Elementwise.scalarLike(this, 1.0), this); }
    public Tensor clamp(double min, double max) { return Elementwise.clamp(this, min, max); }
    public Tensor clampMin(double min) { return Elementwise.clamp(this, min, Double.POSITIVE_INFINITY); }
    public Tensor clampMax(double max) { return Elementwise.clamp(this, Double.NEGATIVE_INFINITY, max); }
    public Tensor maximum(Tensor o) { return Elementwise.maximum(this, o); }
    public Tensor minimum(Tensor o) { return Elementwise.minimum(this, o); }
    /** cond ? a : b, broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Elementwise.where(cond, a, b); }
    public Tensor eq(Tensor o) { return Elementwise.compare("eq", this, o); }
    public Tensor eq(double s) { return Elementwise.compare("eq", this, Elementwise.scalarLike(this, s)); }
    public Tensor ne(Tensor o) { return Elementwise.compare("ne", this, o); }
    public Tensor ne(double s) { return Elementwise.compare("ne", this, Elementwise.scalarLike(this, s)); }
    public Tensor lt(Tensor o) { return Elementwise.compare("lt", this, o); }
    public Tensor lt(double s) { return Elementwise.compare("lt", this, Elementwise.scalarLike(this, s)); }
    public Tensor le(Tensor o) { return Elementwise.compare("le", this, o); }
    public Tensor le(double s) { return Elementwise.compare("le", this, Elementwise.scalarLike(this, s)); }
    public Tensor gt(Tensor o) { return Elementwise.compare("gt", this, o); }
    public Tensor gt(double s) { return Elementwise.compare("gt", this, Elementwise.scalarLike(this, s)); }
    public Tensor ge(Tensor o) { return Elementwise.compare("ge", this, o); }
    public Tensor ge(double s) { return Elementwise.compare("ge", this, Elementwise.scalarLike(this, s)); }
    public Tensor logicalNot() { return Elementwise.compare("eq", this.toBool(), Tensor.scalar(0, DType.BOOL)); }

    // ------------------------------------------------------------------ activations

    public Tensor relu() { return Activations.relu(this); }
    public Tensor sigmoid() { return Activations.sigmoid(this); }
    public Tensor tanh() { return Activations.tanh(this); }
    /** GELU, exact (erf) form. */
    public Tensor gelu() { return Activations.gelu(this, false); }
    /** GELU with the tanh approximation when {@code tanhApproximation}. */
    public Tensor gelu(boolean tanhApproximation) { return Activations.gelu(this, tanhApproximation); }
    public Tensor softmax(int dim) { return Activations.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return Activations.logSoftmax(this, dim); }
    /** Heaviside step: 1 where x > 0, {@code atZero} where x == 0, 0 elsewhere. */
    public Tensor heaviside(double atZero) { return Activations.heaviside(this, atZero); }
    /** The threshold unit's step: 1 where x >= 0, else 0. */
    public Tensor step() { return Activations.heaviside(this, 1.0); }

    // ------------------------------------------------------------------ reductions

    public Tensor sum() { return Reductions.sum(this, null, false); }
    /** True when no element is NaN or infinite (as {@code torch.isfinite(t).all()}, without the intermediate tensor). */
    public boolean allFinite() { return Reductions.allFinite(this); }
    public Tensor sum(int dim, boolean keepDim) { return Reductions.sum(this, new int[] {dim}, keepDim); }
    public Tensor sum(int[] dims, boolean keepDim) { return Reductions.sum(this, dims, keepDim); }
    public Tensor sum(int dim) { return sum(dim, false); }
    public Tensor mean() { return Reductions.mean(this, null, false); }
    public Tensor mean(int dim, boolean keepDim) { return Reductions.mean(this, new int[] {dim}, keepDim); }
    public Tensor mean(int[] dims, boolean keepDim) { return Reductions.mean(this, dims, keepDim); }
    public Tensor mean(int dim) { return mean(dim, false); }
    public Tensor max() { return Reductions.extreme(this, null, false, true); }
    public Tensor max(int dim, boolean keepDim) { return Reductions.extreme(this, new int[] {dim}, keepDim, true); }
    public Tensor min() { return Reductions.extreme(this, null, false, false); }
    public Tensor min(int dim, boolean keepDim) { return Reductions.extreme(this, new int[] {dim}, keepDim, false); }
    /** Index of the maximum of the flattened tensor. */
    public Tensor argmax() { return Reductions.argExtreme(this.reshape(-1), 0, false, true); }
    public Tensor argmax(int dim, boolean keepDim) { return Reductions.argExtreme(this, dim, keepDim, true); }
    public Tensor argmin() { return Reductions.argExtreme(this.reshape(-1), 0, false, false); }
    public Tensor argmin(int dim, boolean keepDim) { return Reductions.argExtreme(this, dim, keepDim, false); }
    /** Variance with Bessel's correction (unbiased), as PyTorch's default. */
    public Tensor var() { return Reductions.var(this, null, 1, false); }
    public Tensor var(int dim, boolean keepDim) { return Reductions.var(this, new int[] {dim}, 1, keepDim); }
    /** Variance over dims with the given correction (0: population, 1: sample). */
    public Tensor var(int[] dims, int correction, boolean keepDim) { return Reductions.var(this, dims, correction, keepDim); }
    public Tensor std() { return var().sqrt(); }
    public Tensor std(int dim, boolean keepDim) { return var(dim, keepDim).sqrt(); }
    public Tensor std(int[] dims, int correction, boolean keepDim) { return var(dims, correction, keepDim).sqrt(); }
    public Tensor logSumExp(int dim, boolean keepDim) { return Reductions.logSumExp(this, new int[] {dim}, keepDim); }
    public Tensor logSumExp(int[] dims, boolean keepDim) { return Reductions.logSumExp(this, dims, keepDim); }

    // ------------------------------------------------------------------ matmul

    public Tensor matmul(Tensor o) { return MatMul.matmul(this, o); }

    // ------------------------------------------------------------------ shape and views

    public Tensor reshape(int... shape) { return Movement.reshape(this, shape); }
    /** Like reshape, but never copies: an error when the layout does not allow a view. */
    public Tensor view(int... shape) { return Movement.view(this, shape); }
    public Tensor transpose(int dim0, int dim1) { return Movement.transpose(this, dim0, dim1); }
    public Tensor permute(int... dims) { return Movement.permute(this, dims); }
    /** Transpose of a matrix (rank ≤ 2), as PyTorch's {@code t()}. */
    public Tensor t() { return Movement.t(this); }
    /** All dims reversed, as PyTorch's {@code .T}. */
    public Tensor T() { return Movement.reverseDims(this); }
    /** The last two dims swapped, as PyTorch's {@code .mT}. */
    public Tensor mT() { return Movement.transpose(this, -2, -1); }
    public Tensor squeeze() { return Movement.squeeze(this, null); }
    public Tensor squeeze(int dim) { return Movement.squeeze(this, dim); }
    public Tensor unsqueeze(int dim) { return Movement.unsqueeze(this, dim); }
    public Tensor expand(int... shape) { return Movement.expand(this, shape); }
    public Tensor expandAs(Tensor other) { return Movement.expand(this, other.shape()); }
    public Tensor flatten() { return Movement.flatten(this, 0, -1); }
    /** Dimensions startDim.. merged into one (PyTorch's {@code torch.flatten(x, startDim)}). */
    public Tensor flatten(int startDim) { return Movement.flatten(this, startDim, -1); }
    public Tensor flatten(int startDim, int endDim) { return Movement.flatten(this, startDim, endDim); }
    /** The view of {@code length} elements from {@code start} along dim. */
    public Tensor narrow(int dim, int start, int length) { return Movement.narrow(this, dim, start, length); }
    /** Python's {@code x[..., start:end:step, ...]} along dim (negative and out-of-range bounds clipped as Python does). */
    public Tensor slice(int dim, int start, int end, int step) { return Movement.slice(this, dim, start, end, step); }
    public Tensor slice(int dim, int start, int end) { return Movement.slice(this, dim, start, end, 1); }
    /** The view at {@code index} along dim, with that dim removed. */
    public Tensor select(int dim, int index) { return Movement.select(this, dim, index); }
    /** {@code x[index]}: rows picked by an int64 tensor (any shape) along dim 0. */
    public Tensor index(Tensor index) { return Indexing.index(this, index); }
    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    /** {@code out[i][j] = x[i][index[i][j]]} for dim 1, generalised. */
    public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }
    public static Tensor cat(List<Tensor> tensors, int dim) { return Movement.cat(tensors.toArray(Tensor[]::new), dim); }
    public static Tensor cat(Tensor[] tensors, int dim) { return Movement.cat(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return Movement.stack(tensors.toArray(Tensor[]::new), dim); }
    public static Tensor stack(Tensor[] tensors, int dim) { return Movement.stack(tensors, dim); }
    /** This tensor if contiguous, else a contiguous copy (differentiable). */
    public Tensor contiguous() { return Movement.contiguous(this); }
    /** A contiguous copy with its own storage (differentiable). */
    public Tensor clone() { return Movement.cloneTensor(this); }

    // ------------------------------------------------------------------ in place (no graph)

    public Tensor zero_() { return Elementwise.inPlace("zero_", this, Tensor.zeros(dtype())); }
    public Tensor fill_(double v) { return Elementwise.inPlace("fill_", this, Tensor.full(v, dtype())); }
    /** Copies src (broadcast to this shape) into this tensor's elements. */
    public Tensor copy_(Tensor src) { return Elementwise.inPlace("copy_", this, src); }
    public Tensor add_(Tensor o) { return Elementwise.inPlaceOp("add_", this, t -> t.add(o)); }
    public Tensor add_(Tensor o, double alpha) { return Elementwise.inPlaceOp("add_", this, t -> t.add(o, alpha)); }
    public Tensor add_(double s) { return Elementwise.inPlaceOp("add_", this, t -> t.add(s)); }
    public Tensor sub_(Tensor o) { return Elementwise.inPlaceOp("sub_", this, t -> t.sub(o)); }
    public Tensor mul_(Tensor o) { return Elementwise.inPlaceOp("mul_", this, t -> t.mul(o)); }
    public Tensor mul_(double s) { return Elementwise.inPlaceOp("mul_", this, t -> t.mul(s)); }
    public Tensor div_(double s) { return Elementwise.inPlaceOp("div_", this, t -> t.div(s)); }
    public Tensor clamp_(double min, double max) { return Elementwise.inPlaceOp("clamp_", this, t -> t.clamp(min, max)); }

    // ------------------------------------------------------------------ comparison helpers

    /** |this - other| <= atol + rtol * |other| element-wise (after broadcasting), as {@code torch.allclose}. */
    public boolean allClose(Tensor other, double rtol, double atol) {
        try (var g = GradMode.noGrad()) {
            int[] shape = Shape.broadcast("allClose", shape(), other.shape());
            double[] a = expand(shape).toDoubleArray(), b = other.expand(shape).toDoubleArray();
            for (int i = 0; i < a.length; i++) {
                if (Double.isNaN(a[i]) || Double.isNaN(b[i])) return false;
                if (Math.abs(a[i] - b[i]) > atol + rtol * Math.abs(b[i])) return false;
            }
            return true;
        }
    }

    public boolean allClose(Tensor other) { return allClose(other, 1e-5, 1e-8); }

    /** Prints like PyTorch: {@code tensor([[1., 2.], [3., 4.]], requires_grad=True)}. */
    @Override
    public String toString() { return TensorFormat.format(this); }
}
