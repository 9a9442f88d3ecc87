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
    private java.util.List<java.util.function.Consumer<Tensor>> postAccumulateGradHooks;
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
    public Deferred pending() {
        return deferred;
    }

    private synchronized Storage materialize() {
        Storage s = storage;
        if (s == null) {
            s = deferred.compute();
            if (s.length() != layout.numel() || s.dtype() != dtype)
                throw new IllegalStateException("a deferred result computed " + s.length() + " " + s.dtype()
                        + " values for shape " + Shape.str(layout.shape()) + " " + dtype);
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
            throw new IllegalArgumentException(
                    "storage of " + storage.length() + " elements does not match shape " + Shape.str(shape));
        return new Tensor(storage, Layout.contiguous(shape), Device.CPU);
    }

    // ------------------------------------------------------------------ creation

    /** A float32 tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return Creation.full(0, DType.FLOAT32, shape);
    }
    /** A tensor of zeros of the given dtype. */
    public static Tensor zeros(DType dtype, int... shape) {
        return Creation.full(0, dtype, shape);
    }
    /** A float32 tensor of ones. */
    public static Tensor ones(int... shape) {
        return Creation.full(1, DType.FLOAT32, shape);
    }
    /** A tensor of ones of the given dtype. */
    public static Tensor ones(DType dtype, int... shape) {
        return Creation.full(1, dtype, shape);
    }
    /** A float32 tensor of the given shape filled with value. */
    public static Tensor full(double value, int... shape) {
        return Creation.full(value, DType.FLOAT32, shape);
    }
    /** A tensor of the given dtype and shape filled with value. */
    public static Tensor full(double value, DType dtype, int... shape) {
        return Creation.full(value, dtype, shape);
    }
    /** Zeros of t's shape and dtype. */
    public static Tensor zerosLike(Tensor t) {
        return Creation.full(0, t.dtype(), t.shape());
    }
    /** Ones of t's shape and dtype. */
    public static Tensor onesLike(Tensor t) {
        return Creation.full(1, t.dtype(), t.shape());
    }
    /** A tensor of t's shape and dtype filled with value. */
    public static Tensor fullLike(Tensor t, double value) {
        return Creation.full(value, t.dtype(), t.shape());
    }
    /** 0, 1, ..., end-1 as int64, as {@code torch.arange(end)}. */
    public static Tensor arange(long end) {
        return Creation.arange(0, end, 1, DType.INT64);
    }
    /** Values start, start + step, ... below end, as a 1-D float32 tensor ({@link #arange(long)} gives int64). */
    public static Tensor arange(double start, double end, double step) {
        return Creation.arange(start, end, step, DType.FLOAT32);
    }
    /** Values start, start + step, ... below end, as a 1-D tensor of the given dtype. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        return Creation.arange(start, end, step, dtype);
    }
    /** steps evenly spaced float32 values from start to end, both included. */
    public static Tensor linspace(double start, double end, int steps) {
        return Creation.linspace(start, end, steps, DType.FLOAT32);
    }
    /** The n x n float32 identity matrix. */
    public static Tensor eye(int n) {
        return Creation.eye(n, n, DType.FLOAT32);
    }
    /** An n x m matrix with ones on the diagonal. */
    public static Tensor eye(int n, int m, DType dtype) {
        return Creation.eye(n, m, dtype);
    }
    /** A tensor over a copy of data with the given shape (a 1-d tensor when no shape is given). */
    public static Tensor of(float[] data, int... shape) {
        return Creation.of(Storage.of(data.clone()), shape);
    }
    /** A float32 tensor over {@code data} itself, not a copy (as torch.from_numpy): later writes to the array show in the tensor. */
    public static Tensor fromArray(float[] data, int... shape) {
        return Creation.of(Storage.of(data), shape);
    }
    /** A float64 tensor holding a copy of data in the given shape (1-D when no shape is given). */
    public static Tensor of(double[] data, int... shape) {
        return Creation.of(Storage.of(data.clone()), shape);
    }
    /** An int64 tensor holding a copy of data in the given shape (1-D when no shape is given). */
    public static Tensor of(long[] data, int... shape) {
        return Creation.of(Storage.of(data.clone()), shape);
    }
    /** A bool tensor holding a copy of data in the given shape (1-D when no shape is given). */
    public static Tensor of(boolean[] data, int... shape) {
        return Creation.of(Storage.of(data.clone()), shape);
    }
    /** A float32 matrix from rows of equal length. */
    public static Tensor of(float[][] rows) {
        return Creation.of(rows);
    }
    /** A float64 matrix from rows of equal length. */
    public static Tensor of(double[][] rows) {
        return Creation.of(rows);
    }
    /** A 0-d float32 tensor. */
    public static Tensor scalar(double value) {
        return Creation.full(value, DType.FLOAT32);
    }
    /** A 0-d tensor holding value. */
    public static Tensor scalar(double value, DType dtype) {
        return Creation.full(value, dtype);
    }
    /** Uniform in [0, 1) from the default generator. */
    public static Tensor rand(int... shape) {
        return Creation.rand(Generator.global(), DType.FLOAT32, shape);
    }
    /** float32 values uniform in [0, 1), drawn from g. */
    public static Tensor rand(Generator g, int... shape) {
        return Creation.rand(g, DType.FLOAT32, shape);
    }
    /** Values uniform in [0, 1) of the given dtype, drawn from g. */
    public static Tensor rand(Generator g, DType dtype, int... shape) {
        return Creation.rand(g, dtype, shape);
    }
    /** Standard normal from the default generator. */
    public static Tensor randn(int... shape) {
        return Creation.randn(Generator.global(), DType.FLOAT32, shape);
    }
    /** float32 values from the standard normal distribution, drawn from g. */
    public static Tensor randn(Generator g, int... shape) {
        return Creation.randn(g, DType.FLOAT32, shape);
    }
    /** Standard normal values of the given dtype, drawn from g. */
    public static Tensor randn(Generator g, DType dtype, int... shape) {
        return Creation.randn(g, dtype, shape);
    }
    /** Integers uniform in [low, high) as int64. */
    public static Tensor randint(long low, long high, int... shape) {
        return Creation.randint(Generator.global(), low, high, shape);
    }
    /** int64 values uniform in [low, high), drawn from g. */
    public static Tensor randint(Generator g, long low, long high, int... shape) {
        return Creation.randint(g, low, high, shape);
    }
    /** 1 with probability p, else 0, in float32. */
    public static Tensor bernoulli(double p, int... shape) {
        return Creation.bernoulli(Generator.global(), p, DType.FLOAT32, shape);
    }
    /** float32 zeros and ones, each one with probability p, drawn from g. */
    public static Tensor bernoulli(Generator g, double p, int... shape) {
        return Creation.bernoulli(g, p, DType.FLOAT32, shape);
    }
    /** Each element 1 with the probability this tensor holds at its position. */
    public Tensor bernoulli(Generator g) {
        return Creation.bernoulli(g, this);
    }

    // ------------------------------------------------------------------ properties

    /** The sizes of the dimensions (a copy). */
    public int[] shape() {
        return layout.shape().clone();
    }
    /** Size of one dimension (negative dims count from the end). */
    public int size(int dim) {
        return layout.shape()[Shape.dim("size", dim, rank())];
    }
    /** The number of dimensions. */
    public int rank() {
        return layout.rank();
    }
    /** The number of dimensions (PyTorch's name for {@link #rank}). */
    public int dim() {
        return layout.rank();
    }
    /** The number of elements. */
    public int numel() {
        return layout.numel();
    }
    /** The element type. */
    public DType dtype() {
        return dtype;
    }
    /** The device whose memory holds the values (the CPU). */
    public Device device() {
        return device;
    }
    /** The step in elements between neighbours along each dimension (a copy). */
    public int[] strides() {
        return layout.strides().clone();
    }
    /** Whether the elements lie in row-major order without gaps. */
    public boolean isContiguous() {
        return layout.isContiguous();
    }
    /** Internal: the storage this tensor views. */
    public Storage storage() {
        Storage s = storage;
        return s != null ? s : materialize();
    }
    /** The version counter of this tensor's storage (PyTorch's {@code _version}): bumped by in-place ops, shared with views and detach(). */
    public int version() {
        return storage().version();
    }
    /** Internal: how this tensor views its storage. */
    public Layout layout() {
        return layout;
    }
    /** Internal: the kernels of this tensor's device. */
    public Backend backend() {
        return device.backend();
    }

    // ------------------------------------------------------------------ dtype and data out

    /** The values converted to dtype (this tensor itself when it already has it); differentiable between floating types. */
    public Tensor to(DType dtype) {
        return Elementwise.cast(this, dtype);
    }
    /** The values as float32. */
    public Tensor toFloat() {
        return to(DType.FLOAT32);
    }
    /** The values as float64. */
    public Tensor toDouble() {
        return to(DType.FLOAT64);
    }
    /** The values as int64 (truncated toward zero). */
    public Tensor toLong() {
        return to(DType.INT64);
    }
    /** The values as bool (non-zero is true). */
    public Tensor toBool() {
        return to(DType.BOOL);
    }

    /** The single element as a double; an error unless numel is 1. */
    public double item() {
        if (numel() != 1)
            throw new IllegalStateException("item: a Tensor with " + numel() + " elements (shape "
                    + Shape.str(layout.shape()) + ") cannot be converted to a scalar");
        return storage().get(layout.offset());
    }

    /** The elements in row-major order as a new float array. */
    public float[] toFloatArray() {
        return contiguousData(DType.FLOAT32).floats();
    }
    /** The elements in row-major order as a new double array. */
    public double[] toDoubleArray() {
        return contiguousData(DType.FLOAT64).doubles();
    }
    /** The elements in row-major order as a new long array. */
    public long[] toLongArray() {
        return contiguousData(DType.INT64).longs();
    }
    /** The elements in row-major order as a new boolean array. */
    public boolean[] toBooleanArray() {
        return contiguousData(DType.BOOL).bools();
    }

    private Storage contiguousData(DType dt) {
        return backend().copy(storage(), layout, dt);
    }

    /** Element at the given index as a double. */
    public double get(int... index) {
        if (index.length != rank())
            throw new IllegalArgumentException("get: expected " + rank() + " indices for shape "
                    + Shape.str(layout.shape()) + ", got " + index.length);
        int pos = layout.offset();
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + layout.shape()[d] : index[d];
            if (i < 0 || i >= layout.shape()[d])
                throw new IndexOutOfBoundsException("get: index " + index[d] + " is out of bounds for dimension " + d
                        + " with size " + layout.shape()[d]);
            pos += i * layout.strides()[d];
        }
        return storage().get(pos);
    }

    // ------------------------------------------------------------------ autograd

    /** Whether autograd records ops on this tensor (and computes a gradient for it if it is a leaf). */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing a gradient (float dtypes only); returns this. */
    public Tensor requiresGrad_(boolean value) {
        if (value && !dtype().isFloatingPoint())
            throw new IllegalArgumentException(
                    "requiresGrad_: only floating point tensors can require gradients, this one is " + dtype());
        if (!value && gradFn != null)
            throw new IllegalStateException(
                    "requiresGrad_: you can only change requiresGrad of leaf tensors; use detach()");
        requiresGrad = value;
        return this;
    }

    /** Makes this leaf require a gradient. Returns this. */
    public Tensor requiresGrad_() {
        return requiresGrad_(true);
    }

    /** The accumulated gradient, or null. */
    public Tensor grad() {
        return grad;
    }

    /** Sets (or, with null, clears) the gradient; its shape must be this tensor's. */
    public void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.shape(), layout.shape()))
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.str(g.shape())
                    + " differs from tensor shape " + Shape.str(layout.shape()));
        grad = g;
    }

    /** Drops the gradient (PyTorch's default set_to_none). */
    public void zeroGrad() {
        grad = null;
    }

    /** The autograd node that made this tensor (null for leaves and results made without grad). */
    public Node gradFn() {
        return gradFn;
    }
    /** Whether this tensor was made by no recorded op (inputs and parameters are leaves). */
    public boolean isLeaf() {
        return gradFn == null;
    }
    /** Whether this non-leaf keeps its gradient after backward ({@link #retainGrad}). */
    public boolean retainsGrad() {
        return retainsGrad;
    }

    /** Keeps the gradient of this non-leaf tensor in {@link #grad()} after backward. */
    public Tensor retainGrad() {
        if (!requiresGrad)
            throw new IllegalStateException("retainGrad: can't retain grad on a tensor that has requiresGrad=false");
        retainsGrad = true;
        return this;
    }

    /** The tensor this view was taken of (its root, through views of views), or null. */
    public Tensor viewBase() {
        return viewBase;
    }

    /** Internal: called by {@link Autograd#record} for ops whose output shares its input's storage. */
    public void setViewBase(Tensor base) {
        viewBase = base;
    }

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

    /**
     * Registers a hook that runs after backward has accumulated this leaf's gradient for the pass, with this tensor
     * as its argument (PyTorch's {@code register_post_accumulate_grad_hook}): the gradient is final for that
     * backward, so data-parallel training can start reducing it while the rest of the backward runs. Hooks run on
     * the thread that calls backward, in registration order; {@link dev.nabla.autograd.Autograd#grad} does not run
     * them (it does not accumulate).
     */
    public synchronized HookHandle registerPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook) {
        if (!isLeaf())
            throw new IllegalStateException(
                    "registerPostAccumulateGradHook: only leaf tensors (parameters) accumulate gradients");
        if (hook == null) throw new IllegalArgumentException("registerPostAccumulateGradHook: hook is null");
        var list = new java.util.ArrayList<java.util.function.Consumer<Tensor>>(
                postAccumulateGradHooks == null ? java.util.List.of() : postAccumulateGradHooks);
        list.add(hook);
        postAccumulateGradHooks = java.util.List.copyOf(list);
        return () -> {
            synchronized (this) {
                if (postAccumulateGradHooks == null) return;
                var rest = new java.util.ArrayList<>(postAccumulateGradHooks);
                rest.remove(hook);
                postAccumulateGradHooks = rest.isEmpty() ? null : java.util.List.copyOf(rest);
            }
        };
    }

    /** Internal: called by the engine right after {@link #accumulateGrad} during backward. */
    public void runPostAccumulateGradHooks() {
        var hooks = postAccumulateGradHooks;
        if (hooks != null) for (var h : hooks) h.accept(this);
    }

    /** Backpropagates from this scalar. */
    public void backward() {
        Autograd.backward(this, null, false, false);
    }
    /** Backpropagates {@code gradient} (same shape as this). */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient, false, false);
    }
    /** Backpropagates gradient; with retainGraph the graph (and its saved tensors) stays for another backward. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Autograd.backward(this, gradient, retainGraph, false);
    }
    /** Backpropagates gradient; createGraph records the backward itself, so that gradients can be differentiated again. */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Autograd.backward(this, gradient, retainGraph, createGraph);
    }

    /** A tensor sharing storage with this one, cut from the graph. */
    public Tensor detach() {
        Tensor out = new Tensor(storage(), layout, device);
        dev.nabla.autograd.Tracing.op("detach", out, new Tensor[] {this});
        return out;
    }

    // ------------------------------------------------------------------ element-wise

    /** this + o, element-wise with broadcasting (PyTorch's {@code torch.add}). */
    public Tensor add(Tensor o) {
        return Elementwise.add(this, o);
    }
    /** this + s, element-wise. */
    public Tensor add(double s) {
        return Elementwise.add(this, Elementwise.scalarLike(this, s));
    }
    /** this + alpha * o. */
    public Tensor add(Tensor o, double alpha) {
        return Elementwise.add(this, Elementwise.mul(o, Elementwise.scalarLike(o, alpha)));
    }
    /** this - o, element-wise with broadcasting. */
    public Tensor sub(Tensor o) {
        return Elementwise.sub(this, o);
    }
    /** this - s, element-wise. */
    public Tensor sub(double s) {
        return Elementwise.sub(this, Elementwise.scalarLike(this, s));
    }
    /** s - this. */
    public Tensor rsub(double s) {
        return Elementwise.sub(Elementwise.scalarLike(this, s), this);
    }
    /** this · o, element-wise with broadcasting. */
    public Tensor mul(Tensor o) {
        return Elementwise.mul(this, o);
    }
    /** this · s, element-wise. */
    public Tensor mul(double s) {
        return Elementwise.mul(this, Elementwise.scalarLike(this, s));
    }
    /** this / o, element-wise with broadcasting (true division, as PyTorch's {@code torch.div}). */
    public Tensor div(Tensor o) {
        return Elementwise.div(this, o);
    }
    /** this / s, element-wise. */
    public Tensor div(double s) {
        return Elementwise.div(this, Elementwise.scalarLike(this, s));
    }
    /** -this, element-wise. */
    public Tensor neg() {
        return Elementwise.neg(this);
    }
    /** Each element to the power exponent. */
    public Tensor pow(double exponent) {
        return Elementwise.pow(this, exponent);
    }
    /** this to the power exponent, element-wise with broadcasting. */
    public Tensor pow(Tensor exponent) {
        return Elementwise.pow(this, exponent);
    }
    /** this · this, element-wise. */
    public Tensor square() {
        return Elementwise.mul(this, this);
    }
    /** e to the power of each element. */
    public Tensor exp() {
        return Elementwise.exp(this);
    }
    /** Natural logarithm of each element. */
    public Tensor log() {
        return Elementwise.log(this);
    }
    /** Square root of each element. */
    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }
    /** Element-wise absolute value. */
    public Tensor abs() {
        return Elementwise.abs(this);
    }
    /** -1, 0 or 1 per element by its sign. */
    public Tensor sign() {
        return Elementwise.sign(this);
    }
    /** 1 / this, element-wise. */
    public Tensor reciprocal() {
        return Elementwise.div(Elementwise.scalarLike(this, 1.0), this);
    }
    /** Each element limited to [min, max] (NaN stays NaN). */
    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }
    /** Each element limited to at least min. */
    public Tensor clampMin(double min) {
        return Elementwise.clamp(this, min, Double.POSITIVE_INFINITY);
    }
    /** Each element limited to at most max. */
    public Tensor clampMax(double max) {
        return Elementwise.clamp(this, Double.NEGATIVE_INFINITY, max);
    }
    /** Element-wise maximum with broadcasting (NaN propagates). */
    public Tensor maximum(Tensor o) {
        return Elementwise.maximum(this, o);
    }
    /** Element-wise minimum with broadcasting (NaN propagates). */
    public Tensor minimum(Tensor o) {
        return Elementwise.minimum(this, o);
    }
    /** cond ? a : b, broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }
    /** value where mask is true, else this (PyTorch's {@code masked_fill}); mask broadcasts to this shape. */
    public Tensor maskedFill(Tensor mask, double value) {
        return dev.nabla.ops.Selection.maskedFill(this, mask, value);
    }
    /** The upper triangle of the last two dims (column − row ≥ diagonal), zeros below (PyTorch's {@code triu}). */
    public Tensor triu(int diagonal) {
        return dev.nabla.ops.Selection.triangle(this, diagonal, true);
    }
    /** The lower triangle of the last two dims (column − row ≤ diagonal), zeros above (PyTorch's {@code tril}). */
    public Tensor tril(int diagonal) {
        return dev.nabla.ops.Selection.triangle(this, diagonal, false);
    }
    /** The k largest values along dim and their indices, sorted (PyTorch's {@code topk}). */
    public dev.nabla.ops.Selection.TopK topk(int k, int dim) {
        return dev.nabla.ops.Selection.topk(this, k, dim, true);
    }
    /** Category indices drawn from the weights in each row (PyTorch's {@code multinomial}). */
    public Tensor multinomial(int numSamples, boolean replacement, Generator g) {
        return dev.nabla.ops.Selection.multinomial(this, numSamples, replacement, g);
    }
    /** this == o, element-wise with broadcasting, as a bool tensor. */
    public Tensor eq(Tensor o) {
        return Elementwise.compare("eq", this, o);
    }
    /** this == s, element-wise, as a bool tensor. */
    public Tensor eq(double s) {
        return Elementwise.compare("eq", this, Elementwise.scalarLike(this, s));
    }
    /** this != o, element-wise with broadcasting, as a bool tensor. */
    public Tensor ne(Tensor o) {
        return Elementwise.compare("ne", this, o);
    }
    /** this != s, element-wise, as a bool tensor. */
    public Tensor ne(double s) {
        return Elementwise.compare("ne", this, Elementwise.scalarLike(this, s));
    }
    /** this &lt; o, element-wise with broadcasting, as a bool tensor. */
    public Tensor lt(Tensor o) {
        return Elementwise.compare("lt", this, o);
    }
    /** this &lt; s, element-wise, as a bool tensor. */
    public Tensor lt(double s) {
        return Elementwise.compare("lt", this, Elementwise.scalarLike(this, s));
    }
    /** this &lt;= o, element-wise with broadcasting, as a bool tensor. */
    public Tensor le(Tensor o) {
        return Elementwise.compare("le", this, o);
    }
    /** this &lt;= s, element-wise, as a bool tensor. */
    public Tensor le(double s) {
        return Elementwise.compare("le", this, Elementwise.scalarLike(this, s));
    }
    /** this > o, element-wise with broadcasting, as a bool tensor. */
    public Tensor gt(Tensor o) {
        return Elementwise.compare("gt", this, o);
    }
    /** this > s, element-wise, as a bool tensor. */
    public Tensor gt(double s) {
        return Elementwise.compare("gt", this, Elementwise.scalarLike(this, s));
    }
    /** this >= o, element-wise with broadcasting, as a bool tensor. */
    public Tensor ge(Tensor o) {
        return Elementwise.compare("ge", this, o);
    }
    /** this >= s, element-wise, as a bool tensor. */
    public Tensor ge(double s) {
        return Elementwise.compare("ge", this, Elementwise.scalarLike(this, s));
    }
    /** Element-wise logical not (zero becomes true), as a bool tensor. */
    public Tensor logicalNot() {
        return Elementwise.compare("eq", this.toBool(), Tensor.scalar(0, DType.BOOL));
    }

    // ------------------------------------------------------------------ activations

    /** max(this, 0), element-wise (fused with a pending conv2d when it follows one; see {@code dev.nabla.ops.Fusion}). */
    public Tensor relu() {
        return Activations.relu(this);
    }
    /** 1 / (1 + exp(-this)), element-wise. */
    public Tensor sigmoid() {
        return Activations.sigmoid(this);
    }
    /** Hyperbolic tangent of each element. */
    public Tensor tanh() {
        return Activations.tanh(this);
    }
    /** GELU, exact (erf) form. */
    public Tensor gelu() {
        return Activations.gelu(this, false);
    }
    /** GELU with the tanh approximation when {@code tanhApproximation}. */
    public Tensor gelu(boolean tanhApproximation) {
        return Activations.gelu(this, tanhApproximation);
    }
    /** exp(x) / Σ exp(x) along dim, computed stably. */
    public Tensor softmax(int dim) {
        return Activations.softmax(this, dim);
    }
    /** log(softmax(this)) along dim, computed stably. */
    public Tensor logSoftmax(int dim) {
        return Activations.logSoftmax(this, dim);
    }
    /** Heaviside step: 1 where x > 0, {@code atZero} where x == 0, 0 elsewhere. */
    public Tensor heaviside(double atZero) {
        return Activations.heaviside(this, atZero);
    }
    /** The threshold unit's step: 1 where x >= 0, else 0. */
    public Tensor step() {
        return Activations.heaviside(this, 1.0);
    }

    // ------------------------------------------------------------------ reductions

    /** The sum of all elements (0-d). */
    public Tensor sum() {
        return Reductions.sum(this, null, false);
    }
    /** True when no element is NaN or infinite (as {@code torch.isfinite(t).all()}, without the intermediate tensor). */
    public boolean allFinite() {
        return Reductions.allFinite(this);
    }
    /** The sum along dim. */
    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, new int[] {dim}, keepDim);
    }
    /** The sum over the given dimensions. */
    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, dims, keepDim);
    }
    /** The sum along dim, which is removed. */
    public Tensor sum(int dim) {
        return sum(dim, false);
    }
    /** The mean of all elements (0-d). */
    public Tensor mean() {
        return Reductions.mean(this, null, false);
    }
    /** The mean along dim. */
    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, new int[] {dim}, keepDim);
    }
    /** The mean over the given dimensions. */
    public Tensor mean(int[] dims, boolean keepDim) {
        return Reductions.mean(this, dims, keepDim);
    }
    /** The mean along dim, which is removed. */
    public Tensor mean(int dim) {
        return mean(dim, false);
    }
    /** The largest element (0-d); NaN if any element is NaN. */
    public Tensor max() {
        return Reductions.extreme(this, null, false, true);
    }
    /** The largest values along dim. */
    public Tensor max(int dim, boolean keepDim) {
        return Reductions.extreme(this, new int[] {dim}, keepDim, true);
    }
    /** The smallest element (0-d); NaN if any element is NaN. */
    public Tensor min() {
        return Reductions.extreme(this, null, false, false);
    }
    /** The smallest values along dim. */
    public Tensor min(int dim, boolean keepDim) {
        return Reductions.extreme(this, new int[] {dim}, keepDim, false);
    }
    /** Index of the maximum of the flattened tensor. */
    public Tensor argmax() {
        return Reductions.argExtreme(this.reshape(-1), 0, false, true);
    }
    /** Indices (int64) of the largest values along dim; the first one on ties. */
    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.argExtreme(this, dim, keepDim, true);
    }
    /** Index (int64, 0-d) of the smallest value of the flattened tensor; the first one on ties. */
    public Tensor argmin() {
        return Reductions.argExtreme(this.reshape(-1), 0, false, false);
    }
    /** Indices (int64) of the smallest values along dim; the first one on ties. */
    public Tensor argmin(int dim, boolean keepDim) {
        return Reductions.argExtreme(this, dim, keepDim, false);
    }
    /** Variance with Bessel's correction (unbiased), as PyTorch's default. */
    public Tensor var() {
        return Reductions.var(this, null, 1, false);
    }
    /** The variance along dim, with Bessel's correction. */
    public Tensor var(int dim, boolean keepDim) {
        return Reductions.var(this, new int[] {dim}, 1, keepDim);
    }
    /** Variance over dims with the given correction (0: population, 1: sample). */
    public Tensor var(int[] dims, int correction, boolean keepDim) {
        return Reductions.var(this, dims, correction, keepDim);
    }
    /** The standard deviation of all elements, with Bessel's correction (0-d). */
    public Tensor std() {
        return var().sqrt();
    }
    /** The standard deviation along dim, with Bessel's correction. */
    public Tensor std(int dim, boolean keepDim) {
        return var(dim, keepDim).sqrt();
    }
    /** The standard deviation over dims, dividing by N - correction. */
    public Tensor std(int[] dims, int correction, boolean keepDim) {
        return var(dims, correction, keepDim).sqrt();
    }
    /** log(Σ exp(x)) over one dimension, computed stably. */
    public Tensor logSumExp(int dim, boolean keepDim) {
        return Reductions.logSumExp(this, new int[] {dim}, keepDim);
    }
    /** log(Σ exp(x)) over the given dimensions, computed stably. */
    public Tensor logSumExp(int[] dims, boolean keepDim) {
        return Reductions.logSumExp(this, dims, keepDim);
    }

    // ------------------------------------------------------------------ matmul

    /** Matrix product with PyTorch's rules: vectors, matrices, and batches broadcast over leading dimensions. */
    public Tensor matmul(Tensor o) {
        return MatMul.matmul(this, o);
    }

    // ------------------------------------------------------------------ shape and views

    /** The same elements in a new shape (one size may be -1); a view when the layout allows, else a copy. */
    public Tensor reshape(int... shape) {
        return Movement.reshape(this, shape);
    }
    /** Like reshape, but never copies: an error when the layout does not allow a view. */
    public Tensor view(int... shape) {
        return Movement.view(this, shape);
    }
    /** A view with two dimensions swapped. */
    public Tensor transpose(int dim0, int dim1) {
        return Movement.transpose(this, dim0, dim1);
    }
    /** A view with the dimensions reordered (dims lists the old dimension of each new one). */
    public Tensor permute(int... dims) {
        return Movement.permute(this, dims);
    }
    /** Transpose of a matrix (rank ≤ 2), as PyTorch's {@code t()}. */
    public Tensor t() {
        return Movement.t(this);
    }
    /** All dims reversed, as PyTorch's {@code .T}. */
    public Tensor T() {
        return Movement.reverseDims(this);
    }
    /** The last two dims swapped, as PyTorch's {@code .mT}. */
    public Tensor mT() {
        return Movement.transpose(this, -2, -1);
    }
    /** A view without the dimensions of size 1. */
    public Tensor squeeze() {
        return Movement.squeeze(this, null);
    }
    /** A view without dimension dim if its size is 1 (else the same shape). */
    public Tensor squeeze(int dim) {
        return Movement.squeeze(this, dim);
    }
    /** A view with a new dimension of size 1 at dim. */
    public Tensor unsqueeze(int dim) {
        return Movement.unsqueeze(this, dim);
    }
    /** A view repeating size-1 dimensions to the given shape without copying (-1 keeps a size). */
    public Tensor expand(int... shape) {
        return Movement.expand(this, shape);
    }
    /** {@link #expand} to other's shape. */
    public Tensor expandAs(Tensor other) {
        return Movement.expand(this, other.shape());
    }
    /** All dimensions merged into one (a view when the layout allows). */
    public Tensor flatten() {
        return Movement.flatten(this, 0, -1);
    }
    /** Dimensions startDim.. merged into one (PyTorch's {@code torch.flatten(x, startDim)}). */
    public Tensor flatten(int startDim) {
        return Movement.flatten(this, startDim, -1);
    }
    /** Dimensions startDim..endDim (inclusive) merged into one. */
    public Tensor flatten(int startDim, int endDim) {
        return Movement.flatten(this, startDim, endDim);
    }
    /** The view of {@code length} elements from {@code start} along dim. */
    public Tensor narrow(int dim, int start, int length) {
        return Movement.narrow(this, dim, start, length);
    }
    /** Python's {@code x[..., start:end:step, ...]} along dim (negative and out-of-range bounds clipped as Python does). */
    public Tensor slice(int dim, int start, int end, int step) {
        return Movement.slice(this, dim, start, end, step);
    }
    /** A view of the indices start..end-1 along dim. */
    public Tensor slice(int dim, int start, int end) {
        return Movement.slice(this, dim, start, end, 1);
    }
    /** The view at {@code index} along dim, with that dim removed. */
    public Tensor select(int dim, int index) {
        return Movement.select(this, dim, index);
    }
    /** {@code x[index]}: rows picked by an int64 tensor (any shape) along dim 0. */
    public Tensor index(Tensor index) {
        return Indexing.index(this, index);
    }
    /** The slices at the given int64 indices along dim (PyTorch's {@code index_select}). */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }
    /** {@code out[i][j] = x[i][index[i][j]]} for dim 1, generalised. */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }
    /** The tensors joined along an existing dimension (their other sizes must agree). */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Movement.cat(tensors.toArray(Tensor[]::new), dim);
    }
    /** The tensors joined along an existing dimension (their other sizes must agree). */
    public static Tensor cat(Tensor[] tensors, int dim) {
        return Movement.cat(tensors, dim);
    }
    /** Tensors of one shape joined along a new dimension dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Movement.stack(tensors.toArray(Tensor[]::new), dim);
    }
    /** Tensors of one shape joined along a new dimension dim. */
    public static Tensor stack(Tensor[] tensors, int dim) {
        return Movement.stack(tensors, dim);
    }
    /** This tensor if contiguous, else a contiguous copy (differentiable). */
    public Tensor contiguous() {
        return Movement.contiguous(this);
    }
    /** A contiguous copy with its own storage (differentiable). */
    public Tensor clone() {
        return Movement.cloneTensor(this);
    }

    // ------------------------------------------------------------------ in place (no graph)

    /** In place: every element set to 0. Returns this. */
    public Tensor zero_() {
        return Elementwise.inPlace("zero_", this, Tensor.zeros(dtype()));
    }
    /** In place: every element set to v. Returns this. */
    public Tensor fill_(double v) {
        return Elementwise.inPlace("fill_", this, Tensor.full(v, dtype()));
    }
    /** Copies src (broadcast to this shape) into this tensor's elements. */
    public Tensor copy_(Tensor src) {
        return Elementwise.inPlace("copy_", this, src);
    }
    /** In place: this += o (o broadcast to this shape). Returns this. */
    public Tensor add_(Tensor o) {
        return Elementwise.inPlaceOp("add_", this, t -> t.add(o));
    }
    /** In place: this += alpha·o. Returns this. */
    public Tensor add_(Tensor o, double alpha) {
        return Elementwise.inPlaceOp("add_", this, t -> t.add(o, alpha));
    }
    /** In place: this += s. Returns this. */
    public Tensor add_(double s) {
        return Elementwise.inPlaceOp("add_", this, t -> t.add(s));
    }
    /** In place: this -= o. Returns this. */
    public Tensor sub_(Tensor o) {
        return Elementwise.inPlaceOp("sub_", this, t -> t.sub(o));
    }
    /** In place: this *= o. Returns this. */
    public Tensor mul_(Tensor o) {
        return Elementwise.inPlaceOp("mul_", this, t -> t.mul(o));
    }
    /** In place: this *= s. Returns this. */
    public Tensor mul_(double s) {
        return Elementwise.inPlaceOp("mul_", this, t -> t.mul(s));
    }
    /** In place: this /= s. Returns this. */
    public Tensor div_(double s) {
        return Elementwise.inPlaceOp("div_", this, t -> t.div(s));
    }
    /** In place: {@link #clamp(double, double)}. Returns this. */
    public Tensor clamp_(double min, double max) {
        return Elementwise.inPlaceOp("clamp_", this, t -> t.clamp(min, max));
    }

    // ------------------------------------------------------------------ comparison helpers

    /** |this - other| &lt;= atol + rtol * |other| element-wise (after broadcasting), as {@code torch.allclose}. */
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

    /** {@link #allClose(Tensor, double, double)} with PyTorch's defaults rtol 1e-5, atol 1e-8. */
    public boolean allClose(Tensor other) {
        return allClose(other, 1e-5, 1e-8);
    }

    /** Prints like PyTorch: {@code tensor([[1., 2.], [3., 4.]], requires_grad=True)}. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
