package dev.nabla.data;

import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads numeric CSV files into a dataset: an optional header line, one label column (by name or index) and
 * numeric feature columns. Strict: the file must be UTF-8, every row as wide as the first, every cell a plain
 * decimal number (no NaN, no infinity, nothing that overflows float32; class labels integers in the int range), and
 * there must be at least one data row. A bad cell is a {@link CsvException} naming the file, line and column;
 * nothing partial is returned.
 */
public final class Csv {
    private Csv() {}

    /** A decimal number as people write them in CSV files (no Java suffixes such as "1f", no hex, no NaN/Infinity words). */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

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
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<float[]> rows = new ArrayList<>();
        List<Long> intLabels = new ArrayList<>();
        List<Float> floatLabels = new ArrayList<>();
        int label = -1, width = -1;
        long lineNo = 0;
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF ? 3 : 0; // a UTF-8 byte-order mark
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            lineNo++;
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            String line;
            try {
                line = utf8.decode(ByteBuffer.wrap(bytes, start, stop - start)).toString();
            } catch (CharacterCodingException e) {
                throw new CsvException(file, lineNo, 1, "not valid UTF-8 (" + e.getMessage() + ")");
            }
            start = end + 1;
            if (line.isBlank()) continue;
            String[] cells = line.split(",", -1);
            if (label < 0) {
                if (header) {
                    label = Arrays.asList(cells).stream().map(String::strip).toList().indexOf(labelColumn);
                    if (label < 0) throw new CsvException(file, lineNo, 1, "no column named '" + labelColumn + "' in header " + Arrays.toString(cells));
                    width = cells.length;
                    if (width < 2) throw new CsvException(file, lineNo, 1, "the header names one column; a label and at least one feature are needed");
                    continue;
                }
                try {
                    label = Integer.parseInt(labelColumn.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Csv: without a header the label column must be an index, got '" + labelColumn + "'");
                }
                if (label < 0) throw new IllegalArgumentException("Csv: the label column index must be >= 0, got " + label);
            }
            if (width < 0) {
                width = cells.length;
                if (label >= width) throw new CsvException(file, lineNo, width, "label column " + label + " is beyond the " + width + " columns of the first row");
                if (width < 2) throw new CsvException(file, lineNo, 1, "one column only; a label and at least one feature are needed");
            }
            if (cells.length != width) throw new CsvException(file, lineNo, Math.min(cells.length, width) + 1, "expected " + width + " columns, got " + cells.length);
            float[] f = new float[width - 1];
            for (int c = 0, j = 0; c < width; c++) {
                String cell = cells[c].strip();
                if (!NUMBER.matcher(cell).matches())
                    throw new CsvException(file, lineNo, c + 1, cell.isEmpty() ? "empty cell" : "not a finite decimal number: '" + abbreviate(cell) + "'");
                double v = Double.parseDouble(cell);
                if (c == label) {
                    if (integerLabels) {
                        if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
                            throw new CsvException(file, lineNo, c + 1, "class label must be an integer in the int range, got " + abbreviate(cell));
                        intLabels.add((long) v);
                    } else {
                        if (Float.isInfinite((float) v)) throw new CsvException(file, lineNo, c + 1, "label " + abbreviate(cell) + " overflows float32");
                        floatLabels.add((float) v);
                    }
                } else {
                    float fv = (float) v;
                    if (Float.isInfinite(fv)) throw new CsvException(file, lineNo, c + 1, "value " + abbreviate(cell) + " overflows float32");
                    f[j++] = fv;
                }
            }
            rows.add(f);
        }
        if (rows.isEmpty()) throw new CsvException(file, Math.max(lineNo, 1), 1, lineNo == 0 ? "the file is empty" : "no data rows");
        int n = rows.size(), fdim = width - 1;
        float[] x = new float[Math.multiplyExact(n, fdim)];
        for (int i = 0; i < n; i++) System.arraycopy(rows.get(i), 0, x, i * fdim, fdim);
        Tensor features = Tensor.of(x, n, fdim);
        if (integerLabels) {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) l[i] = intLabels.get(i);
            return new TensorDataset(features, Tensor.of(l));
        }
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = floatLabels.get(i);
        return new TensorDataset(features, Tensor.of(l, n, 1));
    }

    private static String abbreviate(String s) {
        return s.length() > 30 ? s.substring(0, 30) + "..." : s;
    }
}
