package dev.nabla.onnx;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.testing.Fuzz;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the ONNX reader, as ReaderFuzzTest does for the other file readers: every mutated model
 * either loads or is refused with a FileFormatException that names the file, within a memory bound; scripts/fuzz runs
 * it with NABLA_FUZZ_ITERATIONS inputs.
 */
class OnnxFuzzTest {
    private static final int N = Fuzz.iterations(3000);

    @Test
    void onnxReader(@TempDir Path dir) throws Exception {
        Generator g = new Generator(3);
        Sequential mlp = new Sequential(
                new Linear(4, 8, true, g, DType.FLOAT32), new ReLU(), new Linear(8, 3, true, g, DType.FLOAT32));
        Sequential cnn = new Sequential(
                new Conv2d(1, 4, 3, Conv2d.Options.defaults().padding(1)),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(4 * 4 * 4, 2));
        Path a = dir.resolve("mlp.onnx"), b = dir.resolve("cnn.onnx");
        Onnx.export(mlp, Tensor.randn(g, 2, 4), a);
        Onnx.export(cnn, Tensor.randn(g, 2, 1, 8, 8), b);
        Fuzz.run(
                "onnx",
                new byte[][] {Files.readAllBytes(a), Files.readAllBytes(b)},
                N,
                5,
                dir,
                "fuzz.onnx",
                n -> 64L * n + (4 << 20),
                Onnx::load);
    }
}
