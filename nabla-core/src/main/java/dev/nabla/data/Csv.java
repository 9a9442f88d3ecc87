package dev.nabla.data;

import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import java.io.IOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads numeric CSV files into a dataset with Apache Commons CSV: an optional header line (its names may be quoted, as
 * Excel and R write them), one label column (by name or index) and numeric feature columns. A UTF-8 byte-order mark is
 * skipped; the delimiter, the quote character and the words that mean "missing" are {@link Options}. Strict: the file
 * must be UTF-8, every row as wide as the first, every cell a plain decimal number (no NaN, no infinity, nothing that
 * overflows float32; class labels integers in the int range) or a missing-value word (an error unless the options say to
 * skip such rows or fill them), and there must be at least one data row. A bad cell is a {@link CsvException} naming
 * the file, line and column; nothing partial is returned.
 */
public final class Csv {
    private Csv() {}

    /** A decimal number as people write them in CSV files (no Java suffixes such as "1f", no hex, no NaN/Infinity words). */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** What to do with a row that has a missing value (a cell equal to one of {@link Options#missingValues}). */
    public enum Missing {
        /** A CsvException naming the cell (the default). */
        ERROR,
        /** Leave the row out. */
        SKIP_ROW,
        /** Use {@link Options#fillValue} for missing features (a missing label is still an error). */
        FILL
    }

    /**
     * How to read: header line or not, delimiter, quote character, the cell texts that mean "missing" (compared after
     * trimming spaces) and what to do with them. {@code Options.defaults()}: header, ',', '"', only the empty cell is
     * missing, and missing is an error.
     */
    public record Options(
            boolean header, char delimiter, char quote, List<String> missingValues, Missing missing, float fillValue) {
        /** Checks that the options can describe a CSV file. */
        public Options {
            missingValues = List.copyOf(missingValues);
            java.util.Objects.requireNonNull(missing, "missing");
            if (delimiter == quote)
                throw new IllegalArgumentException(
                        "Csv.Options: the delimiter and the quote must differ, both are '" + delimiter + "'");
            if (delimiter == '\n' || delimiter == '\r')
                throw new IllegalArgumentException("Csv.Options: the delimiter cannot be a line break");
        }

        /** A header line, ',', '"', the empty cell as the only missing value, missing values an error. */
        public static Options defaults() {
            return new Options(true, ',', '"', List.of(""), Missing.ERROR, 0f);
        }

        /** Whether the first line names the columns. */
        public Options header(boolean h) {
            return new Options(h, delimiter, quote, missingValues, missing, fillValue);
        }

        /** The field separator, e.g. ';' (European spreadsheets) or '\t'. */
        public Options delimiter(char d) {
            return new Options(header, d, quote, missingValues, missing, fillValue);
        }

        /** The quote character around cells that hold the delimiter. */
        public Options quote(char q) {
            return new Options(header, delimiter, q, missingValues, missing, fillValue);
        }

        /** The cell texts that mean "missing", e.g. "", "NA", "?" (replaces the default, the empty cell). */
        public Options missingValues(String... words) {
            return new Options(header, delimiter, quote, List.of(words), missing, fillValue);
        }

        /** Leave out rows with a missing value. */
        public Options skipRowsWithMissing() {
            return new Options(header, delimiter, quote, missingValues, Missing.SKIP_ROW, fillValue);
        }

        /** Replace missing features by {@code value}. */
        public Options fillMissing(float value) {
            if (!Float.isFinite(value))
                throw new IllegalArgumentException("Csv.Options: the fill value must be finite, got " + value);
            return new Options(header, delimiter, quote, missingValues, Missing.FILL, value);
        }
    }

    /** An error in a CSV file, with its 1-based line and column. */
    public static final class CsvException extends FileFormatException {
        CsvException(Path file, long line, int column, String message) {
            super(file, "line " + line + ", column " + column, message);
        }
    }

    /**
     * Features [N, F] as float32 and labels [N] as int64 (when {@code integerLabels}) or float32 [N, 1], with
     * {@link Options#defaults()} but for the header. labelColumn is a header name, or a 0-based index when the file has
     * no header.
     */
    public static TensorDataset read(Path file, boolean header, String labelColumn, boolean integerLabels)
            throws IOException {
        return read(file, labelColumn, integerLabels, Options.defaults().header(header));
    }

    /** As {@link #read(Path, boolean, String, boolean)}, with the given options. */
    public static TensorDataset read(Path file, String labelColumn, boolean integerLabels, Options options)
            throws IOException {
        CSVFormat format = CSVFormat.DEFAULT
                .builder()
                .setDelimiter(options.delimiter())
                .setQuote(options.quote())
                .setIgnoreEmptyLines(false)
                .setIgnoreSurroundingSpaces(true)
                .get();
        List<float[]> rows = new ArrayList<>();
        List<Long> intLabels = new ArrayList<>();
        List<Float> floatLabels = new ArrayList<>();
        int label = -1, width = -1;
        java.util.Set<String> missingWords = new java.util.HashSet<>();
        for (String w : options.missingValues()) missingWords.add(w.strip());
        boolean header = options.header();
        int labelIndex = -1;
        if (!header) { // the arguments are checked before the file is read
            try {
                labelIndex = Integer.parseInt(labelColumn.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Csv: without a header the label column must be an index, got '" + labelColumn + "'");
            }
            if (labelIndex < 0)
                throw new IllegalArgumentException("Csv: the label column index must be >= 0, got " + labelIndex);
        }
        String text = decodeUtf8(file, Files.readAllBytes(file));
        try (CSVParser parser = CSVParser.builder()
                .setReader(new java.io.StringReader(text))
                .setFormat(format)
                .get()) {
            var it = parser.iterator();
            while (true) {
                CSVRecord rec;
                long lineNo =
                        parser.getCurrentLineNumber() + 1; // where this record starts (blank lines are records too)
                try {
                    if (!it.hasNext()) break;
                    rec = it.next();
                } catch (java.io.UncheckedIOException | IllegalStateException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    String why = cause.getMessage();
                    throw new CsvException(file, lineNo, 1, why == null ? cause.toString() : why);
                }
                String[] cells = rec.values();
                if (cells.length == 1 && cells[0].isBlank()) continue; // a blank line
                if (label < 0) {
                    if (header) {
                        label = Arrays.asList(cells).stream()
                                .map(String::strip)
                                .toList()
                                .indexOf(labelColumn);
                        if (label < 0)
                            throw new CsvException(
                                    file,
                                    lineNo,
                                    1,
                                    "no column named '" + labelColumn + "' in header " + Arrays.toString(cells));
                        width = cells.length;
                        if (width < 2)
                            throw new CsvException(
                                    file,
                                    lineNo,
                                    1,
                                    "the header names one column; a label and at least one feature are needed");
                        continue;
                    }
                    label = labelIndex;
                }
                if (width < 0) {
                    width = cells.length;
                    if (label >= width)
                        throw new CsvException(
                                file,
                                lineNo,
                                width,
                                "label column " + label + " is beyond the " + width + " columns of the first row");
                    if (width < 2)
                        throw new CsvException(
                                file, lineNo, 1, "one column only; a label and at least one feature are needed");
                }
                if (cells.length != width)
                    throw new CsvException(
                            file,
                            lineNo,
                            Math.min(cells.length, width) + 1,
                            "expected " + width + " columns, got " + cells.length);
                float[] f = new float[width - 1];
                boolean skip = false;
                double labelValue = 0;
                for (int c = 0, j = 0; c < width; c++) {
                    String cell = cells[c].strip();
                    if (missingWords.contains(cell)) {
                        if (options.missing() == Missing.SKIP_ROW) {
                            skip = true;
                            break;
                        }
                        if (options.missing() == Missing.FILL && c != label) {
                            f[j++] = options.fillValue();
                            continue;
                        }
                        throw new CsvException(
                                file,
                                lineNo,
                                c + 1,
                                (c == label ? "missing label" : "missing value")
                                        + (cell.isEmpty() ? " (empty cell)" : " '" + abbreviate(cell) + "'")
                                        + (c == label
                                                ? ""
                                                : "; Csv.Options.skipRowsWithMissing() or fillMissing(v) accept such rows"));
                    }
                    if (!NUMBER.matcher(cell).matches())
                        throw new CsvException(
                                file, lineNo, c + 1, "not a finite decimal number: '" + abbreviate(cell) + "'");
                    double v = Double.parseDouble(cell);
                    if (c == label) {
                        if (integerLabels && (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE))
                            throw new CsvException(
                                    file,
                                    lineNo,
                                    c + 1,
                                    "class label must be an integer in the int range, got " + abbreviate(cell));
                        if (!integerLabels && Float.isInfinite((float) v))
                            throw new CsvException(
                                    file, lineNo, c + 1, "label " + abbreviate(cell) + " overflows float32");
                        labelValue = v;
                    } else {
                        float fv = (float) v;
                        if (Float.isInfinite(fv))
                            throw new CsvException(
                                    file, lineNo, c + 1, "value " + abbreviate(cell) + " overflows float32");
                        f[j++] = fv;
                    }
                }
                if (skip) continue;
                if (integerLabels) intLabels.add((long) labelValue);
                else floatLabels.add((float) labelValue);
                rows.add(f);
            }
            if (rows.isEmpty())
                throw new CsvException(
                        file,
                        Math.max(parser.getCurrentLineNumber(), 1),
                        1,
                        parser.getRecordNumber() == 0 ? "the file is empty" : "no data rows");
        }
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

    /** The text of the file past a UTF-8 byte-order mark (Excel writes one); invalid UTF-8 is an error naming its line. */
    private static String decodeUtf8(Path file, byte[] bytes) throws CsvException {
        int start =
                bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF
                        ? 3
                        : 0;
        CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes, start, bytes.length - start);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length - start);
        java.nio.charset.CoderResult r = utf8.decode(in, out, true);
        if (r.isError()) {
            long line = 1;
            for (int i = start; i < in.position(); i++) if (bytes[i] == '\n') line++;
            throw new CsvException(file, line, 1, "not valid UTF-8 (byte " + in.position() + ")");
        }
        utf8.flush(out);
        return out.flip().toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 30 ? s.substring(0, 30) + "..." : s;
    }
}
