package dev.nabla;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layering of DESIGN.md: the backend sees only storage, layout and the basic value types (DType,
 * Shape); nn, data, train, models and io never reach into the backend. optim may read a parameter's raw
 * storage for its in-place updates (Optimizer.Flat), and nothing else of the backend.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/dev/nabla");

    private static List<String> violations(String pkg, Pattern forbidden) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList())
                for (String line : Files.readAllLines(f))
                    if (line.startsWith("import ") && forbidden.matcher(line).find()) out.add(f + ": " + line);
        }
        return out;
    }

    @Test
    void backendImportsNothingAboveIt() throws IOException {
        List<String> v = violations(
                "backend",
                Pattern.compile("import dev\\.nabla\\.(Tensor|autograd|ops|nn|optim|data|io|train|models)\\b"));
        assertTrue(v.isEmpty(), String.join("\n", v));
    }

    @Test
    void upperLayersNeverTouchTheBackend() throws IOException {
        for (String pkg : List.of("nn", "data", "train", "io")) { // (models and examples live in nabla-examples now)
            List<String> v = violations(pkg, Pattern.compile("import dev\\.nabla\\.backend"));
            assertTrue(v.isEmpty(), String.join("\n", v));
        }
        List<String> v = violations("optim", Pattern.compile("import dev\\.nabla\\.backend\\.(?!Storage;)"));
        assertTrue(v.isEmpty(), String.join("\n", v));
    }
}
