package dev.nabla.cli;

import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads an image as a 28x28 grayscale tensor in [0, 1] (scaled if it has another size). The header is read first and
 * the pixel count capped before anything is decoded (a 67-byte PNG may declare 2147483640 x 1 pixels); every failure,
 * including a decoder's own exceptions on damaged data, is a {@link FileFormatException} naming the file.
 */
final class Images {
    /** The most pixels an input image may have (e.g. 4096 x 4096); far above what a 28x28 classifier needs. */
    static final long MAX_PIXELS = 1L << 24;

    private Images() {}

    static Tensor read(Path file, boolean invert) throws java.io.IOException {
        BufferedImage src = decode(file);
        BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, 28, 28, null);
        g.dispose();
        float[] px = new float[28 * 28];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) {
                float v = (gray.getRaster().getSample(x, y, 0)) / 255f;
                px[y * 28 + x] = invert ? 1 - v : v;
            }
        return Tensor.of(px, 28, 28);
    }

    /** The decoded image, after its declared size was checked against {@link #MAX_PIXELS}. */
    static BufferedImage decode(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString());
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new FileFormatException(file, "image", "cannot be opened for reading");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext())
                throw new FileFormatException(file, "image header", "not an image format Java can read (use PNG)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w, h;
                try {
                    w = reader.getWidth(0);
                    h = reader.getHeight(0);
                } catch (java.io.IOException | RuntimeException e) {
                    throw new FileFormatException(
                            file, "image header", "unreadable " + reader.getFormatName() + " header: " + describe(e));
                }
                if (w < 1 || h < 1 || w * h > MAX_PIXELS)
                    throw new FileFormatException(
                            file,
                            "image header",
                            "declares " + w + " x " + h + " pixels; at most " + MAX_PIXELS + " pixels are accepted");
                try {
                    BufferedImage img = reader.read(0);
                    if (img == null) throw new FileFormatException(file, "image data", "the decoder returned no image");
                    return img;
                } catch (java.io.IOException | RuntimeException e) {
                    if (e instanceof FileFormatException f) throw f;
                    throw new FileFormatException(
                            file, "image data", "damaged " + reader.getFormatName() + " data: " + describe(e));
                }
            } finally {
                reader.dispose();
            }
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
