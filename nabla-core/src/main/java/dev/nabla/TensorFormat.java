package dev.nabla;

import java.util.Locale;

/** PyTorch-like printing: {@code tensor([[ 0.1000, -2.0000], ...], dtype=torch.float64, requires_grad=True)}. */
final class TensorFormat {
    private static final int THRESHOLD = 1000, EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        double[] v = t.dtype() == DType.INT64 ? null : t.toDoubleArray();
        long[] lv = t.dtype() == DType.INT64 ? t.toLongArray() : null;
        boolean summarize = t.numel() > THRESHOLD;
        String[] cells = new String[t.numel()];
        int width = 0;
        Style style = style(t.dtype(), v);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = switch (t.dtype()) {
                case INT64 -> Long.toString(lv[i]);
                case BOOL -> v[i] != 0 ? "True" : "False";
                default -> style.format(v[i]);
            };
            width = Math.max(width, cells[i].length());
        }
        StringBuilder b = new StringBuilder("tensor(");
        if (t.rank() == 0) b.append(cells.length == 1 ? cells[0].strip() : "");
        else body(b, t.shape(), 0, 0, cells, width, 7, summarize);
        if (t.dtype() == DType.FLOAT64) b.append(", dtype=torch.float64");
        if (t.numel() == 0 && t.dtype() != DType.FLOAT64 && t.dtype() != DType.FLOAT32)
            b.append(", dtype=torch.").append(t.dtype().torchName());
        if (t.numel() == 0 && t.rank() > 1)
            b.append(", size=")
                    .append(java.util.Arrays.toString(t.shape())
                            .replace('[', '(')
                            .replace(']', ')'));
        if (t.gradFn() != null) b.append(", grad_fn=").append(t.gradFn());
        else if (t.requiresGrad()) b.append(", requires_grad=True");
        return b.append(')').toString();
    }

    private static void body(
            StringBuilder b, int[] shape, int dim, int flat, String[] cells, int width, int indent, boolean summarize) {
        int n = shape[dim];
        int stride = 1;
        for (int d = dim + 1; d < shape.length; d++) stride *= shape[d];
        b.append('[');
        boolean last = dim == shape.length - 1;
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) { // PyTorch's summary: first and last EDGE entries
                b.append("...").append(last ? ", " : ",\n" + " ".repeat(indent + 1));
                i = n - EDGE;
            }
            if (last) b.append(pad(cells[flat + i * stride], width));
            else body(b, shape, dim + 1, flat + i * stride, cells, width, indent + 1, summarize);
            if (i < n - 1) {
                if (last) b.append(", ");
                else b.append(",").append("\n".repeat(shape.length - dim - 1)).append(" ".repeat(indent + 1));
            }
        }
        b.append(']');
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    private record Style(boolean integers, boolean sci) {
        String format(double x) {
            if (Double.isNaN(x)) return "nan";
            if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
            if (integers) return String.format(Locale.ROOT, "%.0f.", x);
            if (sci) return String.format(Locale.ROOT, "%.4e", x);
            return String.format(Locale.ROOT, "%.4f", x);
        }
    }

    private static Style style(DType dt, double[] v) {
        if (v == null || !dt.isFloatingPoint()) return new Style(true, false);
        boolean ints = true;
        double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
        for (double x : v) {
            if (!Double.isFinite(x)) continue;
            if (x != Math.rint(x)) ints = false;
            double a = Math.abs(x);
            maxAbs = Math.max(maxAbs, a);
            if (a > 0) minAbs = Math.min(minAbs, a);
        }
        if (ints) return new Style(maxAbs < 1e8, maxAbs >= 1e8);
        boolean sci = maxAbs > 1e8 || minAbs < 1e-4 || (minAbs > 0 && maxAbs / minAbs > 1000);
        return new Style(false, sci);
    }
}
