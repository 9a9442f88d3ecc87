package dev.nabla.report;

import dev.nabla.Nabla;
import dev.nabla.io.AtomicFiles;
import dev.nabla.train.EpochStats;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A training run's record for people: the curves as a PNG (loss and accuracy per epoch, and the loss of every step
 * with its moving average) and a self-contained HTML page with the run's configuration, the curves, the epoch table
 * and the confusion matrix. For library users and the command line alike:
 * <pre>{@code
 * History h = trainer.fit(train, val, 5);
 * Report.write(Path.of("runs/report.html"), Report.RunInfo.of("my CNN", model, Map.of("lr", "1e-3"), 0L, "Fashion-MNIST"),
 *              h, trainer.evaluate(testLoader), classNames, model.summary(1, 1, 28, 28));
 * }</pre>
 */
public final class Report {
    private static final int WIDTH = 1200, HEIGHT = 900;

    private Report() {}

    /**
     * What the report states about the run: its title, the model, the hyperparameters (in the order given), the seed
     * (null when none was fixed), the data, when it ran and the Nabla version.
     */
    public record RunInfo(
            String title,
            String model,
            Map<String, String> hyperparameters,
            Long seed,
            String data,
            Instant date,
            String nablaVersion) {
        /** Copies the hyperparameters (keeping their order); null means none. */
        public RunInfo {
            hyperparameters = hyperparameters == null
                    ? Map.of()
                    : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        }

        /** A RunInfo dated now, with this build's version; the model is described by its class and parameter count. */
        public static RunInfo of(
                String title, dev.nabla.nn.Module model, Map<String, String> hyperparameters, Long seed, String data) {
            String m = model == null
                    ? ""
                    : String.format(
                            Locale.ROOT,
                            "%s (%,d parameters)",
                            model.getClass().getSimpleName(),
                            model.parameterCount());
            return new RunInfo(title, m, hyperparameters, seed, data, Instant.now(), Nabla.version());
        }
    }

