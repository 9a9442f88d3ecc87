package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradMode;
import dev.nabla.autograd.Tracing;
import dev.nabla.backend.BinaryOp;
import dev.nabla.backend.Storage;
import dev.nabla.backend.UnaryOp;

/** Element-wise ops with NumPy/PyTorch broadcasting; each forward is followed by its backward. */
public final class Elementwise {
    private Elementwise() {}

    // ------------------------------------------------------------------ helpers shared by the element-wise family

    /** A 0-d tensor holding s, typed to combine with t without changing t's dtype where PyTorch would not. */
    public static Tensor scalarLike(Tensor t, double s) {
        DType dt = t.dtype().isFloatingPoint()
                ? t.dtype()
                : (s == Math.rint(s) && !Double.isInfinite(s) ? DType.INT64 : DType.FLOAT32);
        return Tensor.full(s, dt);
    }

    /** Applies op to a and b broadcast together (the error names {@code name}), storing the result as {@code out}. */
    static Tensor zip(String name, BinaryOp op, Tensor a, Tensor b, DType out) {
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        Storage s = a.backend()
                .zip(
                        op,
                        a.storage(),
                        a.layout().broadcastTo(shape),
                        b.storage(),
                        b.layout().broadcastTo(shape),
                        out);
        return Tensor.wrap(s, shape);
    }

    static Tensor map(Tensor x, DType out, UnaryOp op, double p, double q) {
        return Tensor.wrap(x.backend().map(op, p, q, x.storage(), x.layout(), out), x.shape());
    }

    static Tensor map(Tensor x, DType out, UnaryOp op) {
        return map(x, out, op, 0, 0);
    }

    static Tensor map(Tensor x, UnaryOp op) {
        return map(x, x.dtype(), op, 0, 0);
    }

    /** PyTorch's result type of a binary op (see {@link DType#resultType}). */
    static DType arithmetic(Tensor a, Tensor b) {
        return DType.resultType(a.dtype(), a.rank() == 0, b.dtype(), b.rank() == 0);
    }

    // ------------------------------------------------------------------ arithmetic

