package dev.nabla.data;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A text as a sequence of character tokens, for character-level language models: the vocabulary is the sorted set
 * of characters the text holds, {@link #encode} and {@link #decode} map between text and int64 ids, and
 * {@link #batch} draws random windows with their next-character targets.
 */
public final class CharCorpus {
    private final String text;
    private final String vocabulary;
    private final long[] ids;

    private CharCorpus(String text, String vocabulary) {
        this.text = text;
        this.vocabulary = vocabulary;
        this.ids = encodeWith(vocabulary, text, "text");
    }

    /** The corpus of text, its vocabulary the characters it holds. */
    public static CharCorpus of(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("CharCorpus: the text is empty");
        TreeSet<Character> chars = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) chars.add(text.charAt(i));
        StringBuilder v = new StringBuilder();
        for (char c : chars) v.append(c);
        return new CharCorpus(text, v.toString());
    }

    /** The UTF-8 files joined, in the given order. */
    public static CharCorpus read(List<Path> files) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path f : files) b.append(Files.readString(f, StandardCharsets.UTF_8));
        return of(b.toString());
    }

    /** Where Debian's fortune packages put their text files. */
    public static final Path FORTUNES = Path.of("/usr/share/games/fortunes");

    /**
     * The fortune cookie files of Debian's {@code fortunes-min} (or {@code fortunes}) package, sorted by name: every
     * regular file in {@link #FORTUNES} but the {@code .dat} indexes and the {@code .u8} links; an error that says
     * what to install when there are none.
     */
    public static List<Path> fortunes() throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(FORTUNES))
            try (Stream<Path> s = Files.list(FORTUNES)) {
                s.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p))
                        .filter(p ->
                                !p.toString().endsWith(".dat") && !p.toString().endsWith(".u8"))
                        .sorted()
                        .forEach(files::add);
            }
        if (files.isEmpty())
            throw new IOException("no fortune files in " + FORTUNES
                    + ": install Debian's fortunes-min (apt-get install fortunes-min), or pass text files");
        return files;
    }

    /** The characters of the vocabulary, in id order. */
    public String vocabulary() {
        return vocabulary;
    }

    /** The number of distinct characters. */
    public int vocabSize() {
        return vocabulary.length();
    }

    /** The number of characters of the text. */
    public int length() {
        return ids.length;
    }

    /** The text. */
    public String text() {
        return text;
    }

    /** The ids of s's characters; an error naming the first one outside the vocabulary. */
    public long[] encode(String s) {
        return encodeWith(vocabulary, s, "encode");
    }

    private static long[] encodeWith(String vocabulary, String s, String what) {
        long[] r = new long[s.length()];
        for (int i = 0; i < r.length; i++) {
            int id = vocabulary.indexOf(s.charAt(i));
            if (id < 0)
                throw new IllegalArgumentException("CharCorpus." + what + ": character '" + s.charAt(i) + "' (U+"
                        + String.format("%04X", (int) s.charAt(i)) + ") at position " + i
                        + " is not in the vocabulary");
            r[i] = id;
        }
        return r;
    }

    /** The text of the ids; an error for an id outside the vocabulary. */
    public String decode(long[] idsToDecode) {
        StringBuilder b = new StringBuilder(idsToDecode.length);
        for (long id : idsToDecode) {
            if (id < 0 || id >= vocabulary.length())
                throw new IllegalArgumentException(
                        "CharCorpus.decode: id " + id + " is outside the vocabulary of " + vocabulary.length());
            b.append(vocabulary.charAt((int) id));
        }
        return b.toString();
    }

    /** The ids from start (inclusive) to end (exclusive), as an int64 tensor. */
    public Tensor tokens(int start, int end) {
        return Tensor.of(java.util.Arrays.copyOfRange(ids, start, end), end - start);
    }

    /**
     * batchSize windows of length characters at random positions (from g) between from and to: inputs [batchSize,
     * length] and targets [batchSize, length], the targets the inputs shifted by one character.
     */
    public Dataset.Batch batch(Generator g, int batchSize, int length, int from, int to) {
        if (length < 1 || batchSize < 1 || from < 0 || to > ids.length || to - from < length + 1)
            throw new IllegalArgumentException("CharCorpus.batch: windows of " + length + " (+1) characters in [" + from
                    + ", " + to + ") of a text of " + ids.length + ", batch " + batchSize);
        long[] in = new long[batchSize * length], out = new long[batchSize * length];
        for (int b = 0; b < batchSize; b++) {
            int start = from + g.nextInt(to - from - length);
            System.arraycopy(ids, start, in, b * length, length);
            System.arraycopy(ids, start + 1, out, b * length, length);
        }
        return new Dataset.Batch(Tensor.of(in, batchSize, length), Tensor.of(out, batchSize, length));
    }
}
