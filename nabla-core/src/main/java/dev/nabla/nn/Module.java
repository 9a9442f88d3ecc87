package dev.nabla.nn;

import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A layer or a model: ordered registries of parameters, buffers and child modules, registered explicitly in
 * construction order so that names are stable and equal to PyTorch's dotted paths ({@code classifier.0.weight}).
 */
public abstract class Module {
    /** A module with no parameters, buffers or children yet; subclasses register theirs in their constructor. */
    protected Module() {}

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private Module parent;
    private String name = "";
    private boolean training = true;

    private final Map<Integer, ForwardPreHook> preHooks = new LinkedHashMap<>();
    private final Map<Integer, ForwardHook> hooks = new LinkedHashMap<>();
    private static int nextHookId;

    /**
     * The computation of this module. Override it; to run a module, call {@link #call} (as PyTorch's
     * {@code module(x)}), which runs the hooks around it. Shape: as each layer documents.
     */
    public abstract Tensor forward(Tensor input);

    /**
     * Runs this module: the forward pre-hooks, {@link #forward}, then the forward hooks (PyTorch's
     * {@code module(x)}). Containers and the Trainer call modules this way; a hand-written {@code forward} should
     * call its children with {@code call} too, or their hooks (and their rows in {@link #summary}) are skipped, as
     * in PyTorch when {@code forward} is called directly.
     */
    public final Tensor call(Tensor input) {
        Tensor x = input;
        if (!preHooks.isEmpty())
            for (ForwardPreHook h : snapshot(preHooks)) {
                Tensor r = h.beforeForward(this, x);
                if (r != null) x = r;
            }
        Tensor in = x;
        Tensor out = dev.nabla.autograd.Tracing.module(path(), describe(), () -> forward(in));
        if (!hooks.isEmpty())
            for (ForwardHook h : snapshot(hooks)) {
                Tensor r = h.afterForward(this, x, out);
                if (r != null) out = r;
            }
        return out;
    }

    private static <T> List<T> snapshot(Map<Integer, T> m) {
        synchronized (Module.class) {
            return List.copyOf(m.values());
        }
    }

    /** Runs before {@link #forward} in {@link #call}; returns a replacement input, or null to keep it. */
    @FunctionalInterface
    public interface ForwardPreHook {
        /** Called with the module and its input; returns a replacement input or null. */
        Tensor beforeForward(Module module, Tensor input);
    }

    /** Runs after {@link #forward} in {@link #call}; returns a replacement output, or null to keep it. */
    @FunctionalInterface
    public interface ForwardHook {
        /** Called with the module, its input and its output; returns a replacement output or null. */
        Tensor afterForward(Module module, Tensor input, Tensor output);
    }

    /** Removes the hook it was returned for; closing it does the same (try-with-resources). Removing twice is harmless. */
    public interface HookHandle extends dev.nabla.HookHandle {}

    /** Registers a hook run after every {@link #call} of this module (PyTorch's {@code register_forward_hook}). */
    public HookHandle registerForwardHook(ForwardHook hook) {
        return register(hooks, hook, "registerForwardHook");
    }

    /** Registers a hook run before every {@link #call} of this module (PyTorch's {@code register_forward_pre_hook}). */
    public HookHandle registerForwardPreHook(ForwardPreHook hook) {
        return register(preHooks, hook, "registerForwardPreHook");
    }

    private <H> HookHandle register(Map<Integer, H> registry, H hook, String method) {
        if (hook == null) throw new IllegalArgumentException(where() + ": " + method + ": hook is null");
        synchronized (Module.class) {
            int id = nextHookId++;
            registry.put(id, hook);
            return () -> {
                synchronized (Module.class) {
                    registry.remove(id);
                }
            };
        }
    }

    /** Short description for error messages and printing, e.g. {@code Linear 784->128}. */
    public String describe() {
        return getClass().getSimpleName();
    }

