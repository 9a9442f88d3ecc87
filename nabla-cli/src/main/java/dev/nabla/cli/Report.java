package dev.nabla.cli;

import dev.nabla.train.EpochStats;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Training curves as a PNG (XChart) and a self-contained HTML report with the curves, the epoch table and the confusion matrix. */
final class Report {
    private Report() {}

    static byte[] curvesPng(History h) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        charts.add(chart("Loss", "loss", h, EpochStats::trainLoss, EpochStats::valLoss));
        charts.add(chart("Accuracy", "accuracy", h, EpochStats::trainAccuracy, EpochStats::valAccuracy));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1200, 450, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        for (int i = 0; i < charts.size(); i++) {
            java.awt.Graphics2D part = (java.awt.Graphics2D) g.create(i * 600, 0, 600, 450);
            charts.get(i).paint(part, 600, 450);
            part.dispose();
        }
        g.dispose();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static XYChart chart(String title, String yTitle, History h, java.util.function.ToDoubleFunction<EpochStats> train,
                                 java.util.function.ToDoubleFunction<EpochStats> test) {
        XYChart c = new XYChartBuilder().width(600).height(450).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        double[] x = h.epochs().stream().mapToDouble(EpochStats::epoch).toArray();
        double[] tr = h.epochs().stream().mapToDouble(train).toArray(), te = h.epochs().stream().mapToDouble(test).toArray();
        if (x.length > 0 && !Double.isNaN(tr[0])) c.addSeries("train", x, tr).setMarker(SeriesMarkers.CIRCLE);
        if (x.length > 0 && !Double.isNaN(te[0])) c.addSeries("test", x, te).setMarker(SeriesMarkers.DIAMOND);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        return c;
    }

    /** The HTML report as bytes (so that the caller can write it together with the other outputs, all or none). */
    static byte[] html(String title, History h, Trainer.Evaluation test, String[] classes, String summary) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title><style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}pre{background:#f8f8f8;padding:1em}")
                .append("</style></head><body>");
        b.append("<h1>").append(esc(title)).append("</h1>");
        if (test != null)
            b.append(String.format(Locale.ROOT, "<p><b>Test accuracy %.4f</b> (%d of %d correct), test loss %.4f. %s.</p>", test.accuracy(), test.correct(),
                    test.total(), test.loss(), esc(h.stopReason())));
        b.append("<img alt=\"training curves\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(curvesPng(h))).append("\">");
        b.append("<h2>Epochs</h2><table><tr><th>epoch</th><th>train loss</th><th>train acc</th><th>test loss</th><th>test acc</th><th>seconds</th><th>lr</th></tr>");
        for (EpochStats e : h.epochs())
            b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.1f</td><td>%.2g</td></tr>", e.epoch(),
                    e.trainLoss(), e.trainAccuracy(), e.valLoss(), e.valAccuracy(), e.seconds(), e.lr()));
        b.append("</table>");
        if (test != null && test.confusion() != null) {
            b.append("<h2>Confusion matrix (rows: true class, columns: predicted)</h2><table><tr><th></th>");
            for (int j = 0; j < test.confusion().length; j++) b.append("<th>").append(esc(name(classes, j))).append("</th>");
            b.append("</tr>");
            long[][] m = test.confusion();
            for (int i = 0; i < m.length; i++) {
                long rowTotal = 0;
                for (long v : m[i]) rowTotal += v;
                b.append("<tr><th>").append(esc(name(classes, i))).append("</th>");
                for (int j = 0; j < m[i].length; j++) {
                    double share = rowTotal == 0 ? 0 : (double) m[i][j] / rowTotal;
                    String bg = i == j ? String.format(Locale.ROOT, "rgba(40,160,60,%.2f)", share) : String.format(Locale.ROOT, "rgba(220,50,40,%.2f)", Math.min(1, share * 3));
                    b.append("<td style=\"background:").append(bg).append("\">").append(m[i][j]).append("</td>");
                }
                b.append("</tr>");
            }
            b.append("</table>");
        }
        if (summary != null) b.append("<h2>Model</h2><pre>").append(esc(summary)).append("</pre>");
        b.append("</body></html>\n");
        return b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static String name(String[] classes, int i) {
        return classes != null && i < classes.length ? classes[i] : Integer.toString(i);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
