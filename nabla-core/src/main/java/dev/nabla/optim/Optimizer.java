package dev.nabla.optim;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.backend.Storage;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's optimizer data model: parameter groups with per-group options, and per-parameter state created
 * lazily on the first step. Subclasses write their algorithm as one update per parameter ({@link #update}).
 * Updates run in place on the parameter's storage, outside the graph; state is kept in float64.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<Tensor, Map<String, double[]>> state = new IdentityHashMap<>();
    private final Map<String, Double> defaults;

    /** An optimizer over parameter groups; options a group leaves out take the defaults. */
    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults) {
        this.defaults = defaults;
        if (groups.isEmpty())
            throw new IllegalArgumentException(getClass().getSimpleName() + ": got an empty parameter list");
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup g : groups) {
            g.fillDefaults(defaults);
            for (Tensor p : g.params()) {
                if (!p.isLeaf() || !p.dtype().isFloatingPoint())
                    throw new IllegalArgumentException(getClass().getSimpleName()
                            + ": can't optimize a non-leaf or non-float tensor (shape " + Shape.str(p.shape()) + ")");
                if (!p.isContiguous() || p.layout().offset() != 0 || p.storage().length() != p.numel())
                    throw new IllegalArgumentException(getClass().getSimpleName()
                            + ": parameters must own contiguous storage (shape " + Shape.str(p.shape()) + ")");
                if (!seen.add(p))
                    throw new IllegalArgumentException(
                            getClass().getSimpleName() + ": some parameters appear in more than one parameter group");
            }
            this.groups.add(g);
        }
        validateAll();
    }

    /**
     * PyTorch's argument checks (lr, eps, weight decay, momentum, alpha not negative; betas in [0, 1)), made
     * stricter in one way: NaN and infinite values are refused too, because either turns every weight into NaN on
     * the first step. Subclasses add their options; each check names the optimizer, the option, the group and the value.
     */
    protected void validate(ParamGroup g, int index) {
        nonNegative(g, index, "lr", "learning rate");
        if (g.options().containsKey("weight_decay")) nonNegative(g, index, "weight_decay", "weight_decay value");
        if (g.options().containsKey("momentum")) nonNegative(g, index, "momentum", "momentum value");
        if (g.options().containsKey("eps")) nonNegative(g, index, "eps", "epsilon value");
    }

    /** Fails unless option {@code name} of group g is finite and at least 0. */
    protected final void nonNegative(ParamGroup g, int index, String name, String what) {
        double v = g.get(name);
        if (!(v >= 0) || Double.isInfinite(v)) throw invalid(index, what, v, "a finite value >= 0");
    }

    /** Fails unless option {@code name} of group g lies in [0, 1). */
    protected final void unitInterval(ParamGroup g, int index, String name, String what) {
        double v = g.get(name);
        if (!(v >= 0 && v < 1)) throw invalid(index, what, v, "a value in [0, 1)");
    }

    private IllegalArgumentException invalid(int index, String what, double v, String expected) {
        return new IllegalArgumentException(getClass().getSimpleName() + ": invalid " + what + ": " + v + " (expected "
                + expected + (groups.size() > 1 ? ", in parameter group " + index : "") + ")");
    }

    private void validateAll() {
        for (int i = 0; i < groups.size(); i++) validate(groups.get(i), i);
    }

    /** One group of all params. */
    protected static List<ParamGroup> single(List<Tensor> params) {
        return List.of(new ParamGroup(params));
    }

    /** Option name → value helper for subclasses' defaults, in declaration order. */
    protected static Map<String, Double> options(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        return m;
    }

    /** The parameter groups (their options may be changed between steps). */
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** Sets lr in every group. */
    public void setLr(double lr) {
        for (ParamGroup g : groups) g.set("lr", lr);
        validateAll();
    }

    /** Applies one update to every parameter that has a gradient. */
    public void step() {
        validateAll(); // options may have changed since construction (schedulers, loadStateDict, direct edits)
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (p.grad() == null) continue;
                Map<String, double[]> s = state.computeIfAbsent(p, k -> new LinkedHashMap<>());
                double[] step = s.computeIfAbsent("step", k -> new double[1]);
                step[0] += 1;
                Tensor grad = p.grad().dtype() == p.dtype()
                        ? p.grad().contiguous()
                        : p.grad().to(p.dtype()).contiguous();
                p.storage().beforeWrite(); // deferred results computed from p get p's values before this step
                update(g, new Flat(p.storage(), p), new Flat(gradStorage(grad), null), s, (long) step[0]);
                p.storage().bumpVersion(); // an in-place update, as PyTorch counts it: a graph that saved p sees the
                // change
            }
        }
    }

    private static Storage gradStorage(Tensor g) {
        if (g.layout().offset() == 0 && g.storage().length() == g.numel()) return g.storage();
        return g.backend().copy(g.storage(), g.layout(), g.dtype());
    }

    /** The algorithm: updates param p in place from grad g, with this parameter's state and the 1-based step count. */
    protected abstract void update(ParamGroup group, Flat p, Flat g, Map<String, double[]> state, long step);

    /** A state array of n zeros, created on first use. */
    protected static double[] buffer(Map<String, double[]> state, String name, int n) {
        return state.computeIfAbsent(name, k -> new double[n]);
    }

    /** Drops every parameter's gradient. */
    public void zeroGrad() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.zeroGrad();
    }

    /** A parameter's storage or gradient seen as a flat array of doubles (float32 or float64 underneath). */
    public static final class Flat {
        private final float[] f;
        private final double[] d;
        /** The number of elements. */
        public final int n;
        /** The storage, and the parameter it belongs to (null for a gradient): for fused updates on its backend. */
        final Storage storage;

        final Tensor param;

        Flat(Storage s, Tensor param) {
            this.f = s.dtype() == DType.FLOAT32 ? s.floats() : null;
            this.d = s.dtype() == DType.FLOAT64 ? s.doubles() : null;
            this.n = s.length();
            this.storage = s;
            this.param = param;
        }

        /** Element i. */
        public double get(int i) {
            return f != null ? f[i] : d[i];
        }

        /** Sets element i. */
        public void set(int i, double v) {
            if (f != null) f[i] = (float) v;
            else d[i] = v;
        }
    }

    /**
     * The optimizer's state as tensors and options, keyed by parameter index in group order, as PyTorch's
     * state_dict: {@code state.<index>.<name>} → tensor, {@code param_groups.<g>.<option>} → value.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int index = 0, gi = 0;
        for (ParamGroup g : groups) {
            for (var o : g.options().entrySet())
                out.put("param_groups." + gi + "." + o.getKey(), Tensor.scalar(o.getValue(), DType.FLOAT64));
            for (Tensor p : g.params()) {
                Map<String, double[]> s = state.get(p);
                if (s != null)
                    for (var e : s.entrySet()) out.put("state." + index + "." + e.getKey(), Tensor.of(e.getValue()));
                index++;
            }
            gi++;
        }
        return out;
    }

    /** Restores what {@link #stateDict} wrote; the groups must hold the same number of parameters with the same sizes. */
    public void loadStateDict(Map<String, Tensor> dict) {
        int index = 0, gi = 0;
        for (ParamGroup g : groups) {
            for (String o : new ArrayList<>(g.options().keySet())) {
                Tensor v = dict.get("param_groups." + gi + "." + o);
                if (v != null) g.set(o, v.item());
            }
            for (Tensor p : g.params()) {
                String prefix = "state." + index + ".";
                Map<String, double[]> s = new LinkedHashMap<>();
                for (var e : dict.entrySet()) {
                    if (!e.getKey().startsWith(prefix)) continue;
                    double[] v = e.getValue().toDoubleArray();
                    String name = e.getKey().substring(prefix.length());
                    if (!name.equals("step") && v.length != p.numel())
                        throw new IllegalArgumentException("optimizer state " + e.getKey() + " has " + v.length
                                + " values but parameter " + index + " has " + p.numel());
                    s.put(name, v);
                }
                if (!s.isEmpty()) state.put(p, s);
                else state.remove(p);
                index++;
            }
            gi++;
        }
        validateAll();
    }
}
