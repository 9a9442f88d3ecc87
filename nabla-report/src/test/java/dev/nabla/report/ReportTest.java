package dev.nabla.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.data.DataLoader;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BCEWithLogitsLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.SGD;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static Trainer trained(int epochs, dev.nabla.train.Callback... cbs) {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2), y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        dev.nabla.Nabla.manualSeed(0);
        var model = new Sequential(new Linear(2, 4), new Tanh(), new Linear(4, 1));
        Trainer t = new Trainer(model, new SGD(model.parameters(), 0.5), new BCEWithLogitsLoss())
                .output(null)
                .callbacks(cbs);
        var data = new DataLoader(new TensorDataset(x, y), 2, false);
        t.fit(data, data, epochs);
        return t;
    }

    @Test
    void aLibraryUserWritesTheReportWithTheRunsConfigurationCurvesAndTable(@TempDir Path dir) throws Exception {
        Trainer t = trained(3);
        var hyper = new LinkedHashMap<String, String>();
        hyper.put("optimizer", "SGD lr 0.5");
        hyper.put("batch size", "2");
        Path file = dir.resolve("r/report.html");
        Files.createDirectories(file.getParent());
        Report.write(
                file,
                Report.RunInfo.of("XOR <test>", t.model(), hyper, 0L, "XOR, 4 points"),
                t.history(),
                t.evaluate(new DataLoader(
                        new TensorDataset(Tensor.of(new float[] {0, 0}, 1, 2), Tensor.of(new float[] {0}, 1, 1)),
                        1,
                        false)),
                null,
                t.model().summary(1, 2));
        String html = Files.readString(file);
        assertTrue(html.contains("<title>XOR &lt;test&gt;</title>"), "escaped title");
        for (String s : new String[] {
            "SGD lr 0.5",
            "batch size",
            "XOR, 4 points",
            "<th>seed</th><td>0</td>",
            "Sequential (17 parameters)",
            "<th>Nabla</th>",
            "s per epoch",
            "max-width:100%",
            "data:image/png;base64,",
            "<th>epoch</th>"
        }) assertTrue(html.contains(s), s);
        assertEquals(3, html.split("<tr><td>").length - 1, "one table row per epoch");
    }

    @Test
    void theCurvesFitTheirImageAndTheStepCurveIsSmoothed() throws Exception {
        History h = trained(4).history();
        assertEquals(8, h.stepLosses().size(), "one loss per step");
        var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(Report.curvesPng(h)));
        assertEquals(1200, img.getWidth());
        assertEquals(900, img.getHeight());
        // moving average: the mean of the last k values (fewer at the start), NaN skipped
        assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, Report.movingAverage(new double[] {1, 2, 3, 4}, 2), 1e-12);
        assertArrayEquals(new double[] {1, 1, 3}, Report.movingAverage(new double[] {1, Double.NaN, 3}, 2), 1e-12);
    }

    @Test
    void theProgressBarCanBeForcedOnOutsideATerminalAndShowsSpeedAndTheEvaluationPass() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        var cb = ProgressBarCallback.forced(ps);
        assertTrue(cb.enabled());
        trained(2, cb);
        ps.flush();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("epoch 1/2") && out.contains("epoch 2/2"), out);
        assertTrue(out.contains("ms/step") && out.contains("loss "), out);
        assertTrue(out.contains("evaluate"), out);
    }
}