    /** Registers a parameter (made a leaf that requires grad); returns it. */
    protected Tensor param(String name, Tensor value) {
        checkName(name);
        Tensor p = value == null ? null : (value.isLeaf() ? value : value.detach()).requiresGrad_(true);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers a free tensor as a parameter of this module from outside (PyTorch's {@code register_parameter}): it
     * becomes a leaf that requires grad, in {@link #parameters()} and the state dict. Returns it.
     */
    public Tensor registerParameter(String name, Tensor value) {
        return param(name, value);
    }

    /** Registers state that is saved but not trained, from outside (PyTorch's {@code register_buffer}). Returns it. */
    public Tensor registerBuffer(String name, Tensor value) {
        return buffer(name, value);
    }

    /** Registers a child module from outside (PyTorch's {@code add_module}). Returns it. */
    public <M extends Module> M registerModule(String name, M module) {
        return child(name, module);
    }

    /** Registers a buffer: state saved in the state dict but not trained (running statistics). */
    protected Tensor buffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a child module under name; returns it. */
    protected <M extends Module> M child(String name, M module) {
        checkName(name);
        Module m = module;
        if (m.parent != null && m.parent != this)
            throw new IllegalArgumentException(
                    "module " + m.describe() + " is already registered as '" + m.path() + "'");
        m.parent = this;
        m.name = name;
        children.put(name, module);
        return module;
    }

    private void checkName(String n) {
        if (n.isEmpty() || n.contains("."))
            throw new IllegalArgumentException(describe() + ": invalid name '" + n + "' (empty or containing '.')");
        if (parameters.containsKey(n) || buffers.containsKey(n) || children.containsKey(n))
            throw new IllegalArgumentException(describe() + ": attribute '" + n + "' is already registered");
    }

    /** The module this one is registered in, or null for a root. */
    Module parent() {
        return parent;
    }

    /** Dotted path from the root module ("" for the root). */
    public String path() {
        if (parent == null) return "";
        String p = parent.path();
        return p.isEmpty() ? name : p + "." + name;
    }

    /** "path (description)", the prefix of every error a module raises. */
    protected String where() {
        String p = path();
        return p.isEmpty() ? describe() : p + " (" + describe() + ")";
    }

    /** An error naming this module's path when the input's trailing dims do not match. */
    protected void expectInput(Tensor x, String expected, boolean ok) {
        if (!ok)
            throw new IllegalArgumentException(
                    where() + ": expected input " + expected + ", got " + Shape.str(x.shape()));
    }

    /**
     * For diagnosing a NaN or infinite loss: runs this model again on {@code input} (current mode, no graph) and
     * names the first layer whose output is not finite, as "path (description)", e.g.
     * {@code "classifier.7 (Linear 3136->128)"}; "the input batch" when the input already is not; null when every
     * output is finite. Random layers draw from their generators as in any forward pass.
     */
    public String firstNonFiniteOutput(Tensor input) {
        return ModelSummary.firstNonFinite(this, input);
    }

    /** All parameters by dotted path (classifier.0.weight), in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    /** All buffers by dotted path, in registration order. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params) {
        for (var e : (params ? parameters : buffers).entrySet())
            if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out, params);
    }

    /** All parameters, in registration order (for optimizers). */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The direct children by name, in registration order. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** This module ("") and every descendant, by dotted path, in registration order. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        out.put("", this);
        for (var e : children.entrySet())
            for (var d : e.getValue().namedModules().entrySet())
                out.put(d.getKey().isEmpty() ? e.getKey() : e.getKey() + "." + d.getKey(), d.getValue());
        return out;
    }

    /** Training mode for this module and its descendants. Returns this. */
    public Module train() {
        return train(true);
    }

    /** Training (true) or evaluation mode. Returns this. */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children.values()) c.train(mode);
        return this;
    }

    /** Evaluation mode for this module and its descendants (dropout off, batch norm uses running statistics). Returns this. */
    public Module eval() {
        return train(false);
    }

