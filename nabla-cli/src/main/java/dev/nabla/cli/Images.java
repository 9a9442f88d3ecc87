package dev.nabla.cli;

import dev.nabla.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Reads an image as a 28x28 grayscale tensor in [0, 1] (scaled if it has another size). */
final class Images {
    private Images() {}

    static Tensor read(Path file, boolean invert) throws java.io.IOException {
        BufferedImage src = ImageIO.read(file.toFile());
        if (src == null) throw new IllegalArgumentException(file + ": not an image format Java can read (use PNG)");
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
}
