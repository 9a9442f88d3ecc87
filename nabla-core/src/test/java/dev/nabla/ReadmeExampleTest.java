package dev.nabla;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.BCEWithLogitsLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's example runs as written: the code between the markers is the README's, character for character. */
class ReadmeExampleTest {

    @Test
    void readmeExampleLearnsXor() throws Exception {
        // README-BEGIN
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        Nabla.manualSeed(0);
        var model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
        var optimizer = new Adam(model.parameters(), 0.05);
        var loss = new BCEWithLogitsLoss();
        for (int step = 0; step < 300; step++) {
            optimizer.zeroGrad();
            Tensor l = loss.apply(model.forward(x), y);
            l.backward();
            optimizer.step();
        }
        System.out.println(model.forward(x).sigmoid()); // close to [[0], [1], [1], [0]]
        // README-END
        float[] p = model.forward(x).sigmoid().toFloatArray();
        assertTrue(p[0] < 0.1 && p[1] > 0.9 && p[2] > 0.9 && p[3] < 0.1, java.util.Arrays.toString(p));
        String source = Files.readString(Path.of("src/test/java/dev/nabla/ReadmeExampleTest.java"));
        String snippet =
                source.substring(source.indexOf("// README-BEGIN\n") + 16, source.indexOf("        // README-END"));
        String readme = Files.readString(Path.of("../README.md"));
        String unindented = snippet.lines()
                .map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .reduce("", (a, b) -> a + b + "\n");
        assertTrue(readme.contains(unindented), "README.md must contain the example exactly:\n" + unindented);
    }
}