    /** Whether the module is in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Drops every parameter's gradient. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** Calls fn on every descendant and then this module, as PyTorch's apply (used for custom init). */
    public Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) c.apply(fn);
        fn.accept(this);
        return this;
    }

    /** The number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** Parameters and buffers by dotted name, sharing storage with the module (as PyTorch's state_dict). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        for (var e : parameters.entrySet())
            if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue().detach());
        for (var e : buffers.entrySet()) if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collectState(prefix + e.getKey() + ".", out);
    }

    /** What loadStateDict found: keys the module has that the dict lacks, and keys the dict has that the module lacks. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /** Strict loading: every key must match and every shape agree. */
    public LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    /**
     * Copies values into the existing tensors (so optimizers keep their references). Size mismatches are always
     * errors; missing and unexpected keys are errors when strict, reported in the result otherwise.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (String k : state.keySet()) if (!own.containsKey(k)) unexpected.add(k);
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null && !Arrays.equals(src.shape(), e.getValue().shape()))
                mismatched.add("size mismatch for " + e.getKey() + ": copying a param with shape "
                        + Shape.str(src.shape()) + " from the state dict, the shape in the current model is "
                        + Shape.str(e.getValue().shape()));
        }
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder b = new StringBuilder("error(s) in loading state dict for " + describe() + ":");
            if (strict && !missing.isEmpty()) b.append("\n  missing key(s): ").append(String.join(", ", missing));
            if (strict && !unexpected.isEmpty())
                b.append("\n  unexpected key(s): ").append(String.join(", ", unexpected));
            for (String m : mismatched) b.append("\n  ").append(m);
            throw new IllegalArgumentException(b.toString());
        }
        try (var g = GradMode.noGrad()) {
            for (var e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) e.getValue().copy_(src.to(e.getValue().dtype()));
            }
        }
        return new LoadResult(missing, unexpected);
    }

    /** A printed tree like PyTorch's: {@code Sequential(\n  (0): Linear(in_features=2, ...)\n)}. */
    @Override
    public String toString() {
        if (children.isEmpty()) return getClass().getSimpleName() + "(" + extraRepr() + ")";
        StringBuilder b = new StringBuilder(getClass().getSimpleName()).append("(");
        String extra = extraRepr();
        if (!extra.isEmpty()) b.append("\n  ").append(extra);
        for (var e : children.entrySet())
            b.append("\n  (")
                    .append(e.getKey())
                    .append("): ")
                    .append(e.getValue().toString().replace("\n", "\n  "));
        return b.append("\n)").toString();
    }

    /** The arguments shown inside the parentheses when printing. */
    protected String extraRepr() {
        return "";
    }

    /**
     * A Keras-like table of layers with output shapes and parameter counts, from one forward pass of zeros with
     * the given input shape (batch dim included), run without recording the graph and in eval mode.
     */
    public String summary(int... inputShape) {
        return ModelSummary.of(this, inputShape);
    }

    /** This module's own parameter (not a descendant's) by name, or null. */
    public Tensor parameter(String name) {
        return parameters.get(name);
    }

    /** This module's own buffer by name, or null. */
    public Tensor buffer(String name) {
        return buffers.get(name);
    }

    /**
     * Converts every floating point parameter and buffer to dtype, recursively (as PyTorch's {@code .double()}):
     * parameters become new leaves, so build optimizers after calling this.
     */
    public Module to(dev.nabla.DType dtype) {
        if (!dtype.isFloatingPoint())
            throw new IllegalArgumentException(describe() + ": to() expects a floating point dtype, got " + dtype);
        for (var e : parameters.entrySet()) {
            Tensor p = e.getValue();
            if (p != null && p.dtype().isFloatingPoint() && p.dtype() != dtype)
                e.setValue(p.detach().to(dtype).requiresGrad_(p.requiresGrad()));
        }
        for (var e : buffers.entrySet()) {
            Tensor b = e.getValue();
            if (b != null && b.dtype().isFloatingPoint() && b.dtype() != dtype) e.setValue(b.to(dtype));
        }
        for (Module c : children.values()) c.to(dtype);
        return this;
    }

    /** This module's own parameters. */
    protected final Map<String, Tensor> ownParameters() {
        return parameters;
    }

    /** This module's own buffers. */
    protected final Map<String, Tensor> ownBuffers() {
        return buffers;
    }
}