    /** Loss and accuracy per epoch (top row) and the loss of every step with its 50-step moving average (bottom). */
    public static byte[] curvesPng(History h) throws IOException {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        paint(
                g,
                epochChart("Loss per epoch", "loss", h, EpochStats::trainLoss, EpochStats::valLoss),
                0,
                0,
                WIDTH / 2,
                HEIGHT / 2);
        paint(
                g,
                epochChart("Accuracy per epoch", "accuracy", h, EpochStats::trainAccuracy, EpochStats::valAccuracy),
                WIDTH / 2,
                0,
                WIDTH / 2,
                HEIGHT / 2);
        paint(g, stepChart(h), 0, HEIGHT / 2, WIDTH, HEIGHT / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static void paint(Graphics2D g, XYChart c, int x, int y, int w, int h) {
        Graphics2D part = (Graphics2D) g.create(x, y, w, h);
        c.paint(part, w, h);
        part.dispose();
    }

    private static XYChart epochChart(
            String title,
            String yTitle,
            History h,
            ToDoubleFunction<EpochStats> train,
            ToDoubleFunction<EpochStats> val) {
        XYChart c = new XYChartBuilder()
                .width(WIDTH / 2)
                .height(HEIGHT / 2)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle(yTitle)
                .build();
        double[] x = h.epochs().stream().mapToDouble(EpochStats::epoch).toArray();
        double[] tr = h.epochs().stream().mapToDouble(train).toArray(),
                va = h.epochs().stream().mapToDouble(val).toArray();
        if (x.length > 0 && !Double.isNaN(tr[0])) c.addSeries("train", x, tr).setMarker(SeriesMarkers.CIRCLE);
        if (x.length > 0 && !Double.isNaN(va[0]))
            c.addSeries("validation", x, va).setMarker(SeriesMarkers.DIAMOND);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return c;
    }

    private static XYChart stepChart(History h) {
        XYChart c = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT / 2)
                .title("Training loss per step")
                .xAxisTitle("step")
                .yAxisTitle("loss")
                .build();
        List<Double> losses = h.stepLosses();
        if (!losses.isEmpty()) {
            double[] x = new double[losses.size()], y = new double[losses.size()];
            for (int i = 0; i < y.length; i++) {
                x[i] = i + 1;
                y[i] = losses.get(i);
            }
            c.addSeries("step", x, y).setMarker(SeriesMarkers.NONE).setLineColor(new java.awt.Color(160, 190, 230));
            c.addSeries("moving average (50 steps)", x, movingAverage(y, 50))
                    .setMarker(SeriesMarkers.NONE)
                    .setLineColor(new java.awt.Color(20, 70, 160));
        }
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return c;
    }

    /** The mean of the last {@code window} values at each position (fewer at the start); non-finite values are skipped. */
    static double[] movingAverage(double[] y, int window) {
        double[] out = new double[y.length];
        double sum = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                sum += y[i];
                n++;
            }
            if (i >= window && Double.isFinite(y[i - window])) {
                sum -= y[i - window];
                n--;
            }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    /** The HTML report as bytes (so that a caller can write it together with other outputs, all or none). */
    public static byte[] html(RunInfo info, History h, Trainer.Evaluation test, String[] classes, String summary)
            throws IOException {
        StringBuilder b = new StringBuilder();
        b.append(
                        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
                .append(esc(info.title()))
                .append("</title><style>")
                .append(
                        "body{font-family:sans-serif;margin:2em auto;max-width:1240px;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append(
                        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}pre{background:#f8f8f8;padding:1em;overflow-x:auto}")
                .append("img{max-width:100%;height:auto}.config td{text-align:left}")
                .append("</style></head><body>");
        b.append("<h1>").append(esc(info.title())).append("</h1>");
        if (test != null)
            b.append(String.format(
                    Locale.ROOT,
                    "<p><b>Test accuracy %.4f</b> (%d of %d correct), test loss %.4f. %s.</p>",
                    test.accuracy(),
                    test.correct(),
                    test.total(),
                    test.loss(),
                    esc(h.stopReason())));
        b.append("<h2>Run</h2><table class=\"config\">");
        row(b, "model", info.model());
        row(b, "data", info.data());
        for (var e : info.hyperparameters().entrySet()) row(b, e.getKey(), e.getValue());
        row(b, "seed", info.seed() == null ? "not fixed" : info.seed().toString());
        row(b, "date", info.date() == null ? "" : info.date().toString());
        row(b, "Nabla", info.nablaVersion());
        double total = h.epochs().stream().mapToDouble(EpochStats::seconds).sum();
        if (!h.epochs().isEmpty())
            row(
                    b,
                    "time",
                    String.format(
                            Locale.ROOT,
                            "%.1f s in %d epochs (%.1f s per epoch)",
                            total,
                            h.epochs().size(),
                            total / h.epochs().size()));
        b.append("</table>");
        b.append("<img alt=\"training curves\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(curvesPng(h)))
                .append("\">");
        b.append(
                "<h2>Epochs</h2><table><tr><th>epoch</th><th>train loss</th><th>train acc</th><th>val loss</th><th>val acc</th><th>seconds</th><th>lr</th></tr>");
        for (EpochStats e : h.epochs())
            b.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.1f</td><td>%.2g</td></tr>",
                    e.epoch(),
                    e.trainLoss(),
                    e.trainAccuracy(),
                    e.valLoss(),
                    e.valAccuracy(),
                    e.seconds(),
                    e.lr()));
        b.append("</table>");
        if (test != null && test.confusion() != null) {
            b.append("<h2>Confusion matrix (rows: true class, columns: predicted)</h2><table><tr><th></th>");
            for (int j = 0; j < test.confusion().length; j++)
                b.append("<th>").append(esc(name(classes, j))).append("</th>");
            b.append("</tr>");
            long[][] m = test.confusion();
            for (int i = 0; i < m.length; i++) {
                long rowTotal = 0;
                for (long v : m[i]) rowTotal += v;
                b.append("<tr><th>").append(esc(name(classes, i))).append("</th>");
                for (int j = 0; j < m[i].length; j++) {
                    double share = rowTotal == 0 ? 0 : (double) m[i][j] / rowTotal;
                    String bg = i == j
                            ? String.format(Locale.ROOT, "rgba(40,160,60,%.2f)", share)
                            : String.format(Locale.ROOT, "rgba(220,50,40,%.2f)", Math.min(1, share * 3));
                    b.append("<td style=\"background:")
                            .append(bg)
                            .append("\">")
                            .append(m[i][j])
                            .append("</td>");
                }
                b.append("</tr>");
            }
            b.append("</table>");
        }
        if (summary != null)
            b.append("<h2>Model</h2><pre>").append(esc(summary)).append("</pre>");
        b.append("</body></html>\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the HTML report to {@code file} atomically (a temporary file, then a rename). */
    public static void write(
            Path file, RunInfo info, History h, Trainer.Evaluation test, String[] classes, String summary)
            throws IOException {
        AtomicFiles.writeAll(Map.of(file, html(info, h, test, classes, summary)));
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append("<tr><th>")
                .append(esc(key))
                .append("</th><td>")
                .append(esc(value == null ? "" : value))
                .append("</td></tr>");
    }

    /** The class name of index i, or the index itself when there are no names. */
    public static String name(String[] classes, int i) {
        return classes != null && i < classes.length ? classes[i] : Integer.toString(i);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
