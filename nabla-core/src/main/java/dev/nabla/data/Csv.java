package dev.nabla.data;

import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads numeric CSV files into a dataset: an optional header line, one label column (by name or index) and
 * numeric feature columns. A bad cell is an error naming the file, line and column; nothing partial is returned.
 */
public final class Csv {
    private Csv() {}

    /** An error in a CSV file, with its 1-based line and column. */
    public static final class CsvException extends FileFormatException {
        CsvException(Path file, long line, int column, String message) {
            super(file, "line " + line + ", column " + column, message);
        }
    }

    /**
     * Features [N, F] as float32 and labels [N] as int64 (when {@code integerLabels}) or float32 [N, 1].
     * labelColumn is a header name, or a 0-based index when the file has no header.
     */
    public static TensorDataset read(Path file, boolean header, String labelColumn, boolean integerLabels) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Double> labels = new ArrayList<>();
        int label = -1, width = -1, lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] cells = line.split(",", -1);
                if (label < 0) {
                    if (header) {
                        label = Arrays.asList(cells).stream().map(String::strip).toList().indexOf(labelColumn);
                        if (label < 0) throw new CsvException(file, lineNo, 1, "no column named '" + labelColumn + "' in header " + Arrays.toString(cells));
                        width = cells.length;
                        continue;
                    }
                    try {
                        label = Integer.parseInt(labelColumn);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("Csv: without a header the label column must be an index, got '" + labelColumn + "'");
                    }
                }
                if (width < 0) width = cells.length;
                if (cells.length != width) throw new CsvException(file, lineNo, Math.min(cells.length, width) + 1, "expected " + width + " columns, got " + cells.length);
                if (label >= width) throw new CsvException(file, lineNo, label + 1, "label column " + label + " is beyond the " + width + " columns");
                float[] f = new float[width - 1];
                for (int c = 0, j = 0; c < width; c++) {
                    double v;
                    try {
                        v = Double.parseDouble(cells[c].strip());
                    } catch (NumberFormatException e) {
                        throw new CsvException(file, lineNo, c + 1, "not a number: '" + cells[c] + "'");
                    }
                    if (c == label) {
                        if (integerLabels && v != Math.rint(v)) throw new CsvException(file, lineNo, c + 1, "class label must be an integer, got " + cells[c]);
                        labels.add(v);
                    } else f[j++] = (float) v;
                }
                rows.add(f);
            }
        }
        int n = rows.size(), fdim = Math.max(width - 1, 0);
        float[] x = new float[n * fdim];
        for (int i = 0; i < n; i++) System.arraycopy(rows.get(i), 0, x, i * fdim, fdim);
        Tensor features = Tensor.of(x, n, fdim);
        if (integerLabels) {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) l[i] = labels.get(i).longValue();
            return new TensorDataset(features, Tensor.of(l));
        }
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = labels.get(i).floatValue();
        return new TensorDataset(features, Tensor.of(l, n, 1));
    }
}
