package dev.nabla.optim;

import dev.nabla.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parameters that share options (lr, weight_decay, ...), as PyTorch's param_groups; options a group does not set come from the optimizer's defaults. */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Double> options = new LinkedHashMap<>();

    /** A group of params with no options of its own. */
    public ParamGroup(List<Tensor> params) {
        this.params = new ArrayList<>(params);
    }

    /** A group of params. */
    public static ParamGroup of(List<Tensor> params) {
        return new ParamGroup(params);
    }

    /** Sets an option for this group only; returns this. */
    public ParamGroup with(String option, double value) {
        options.put(option, value);
        return this;
    }

    /** The parameters of the group. */
    public List<Tensor> params() {
        return params;
    }

    /** An option's value (lr, weight_decay, ...). */
    public double get(String option) {
        Double v = options.get(option);
        if (v == null)
            throw new IllegalStateException(
                    "param group has no option '" + option + "' (known: " + options.keySet() + ")");
        return v;
    }

    /** An option read as a flag (non-zero is true). */
    public boolean flag(String option) {
        return get(option) != 0.0;
    }

    /** Sets an option. Returns nothing; optimizers check values at their next step. */
    public void set(String option, double value) {
        options.put(option, value);
    }

    /** The options by name. */
    public Map<String, Double> options() {
        return options;
    }

    void fillDefaults(Map<String, Double> defaults) {
        for (var e : defaults.entrySet()) options.putIfAbsent(e.getKey(), e.getValue());
        for (String k : options.keySet())
            if (!defaults.containsKey(k))
                throw new IllegalArgumentException(
                        "unknown optimizer option '" + k + "' (known: " + defaults.keySet() + ")");
    }
}
