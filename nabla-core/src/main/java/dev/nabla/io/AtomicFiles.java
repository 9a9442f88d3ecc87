package dev.nabla.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes files atomically: into a temporary file in the same folder ({@code .NAME<random>.tmp}), flushed to disk,
 * then renamed over the target, so a reader (or a crash) sees the old file or the new one, never a mix. Temporary
 * files that a killed writer left behind for the same target are removed on the next write.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the content; an exception leaves the old file untouched. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes what writer produces to file atomically. */
    public static void write(Path file, Writer writer) throws IOException {
        Path tmp = prepare(file, writer);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes bytes to file atomically (a temporary file in the same folder, synced, then renamed over it). */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /** Writes text (UTF-8) to file atomically. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Writes several files so that either all of them are replaced or none is: every one is first written completely
     * to its temporary file and flushed, and only when all of them are on disk are they renamed into place. (A crash
     * during the renames, a few microseconds, can still leave some renamed.)
     */
    public static void writeAll(Map<Path, byte[]> files) throws IOException {
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (var e : files.entrySet()) {
                byte[] bytes = e.getValue();
                temps.put(e.getKey(), prepare(e.getKey(), out -> out.write(bytes)));
            }
            for (var e : temps.entrySet())
                Files.move(
                        e.getValue(), e.getKey(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            for (Path t : temps.values()) Files.deleteIfExists(t);
        }
    }

    /**
     * Fails at once, without writing anything, when {@code file} could not be written later: it is a folder, its
     * folder cannot be created, or the folder does not let us create files. {@code what} names the option or role.
     */
    public static void checkWritable(Path file, String what) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(what + ": " + file + " is a folder, not a file");
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) throw new IOException(what + ": " + file + " has no parent folder");
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p))
                    throw new IOException(what + ": " + p + " is a file, so " + file + " cannot be created under it");
                break;
            }
        }
        if (Files.exists(file) && !Files.isWritable(file))
            throw new IOException(what + ": " + file + " is not writable");
        List<Path> created = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) created.add(0, p);
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException(
                    what + ": cannot write into " + dir + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + ")",
                    e);
        } finally { // leave no trace of the check: remove the folders it made
            for (int i = created.size() - 1; i >= 0; i--) {
                try {
                    Files.deleteIfExists(created.get(i));
                } catch (IOException notEmpty) {
                    break;
                }
            }
        }
    }

    private static Path prepare(Path file, Writer writer) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        removeStaleTemporaries(dir, file.getFileName().toString());
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        boolean ok = false;
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writer.writeTo(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try { // temporary files are created private (0600); the result gets the usual rw-r--r--
                Files.setPosixFilePermissions(
                        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // keep the platform's defaults
            }
            ok = true;
            return tmp;
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    /** Deletes {@code .NAME<digits>.tmp} files of this target (what {@link Files#createTempFile} names them), left by a killed writer. */
    static void removeStaleTemporaries(Path dir, String name) {
        if (dir == null) return;
        String prefix = "." + name;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix)
                    && n.endsWith(".tmp")
                    && n.substring(prefix.length(), n.length() - 4).matches("\\d+");
        })) {
            for (Path p : ds) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a stale temporary file costs disk space only; never fail a write over it
        }
    }
}
