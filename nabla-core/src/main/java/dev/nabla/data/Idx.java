package dev.nabla.data;

import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (raw or gzipped): magic number 0x00 0x00 type rank, then rank
 * big-endian int32 dimensions, then the data. Only unsigned bytes (type 0x08) are supported, as those data sets use.
 * A bad magic number, an impossible dimension, a truncated or corrupt file is an {@link IdxException} naming the
 * file and the byte offset (in the uncompressed stream); nothing partial is returned. Sizes are computed with
 * overflow checks, and memory follows the data actually read, never the size the header claims: a raw file is
 * checked against its length before anything is allocated, and a gzipped one is read into a buffer that grows as the
 * data arrives (so a 16-byte header claiming 2.7 GB of images costs a few kilobytes).
 */
public final class Idx {
    private Idx() {}

    /** An error in an IDX file. */
    public static final class IdxException extends FileFormatException {
        IdxException(Path file, long offset, String message) {
            super(file, offset, message);
        }
    }

    /** The dimensions and the raw unsigned bytes; {@link #images} and {@link #labels} turn them into tensors. */
    public record IdxData(int[] shape, byte[] data) {}

    /** The largest data section we read (a Java array's limit). */
    static final long MAX_DATA = Integer.MAX_VALUE - 8;

    /** Reads an IDX file (gzip or not), checking its sizes against the file before allocating. */
    public static IdxData read(Path file) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = new BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            int b0 = in.read(), b1 = in.read();
            in.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            Counting c = new Counting(file, gzip ? gunzip(file, in) : in);
            return read(file, c, gzip ? -1 : fileSize);
        }
    }

    private static InputStream gunzip(Path file, InputStream in) throws IOException {
        try {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        } catch (ZipException | EOFException e) {
            throw new IdxException(file, 0, "corrupt gzip header: " + e.getMessage());
        }
    }

    /** Counts the bytes read (the offset for messages) and turns gzip failures into IdxExceptions at that offset. */
    private static final class Counting {
        final Path file;
        final InputStream in;
        long offset;

        Counting(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        int readInt(String what) throws IOException {
            int v = 0;
            long start = offset;
            for (int i = 0; i < 4; i++) {
                int b = read1();
                if (b < 0)
                    throw new IdxException(file, start, "file ends inside " + what + " (at byte " + offset + ")");
                v = (v << 8) | b;
            }
            return v;
        }

        int read1() throws IOException {
            try {
                int b = in.read();
                if (b >= 0) offset++;
                return b;
            } catch (ZipException | EOFException e) {
                throw new IdxException(file, offset, "corrupt or truncated gzip data: " + e.getMessage());
            }
        }

        int read(byte[] buf, int off, int len) throws IOException {
            try {
                int r = in.read(buf, off, len);
                if (r > 0) offset += r;
                return r;
            } catch (ZipException | EOFException e) {
                throw new IdxException(file, offset, "corrupt or truncated gzip data: " + e.getMessage());
            }
        }
    }

    private static IdxData read(Path file, Counting in, long rawSize) throws IOException {
        int magic = in.readInt("the 4-byte magic number");
        int type = (magic >>> 8) & 0xff, rank = magic & 0xff;
        if ((magic >>> 16) != 0 || type != 0x08 || rank < 1 || rank > 4)
            throw new IdxException(
                    file,
                    0,
                    String.format("bad magic number 0x%08x (expected 0x000008RR: unsigned bytes, rank 1 to 4)", magic));
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            long at = in.offset;
            shape[d] = in.readInt("the dimensions (rank " + rank + ")");
            if (shape[d] < 0)
                throw new IdxException(
                        file,
                        at,
                        "negative dimension " + shape[d] + " (" + Integer.toUnsignedString(shape[d]) + " as unsigned)");
        }
        long header = 4 + 4L * rank, n;
        try {
            n = Shape.numel(shape); // overflow-checked, 0 when a dimension is 0
        } catch (IllegalArgumentException tooMany) {
            n = Long.MAX_VALUE;
        }
        if (n > MAX_DATA)
            throw new IdxException(
                    file,
                    4,
                    "dimensions " + Arrays.toString(shape) + " describe more than " + MAX_DATA + " bytes of data");
        if (rawSize >= 0 && rawSize != header + n)
            throw new IdxException(
                    file,
                    Math.min(rawSize, header + n),
                    rawSize < header + n
                            ? "file is truncated: expected " + n + " data bytes for shape " + Arrays.toString(shape)
                                    + ", got " + (rawSize - header)
                            : "unexpected bytes after the " + n + " data bytes (the file has " + (rawSize - header - n)
                                    + " more)");
        byte[] data = new byte[(int) Math.min(n, 1 << 20)];
        int read = 0;
        while (read < n) {
            if (read == data.length)
                data = Arrays.copyOf(data, (int) Math.min(n, 2L * data.length)); // grows with the data actually present
            int r = in.read(data, read, data.length - read);
            if (r < 0)
                throw new IdxException(
                        file,
                        header + read,
                        "file is truncated: expected " + n + " data bytes for shape " + Arrays.toString(shape)
                                + ", got " + read);
            read += r;
        }
        if (in.read1() >= 0)
            throw new IdxException(file, header + n, "unexpected bytes after the " + n + " data bytes");
        return new IdxData(shape, data);
    }

    /** Images [N, 1, H, W] as float32 in [0, 1] (pixel / 255). */
    public static Tensor images(Path file) throws IOException {
        return images(file, 0f, 1f);
    }

    /**
     * Images [N, 1, H, W] as float32 (pixel / 255 − mean) / std, in one pass (the same float operations as
     * {@code images(file).sub(mean).div(std)}, without two more copies of the data set in memory).
     */
    public static Tensor images(Path file, float mean, float std) throws IOException {
        IdxData c = read(file);
        if (c.shape().length != 3)
            throw new IdxException(file, 0, "expected images of rank 3 [N, H, W], got rank " + c.shape().length);
        byte[] d = c.data();
        float[] f = new float[d.length];
        for (int i = 0; i < f.length; i++) f[i] = ((d[i] & 0xff) / 255f - mean) / std;
        return Tensor.fromArray(f, c.shape()[0], 1, c.shape()[1], c.shape()[2]);
    }

    /** Labels [N] as int64. */
    public static Tensor labels(Path file) throws IOException {
        IdxData c = read(file);
        if (c.shape().length != 1)
            throw new IdxException(file, 0, "expected labels of rank 1 [N], got rank " + c.shape().length);
        long[] l = new long[c.data().length];
        for (int i = 0; i < l.length; i++) l[i] = c.data()[i] & 0xff;
        return Tensor.of(l).to(DType.INT64);
    }
}
