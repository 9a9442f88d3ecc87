package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    /** What one command printed and returned. */
    record Out(int code, String out, String err) {}

    /** Runs the command line in this JVM with stdout and stderr captured (shared with the other CLI tests). */
    static Out run(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true));
        System.setErr(new PrintStream(be, true));
        try {
            return new Out(Main.execute(args), bo.toString(), be.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void trainWritesWeightsAndReportsAndEvalReproducesTheAccuracy(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("cnn.safetensors");
        Out t = run(
                "train",
                "--model",
                "cnn",
                "--limit",
                "1000",
                "--epochs",
                "1",
                "--out",
                weights.toString(),
                "--json",
                "--no-progress");
        assertEquals(0, t.code(), t.err());
        JsonNode tr = new ObjectMapper().readTree(t.out().strip());
        for (String f : new String[] {
            "cnn.safetensors", "cnn-history.csv", "cnn-history.json", "cnn-curves.png", "cnn-report.html"
        }) assertTrue(Files.size(dir.resolve(f)) > 0, f);
        assertTrue(Files.readString(dir.resolve("cnn-report.html")).contains("Confusion matrix"));
        // eval and predict read the model kind from the weights (no --model)
        Out e = run("eval", "--weights", weights.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode ev = new ObjectMapper().readTree(e.out().strip());
        assertEquals(tr.get("test_accuracy").asDouble(), ev.get("accuracy").asDouble(), 1e-12);
        assertEquals(tr.get("correct").asLong(), ev.get("correct").asLong());
        assertEquals(10000, ev.get("total").asLong());
        // nabla export writes an ONNX model that eval runs to the same accuracy
        Path onnx = dir.resolve("cnn.onnx");
        Out x = run("export", "--weights", weights.toString(), "--onnx", onnx.toString());
        assertEquals(0, x.code(), x.err());
        assertTrue(x.out().contains("10 nodes (Conv, Flatten, Gemm, MaxPool, Relu), opset 17"), x.out());
        Out eo = run("eval", "--weights", onnx.toString(), "--json");
        assertEquals(0, eo.code(), eo.err());
        JsonNode evo = new ObjectMapper().readTree(eo.out().strip());
        assertEquals(ev.get("correct").asLong(), evo.get("correct").asLong());
        assertEquals(ev.get("loss").asDouble(), evo.get("loss").asDouble(), 1e-6);
        Out twice = run(
                "export",
                "--weights",
                onnx.toString(),
                "--onnx",
                dir.resolve("again.onnx").toString());
        assertNotEquals(0, twice.code());
        assertTrue(twice.err().contains("is already an ONNX model"), twice.err());
        Out p = run("predict", "--weights", weights.toString(), "--index", "0");
        // the wrong kind: one line that says what does not fit
        Out wrong = run("eval", "--model", "mlp", "--weights", weights.toString());
        assertNotEquals(0, wrong.code());
        assertEquals(1, wrong.err().strip().lines().count(), wrong.err());
        assertTrue(
                wrong.err().contains("does not fit --model mlp")
                        && wrong.err().contains("missing key(s): classifier.1.weight")
                        && wrong.err().length() < 500,
                wrong.err());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().startsWith("test image 0: ") && p.out().contains("with probability"), p.out());
        // the same test image written as a PNG (un-normalised pixels) must get the same answer
        var test = dev.nabla.data.MnistDatasets.load(
                dev.nabla.data.MnistDatasets.Variant.FASHION_MNIST, null, false, false);
        float[] px = test.inputs().select(0, 0).toFloatArray();
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 784; i++) img.getRaster().setSample(i % 28, i / 28, 0, Math.round(px[i] * 255));
        Path png = dir.resolve("image0.png");
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        Out pp = run("predict", "--model", "cnn", "--weights", weights.toString(), png.toString());
        assertEquals(0, pp.code(), pp.err());
        String classFromIndex =
                p.out().substring("test image 0: ".length(), p.out().indexOf(" with probability"));
        assertTrue(pp.out().contains(": " + classFromIndex + " with probability"), pp.out() + " vs " + p.out());
    }

    @Test
    void trainOnSparkInLocalModeWritesTheSameOutputs(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("mlp.safetensors");
        Out t = run(
                "train",
                "--spark",
                "local[2]",
                "--workers",
                "2",
                "--model",
                "mlp",
                "--limit",
                "2000",
                "--epochs",
                "2",
                "--batch-size",
                "64",
                "--out",
                weights.toString(),
                "--json");
        assertEquals(0, t.code(), t.err());
        assertTrue(
                t.err().contains("mlp on Spark 4.")
                        && t.err().contains("2 workers, 2,000 training and 10,000 test images"),
                t.err());
        assertTrue(
                t.err().contains("epoch 2/2  train loss")
                        && t.err().contains("test loss")
                        && t.err().contains("on 2 workers"),
                t.err());
        JsonNode tr = new ObjectMapper().readTree(t.out().strip());
        assertEquals(2, tr.get("epochs").asInt());
        assertTrue(tr.get("test_accuracy").asDouble() > 0.7, t.out());
        for (String f : new String[] {
            "mlp.safetensors", "mlp-history.csv", "mlp-history.json", "mlp-curves.png", "mlp-report.html"
        }) assertTrue(Files.size(dir.resolve(f)) > 0, f);
        Out e = run("eval", "--weights", weights.toString(), "--json");
        assertEquals(
                tr.get("test_accuracy").asDouble(),
                new ObjectMapper().readTree(e.out().strip()).get("accuracy").asDouble(),
                1e-12);
        Out bad = run(
                "train",
                "--spark",
                "local[2]",
                "--workers",
                "3",
                "--batch-size",
                "128",
                "--out",
                dir.resolve("x.safetensors").toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("--batch-size 128 is not a multiple of --workers 3"), bad.err());
    }

    @Test
    void trainingResumesFromACheckpoint(@TempDir Path dir) {
        Path ckpt = dir.resolve("ckpt.safetensors"), out = dir.resolve("mlp.safetensors");
        Out first = run(
                "train",
                "--model",
                "mlp",
                "--limit",
                "500",
                "--epochs",
                "1",
                "--checkpoint",
                ckpt.toString(),
                "--out",
                out.toString(),
                "--no-progress");
        assertEquals(0, first.code(), first.err());
        Out second = run(
                "train",
                "--model",
                "mlp",
                "--limit",
                "500",
                "--epochs",
                "2",
                "--resume",
                ckpt.toString(),
                "--out",
                out.toString(),
                "--no-progress");
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("resumed from " + ckpt + " after epoch 1"), second.out());
        assertTrue(second.out().contains("epoch 2/2") && !second.out().contains("epoch 1/2"), second.out());
    }

    @Test
    void badArgumentsGiveAOneLineErrorAndANonZeroExit(@TempDir Path dir) {
        Out missing = run("eval", "--weights", dir.resolve("nope.safetensors").toString());
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().startsWith("nabla: error: --weights: no such file"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), "one line, no stack trace");
        Out unknown = run("train", "--model", "resnet", "--epochs", "1");
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("unknown model 'resnet'"), unknown.err());
        Out badOption = run("train", "--epochs", "many");
        assertNotEquals(0, badOption.code());
    }

    @Test
    void summaryPrintsTheLayers() {
        Out s = run("summary", "--model", "mlp");
        assertEquals(0, s.code());
        assertTrue(s.out().contains("Total params: 235,146"), s.out());
    }

    @Test
    void everyOptionHasHelpAndShowsItsDefaultAndNumbersReadNaturally(@TempDir Path dir) {
        var root = new picocli.CommandLine(new Main());
        var commands = new java.util.ArrayList<>(root.getSubcommands().values());
        commands.add(root);
        for (var cl : commands) {
            assertTrue(
                    cl.getCommandSpec().usageMessage().showDefaultValues() || cl == root,
                    cl.getCommandName() + " shows defaults");
            for (var o : cl.getCommandSpec().options())
                assertTrue(
                        o.description().length > 0 && !o.description()[0].isBlank(),
                        cl.getCommandName() + " " + o.longestName() + " has no help text");
        }
        Out help = run("train", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Default: 128") && help.out().contains("Default: 1e-3"), help.out());
        Out t = run(
                "train",
                "--model",
                "mlp",
                "--limit",
                "200",
                "--epochs",
                "1",
                "--out",
                dir.resolve("m.safetensors").toString(),
                "--no-progress");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains(" 1 epoch, batch 128, Adam lr 0.001 weight decay 1e-04"), t.out());
    }
}