    /** a + b with broadcasting. */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = zip("add", BinaryOp.ADD, a, b, arithmetic(a, b));
        return Autograd.record("add", out, g -> new Tensor[] {g, g}, a, b);
    }

    /** a - b with broadcasting. */
    public static Tensor sub(Tensor a, Tensor b) {
        if (a.dtype() == DType.BOOL && b.dtype() == DType.BOOL) // PyTorch's words
        throw new IllegalArgumentException(
                    "sub: Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
        if (a.dtype() == DType.BOOL || b.dtype() == DType.BOOL)
            throw new IllegalArgumentException(
                    "sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        Tensor out = zip("sub", BinaryOp.SUB, a, b, arithmetic(a, b));
        return Autograd.record("sub", out, g -> new Tensor[] {g, g.neg()}, a, b);
    }

    /** a · b with broadcasting. */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = zip("mul", BinaryOp.MUL, a, b, arithmetic(a, b));
        return Autograd.record(
                "mul",
                out,
                Autograd.saved(a, b),
                g -> new Tensor[] {a.requiresGrad() ? g.mul(b) : null, b.requiresGrad() ? g.mul(a) : null},
                a,
                b);
    }

    /** True division: integer inputs give float32, as PyTorch. */
    public static Tensor div(Tensor a, Tensor b) {
        DType dt = arithmetic(a, b);
        if (!dt.isFloatingPoint()) dt = DType.FLOAT32;
        Tensor out = zip("div", BinaryOp.DIV, a, b, dt);
        return Autograd.record(
                "div",
                out,
                Autograd.saved(a, b),
                g -> new Tensor[] {
                    a.requiresGrad() ? g.div(b) : null,
                    b.requiresGrad() ? g.neg().mul(a).div(b.mul(b)) : null
                },
                a,
                b);
    }

    /** -x. */
    public static Tensor neg(Tensor x) {
        if (x.dtype() == DType.BOOL)
            throw new IllegalArgumentException("neg: negation of a bool tensor is not supported; use logicalNot()");
        Tensor out = map(x, UnaryOp.NEG);
        return Autograd.record("neg", out, g -> new Tensor[] {g.neg()}, x);
    }

    /** x^p. */
    public static Tensor pow(Tensor x, double p) {
        DType dt =
                x.dtype().isFloatingPoint() ? x.dtype() : (p == Math.rint(p) && p >= 0 ? DType.INT64 : DType.FLOAT32);
        Tensor out = map(x, dt, UnaryOp.POW, p, 0);
        return Tracing.note(
                Autograd.record(
                        "pow",
                        out,
                        Autograd.saved(x),
                        g -> new Tensor[] {
                            p == 0 ? g.mul(0.0) : g.mul(x.pow(p - 1).mul(p))
                        },
                        x),
                "exponent",
                p);
    }

    /** x^p with broadcasting. */
    public static Tensor pow(Tensor x, Tensor p) {
        DType dt = arithmetic(x, p);
        Tensor out = zip("pow", BinaryOp.POW, x, p, dt);
        return Autograd.record(
                "pow",
                out,
                Autograd.saved(x, p, out),
                g -> {
                    Tensor gx = null, gp = null;
                    if (x.requiresGrad()) {
                        Tensor safe =
                                where(p.eq(0.0), Tensor.zerosLike(g), g.mul(p).mul(x.pow(p.sub(1.0))));
                        gx = safe;
                    }
                    if (p.requiresGrad()) {
                        // d/dp x^p = x^p log x, defined as 0 where x == 0 and p >= 0 (PyTorch's convention)
                        Tensor raw =
                                g.mul(out.mul(x.log())); // out, not out.detach(): the backward stays differentiable
                        gp = where(x.eq(0.0).mul(p.ge(0.0)).toBool(), Tensor.zerosLike(raw), raw);
                    }
                    return new Tensor[] {gx, gp};
                },
                x,
                p);
    }

    /** e^x. */
    public static Tensor exp(Tensor x) {
        Tensor out = map(x, floatType(x), UnaryOp.EXP);
        return Autograd.record(
                "exp",
                out,
                Autograd.saved(out),
                g -> new Tensor[] {g.mul(out)},
                x); // out keeps its history: exp is twice differentiable
    }

    /** ln x. */
    public static Tensor log(Tensor x) {
        Tensor out = map(x, floatType(x), UnaryOp.LOG);
        return Autograd.record("log", out, Autograd.saved(x), g -> new Tensor[] {g.div(x)}, x);
    }

    /** √x. */
    public static Tensor sqrt(Tensor x) {
        Tensor out = map(x, floatType(x), UnaryOp.SQRT);
        return Autograd.record("sqrt", out, Autograd.saved(out), g -> new Tensor[] {g.div(out.mul(2.0))}, x);
    }

    /** |x|. */
    public static Tensor abs(Tensor x) {
        Tensor out = map(x, UnaryOp.ABS);
        return Autograd.record("abs", out, Autograd.saved(x), g -> new Tensor[] {g.mul(x.sign())}, x);
    }

    /** -1, 0 or 1 by sign. */
    public static Tensor sign(Tensor x) {
        Tensor out = map(x, UnaryOp.SIGN);
        return Autograd.record("sign", out, g -> new Tensor[] {g.mul(0.0)}, x);
    }

    /** Clamps into [min, max]; the gradient passes where min &lt;= x &lt;= max, as PyTorch. */
    public static Tensor clamp(Tensor x, double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        Tensor out = map(x, x.dtype(), UnaryOp.CLAMP, min, max);
        return Tracing.note(
                Autograd.record(
                        "clamp",
                        out,
                        Autograd.saved(x),
                        g -> new Tensor[] {g.mul(x.ge(min).mul(x.le(max)))},
                        x),
                "min",
                min,
                "max",
                max);
    }

    /** Element-wise max; on ties each input gets half the gradient, as PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = zip("maximum", BinaryOp.MAXIMUM, a, b, arithmetic(a, b));
        return Autograd.record(
                "maximum",
                out,
                g -> {
                    Tensor share =
                            a.gt(b).toDouble().add(a.eq(b).toDouble().mul(0.5)).to(g.dtype());
                    return new Tensor[] {g.mul(share), g.mul(share.rsub(1.0))};
                },
                a,
                b);
    }

    /** min(a, b) with broadcasting; NaN propagates. */
    public static Tensor minimum(Tensor a, Tensor b) {
        Tensor out = zip("minimum", BinaryOp.MINIMUM, a, b, arithmetic(a, b));
        return Autograd.record(
                "minimum",
                out,
                g -> {
                    Tensor share =
                            a.lt(b).toDouble().add(a.eq(b).toDouble().mul(0.5)).to(g.dtype());
                    return new Tensor[] {g.mul(share), g.mul(share.rsub(1.0))};
                },
                a,
                b);
    }

    /** a where cond is true, else b, with broadcasting (gradients flow to the chosen side). */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL)
            throw new IllegalArgumentException("where: condition must be a bool tensor, got " + cond.dtype());
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        DType dt = arithmetic(a, b);
        Storage s = a.backend()
                .where(
                        cond.storage(),
                        cond.layout().broadcastTo(shape),
                        a.storage(),
                        a.layout().broadcastTo(shape),
                        b.storage(),
                        b.layout().broadcastTo(shape),
                        dt);
        Tensor out = Tensor.wrap(s, shape);
        return Autograd.record(
                "where",
                out,
                g -> {
                    Tensor zero = Tensor.zeros(g.dtype());
                    return new Tensor[] {
                        null,
                        a.requiresGrad() ? where(cond, g, zero) : null,
                        b.requiresGrad() ? where(cond, zero, g) : null
                    };
                },
                cond,
                a,
                b);
    }

    /** eq, ne, lt, le, gt, ge: a bool tensor, no gradient. */
    public static Tensor compare(String op, Tensor a, Tensor b) {
        BinaryOp code = switch (op) {
            case "eq" -> BinaryOp.EQ;
            case "ne" -> BinaryOp.NE;
            case "lt" -> BinaryOp.LT;
            case "le" -> BinaryOp.LE;
            case "gt" -> BinaryOp.GT;
            case "ge" -> BinaryOp.GE;
            default -> throw new IllegalArgumentException("unknown comparison " + op);
        };
        return Tracing.composite("compare", new Tensor[] {a, b}, new Object[] {"op", op}, () -> {
            if (a.dtype() == DType.INT64 && b.dtype() == DType.INT64)
                return zip(op, code, a, b, DType.INT64).to(DType.BOOL); // exact on int64
            return zip(op, code, a, b, DType.BOOL);
        });
    }

    /** dtype conversion; differentiable between float dtypes. */
    public static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor out = Tensor.wrap(x.backend().copy(x.storage(), x.layout(), dtype), x.shape());
        if (!dtype.isFloatingPoint()) {
            Tracing.op("to_copy", out, new Tensor[] {x}); // not differentiable, but part of the traced graph
            return out;
        }
        DType from = x.dtype();
        return Autograd.record("to_copy", out, g -> new Tensor[] {g.to(from)}, x);
    }

    private static DType floatType(Tensor x) {
        return x.dtype().isFloatingPoint() ? x.dtype() : DType.FLOAT32;
    }

    // ------------------------------------------------------------------ in place

    /** Writes src (broadcast to self's shape, converted to its dtype) into self's elements (copy_, fill_, zero_). */
    public static Tensor inPlace(String op, Tensor self, Tensor src) {
        int[] shape = self.shape();
        if (!java.util.Arrays.equals(Shape.broadcast(op, shape, src.shape()), shape))
            throw new IllegalArgumentException(
                    op + ": source of shape " + Shape.str(src.shape()) + " does not broadcast to " + Shape.str(shape));
        return inPlaceOp(op, self, t -> src.expand(shape));
    }

    /**
     * Computes {@code compute(self)} and writes the result into self's elements. Outside the graph (no gradient
     * needed) that is all. When self, the tensor it is a view of, or the result is part of the graph, the history is
     * rebased as PyTorch does: the base's old values and history are kept in a snapshot, the op runs on the
     * corresponding view of the snapshot, and the base's new history is "the snapshot with this region replaced by the
     * result" (gradient: zero in the region for the snapshot, the region for the result); the view's history becomes
     * "this region of the new base". A leaf that requires grad (or a view of one) is refused, as PyTorch refuses it.
     */
    public static Tensor inPlaceOp(String op, Tensor self, java.util.function.UnaryOperator<Tensor> compute) {
        Tensor base = self.viewBase() != null ? self.viewBase() : self;
        if (GradMode.isEnabled() && base.requiresGrad() && base.isLeaf())
            throw new IllegalStateException(op + ": a leaf tensor that requires grad"
                    + (base == self ? "" : " (through a view of it)") + " (shape " + Shape.str(base.shape())
                    + ") is being used in an in-place operation; do it inside GradMode.noGrad(), as optimizers do");
        Tensor r;
        try (var g = GradMode.set(GradMode.isEnabled()
                && !base.requiresGrad())) { // with grad only to learn whether the result needs the graph
            r = compute.apply(self);
        }
        if (!GradMode.isEnabled() || (!base.requiresGrad() && !r.requiresGrad())) {
            if (r.requiresGrad()) r = r.detach();
            write(op, self, r);
            return self;
        }
        if (!base.isContiguous() || base.layout().offset() != 0)
            throw new UnsupportedOperationException(
                    op + ": in-place operations on a non-contiguous tensor of the autograd graph (shape "
                            + Shape.str(base.shape()) + ") are not supported; use the out-of-place form");
        // the base's old values and history, kept apart from its storage, which is about to change
        Tensor snapshot = Tensor.wrap(base.backend().copy(base.storage(), base.layout(), base.dtype()), base.shape());
        if (base.gradFn() != null) snapshot.attachGradFn(base.gradFn());
        boolean view = base != self;
        Tensor oldView = view ? regionOf(snapshot, self.layout()) : snapshot;
        r = compute.apply(oldView);
        if (r.dtype() != self.dtype()) r = castForInPlace(op, self, r);
        if (!java.util.Arrays.equals(r.shape(), self.shape())) r = r.expand(self.shape());
        Tensor newBase =
                view ? replaceRegion(snapshot, r, self.layout()) : (r.requiresGrad() ? r : r.add(snapshot.mul(0.0)));
        base.storage().beforeWrite(); // deferred results computed from base get its values before they change
        base.backend().assign(base.storage(), base.layout(), newBase.storage(), newBase.layout());
        base.storage().bumpVersion(); // views and detached aliases share the storage, so they share the version
        base.attachGradFn(newBase.gradFn());
        if (view) self.attachGradFn(regionOf(base, self.layout()).gradFn());
        return self;
    }

    private static void write(String op, Tensor self, Tensor r) {
        if (r.dtype() != self.dtype()) r = castForInPlace(op, self, r);
        int[] shape = self.shape();
        self.storage().beforeWrite(); // deferred results computed from self get its values before they change
        self.backend()
                .assign(self.storage(), self.layout(), r.storage(), r.layout().broadcastTo(shape));
        self.storage().bumpVersion(); // views and detached aliases share the storage, so they share the version
    }

    private static Tensor castForInPlace(String op, Tensor self, Tensor r) {
        if (!self.dtype().isFloatingPoint() && r.dtype().isFloatingPoint())
            throw new IllegalArgumentException(
                    op + ": result type " + r.dtype() + " can't be cast to the desired output type " + self.dtype());
        return r.to(self.dtype());
    }

    /** The elements of contiguous {@code base} at {@code region} (a layout over the same storage), as a differentiable view. */
    private static Tensor regionOf(Tensor base, dev.nabla.backend.Layout region) {
        Tensor out = Tensor.wrap(base.storage(), region);
        int[] bs = base.shape();
        return Autograd.record(
                "as_strided",
                out,
                g -> {
                    Tensor gb = Tensor.zeros(g.dtype(), bs), gc = g.contiguous();
                    gb.backend().assign(gb.storage(), region, gc.storage(), gc.layout());
                    return new Tensor[] {Autograd.onceDifferentiable("as_strided", gb, g)};
                },
                base);
    }

    /** A copy of contiguous {@code base} with the elements at {@code region} replaced by {@code src} (PyTorch's CopySlices). */
    private static Tensor replaceRegion(Tensor base, Tensor src, dev.nabla.backend.Layout region) {
        Tensor out = Tensor.wrap(base.backend().copy(base.storage(), base.layout(), base.dtype()), base.shape());
        Tensor sc = src.contiguous();
        out.backend().assign(out.storage(), region, sc.storage(), sc.layout());
        return Autograd.record(
                "copy_slices",
                out,
                g -> {
                    Tensor gc = g.contiguous();
                    Tensor gBase = Tensor.wrap(gc.backend().copy(gc.storage(), gc.layout(), gc.dtype()), gc.shape());
                    Tensor zeros = Tensor.zeros(g.dtype(), src.shape());
                    gBase.backend().assign(gBase.storage(), region, zeros.storage(), zeros.layout());
                    Tensor gSrc = Tensor.wrap(gc.storage(), region).contiguous();
                    return new Tensor[] {
                        Autograd.onceDifferentiable("copy_slices", gBase, g),
                        Autograd.onceDifferentiable("copy_slices", gSrc, g)
                    };
                },
                base,
                src);
    }
}
