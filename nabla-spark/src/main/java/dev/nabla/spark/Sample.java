package dev.nabla.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training example in a Spark RDD: the input's values in row-major order (its shape is given once, by
 * {@link NablaSpark.Options#inputShape}) and either a class label (classification, int64 targets as
 * {@code CrossEntropyLoss} expects) or a target vector (regression, float targets).
 *
 * @param input  the input values, row-major
 * @param label  the class label, or -1 for a regression sample
 * @param target the regression target, or null for a labelled sample
 */
public record Sample(float[] input, long label, float[] target) implements Serializable {
    /** Checks that exactly one of label and target is given. */
    public Sample {
        if (input == null) throw new IllegalArgumentException("Sample: input is null");
        if (target == null && label < 0)
            throw new IllegalArgumentException("Sample: a label must be >= 0, got " + label);
        if (target != null && label != -1)
            throw new IllegalArgumentException("Sample: give a label or a target, not both");
    }

    /** A classification example. */
    public static Sample labeled(float[] input, long label) {
        return new Sample(input, label, null);
    }

    /** A regression example. */
    public static Sample regression(float[] input, float... target) {
        return new Sample(input, -1, target);
    }

    /** Whether this is a classification example. */
    public boolean isLabeled() {
        return target == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s
                && label == s.label
                && Arrays.equals(input, s.input)
                && Arrays.equals(target, s.target);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(input) + Long.hashCode(label)) + Arrays.hashCode(target);
    }

    @Override
    public String toString() {
        return "Sample(" + input.length + " values, "
                + (isLabeled() ? "label " + label : "target " + Arrays.toString(target)) + ")";
    }
}
