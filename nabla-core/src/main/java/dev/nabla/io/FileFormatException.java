package dev.nabla.io;

import java.nio.file.Path;

/**
 * The one exception type of Nabla's file readers (IDX, CSV, safetensors, checkpoints, images): the file is not what
 * it claims to be, or not what Nabla can read. The message always starts with the file and the place in it (the byte
 * offset, or the line and column of a text file), then says what was wrong. Each reader has its own subclass.
 */
public class FileFormatException extends RuntimeException {
    private final transient Path file;
    /** The byte offset of the error, or -1 when it is given as line and column. */
    private final long offset;

    /** An error at byte {@code offset} (in the uncompressed stream for gzipped files). */
    public FileFormatException(Path file, long offset, String message) {
        super(file + ": byte " + offset + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    /** An error at a place that {@code where} names (e.g. "line 3, column 2", "metadata \"epoch\""). */
    public FileFormatException(Path file, String where, String message) {
        super(file + ": " + where + ": " + message);
        this.file = file;
        this.offset = -1;
    }

    /** An error at a byte offset of file, with its cause. */
    public FileFormatException(Path file, long offset, String message, Throwable cause) {
        this(file, offset, message);
        initCause(cause);
    }

    /** The file that is wrong. */
    public Path file() {
        return file;
    }

    /** The byte offset of the error, or −1 when the place is a line and column or a named field. */
    public long offset() {
        return offset;
    }
}
