package dev.nabla.data;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (raw or gzipped): magic number 0x00 0x00 type rank, then rank
 * big-endian int32 dimensions, then the data. Only unsigned bytes (type 0x08) are supported, as those data sets use.
 * A bad magic number, an impossible dimension or a truncated file is an error naming the file and the byte offset
 * (in the uncompressed stream); nothing partial is returned.
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

    public static IdxData read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = new BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            int b0 = in.read(), b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            return read(file, new DataInputStream(in));
        } catch (java.util.zip.ZipException e) {
            throw new IdxException(file, 0, "corrupt gzip stream: " + e.getMessage());
        }
    }

    private static IdxData read(Path file, DataInputStream in) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IdxException(file, 0, "file ends before the 4-byte magic number");
        }
        int type = (magic >>> 8) & 0xff, rank = magic & 0xff;
        if ((magic >>> 16) != 0 || type != 0x08 || rank < 1 || rank > 4)
            throw new IdxException(file, 0, String.format("bad magic number 0x%08x (expected 0x000008RR: unsigned bytes, rank 1 to 4)", magic));
        int[] shape = new int[rank];
        long n = 1;
        for (int d = 0; d < rank; d++) {
            try {
                shape[d] = in.readInt();
            } catch (EOFException e) {
                throw new IdxException(file, 4 + 4L * d, "file ends inside the dimensions (rank " + rank + ")");
            }
            if (shape[d] < 0) throw new IdxException(file, 4 + 4L * d, "negative dimension " + shape[d]);
            n *= shape[d];
        }
        if (n > Integer.MAX_VALUE - 8) throw new IdxException(file, 4, "data of " + n + " bytes is too large");
        byte[] data = new byte[(int) n];
        int read = 0;
        while (read < n) {
            int r = in.read(data, read, (int) n - read);
            if (r < 0)
                throw new IdxException(file, 4 + 4L * rank + read, "file is truncated: expected " + n + " data bytes for shape "
                        + java.util.Arrays.toString(shape) + ", got " + read);
            read += r;
        }
        if (in.read() >= 0) throw new IdxException(file, 4 + 4L * rank + n, "unexpected bytes after the " + n + " data bytes");
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
        if (c.shape().length != 3) throw new IdxException(file, 0, "expected images of rank 3 [N, H, W], got rank " + c.shape().length);
        byte[] d = c.data();
        float[] f = new float[d.length];
        for (int i = 0; i < f.length; i++) f[i] = ((d[i] & 0xff) / 255f - mean) / std;
        return Tensor.fromArray(f, c.shape()[0], 1, c.shape()[1], c.shape()[2]);
    }

    /** Labels [N] as int64. */
    public static Tensor labels(Path file) throws IOException {
        IdxData c = read(file);
        if (c.shape().length != 1) throw new IdxException(file, 0, "expected labels of rank 1 [N], got rank " + c.shape().length);
        long[] l = new long[c.data().length];
        for (int i = 0; i < l.length; i++) l[i] = c.data()[i] & 0xff;
        return Tensor.of(l).to(DType.INT64);
    }
}
