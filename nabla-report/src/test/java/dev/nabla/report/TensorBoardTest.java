package dev.nabla.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.nabla.Tensor;
import dev.nabla.data.DataLoader;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BCEWithLogitsLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.SGD;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event file is read back by the format's own rules, independently of the writer: TFRecord framing with masked
 * CRC-32C (TensorFlow's record_reader: crc = crc32c(data); masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8) and the
 * Event / Summary / HistogramProto fields of TensorFlow's event.proto and summary.proto, decoded with protobuf-java.
 */
class TensorBoardTest {
    record Event(
            double wallTime,
            long step,
            String fileVersion,
            Map<String, Float> scalars,
            Map<String, double[]> histoCounts) {}

    static int masked(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    static List<Event> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (bb.hasRemaining()) {
            int start = bb.position();
            long len = bb.getLong();
            assertEquals(masked(all, start, 8), bb.getInt(), "length CRC of record " + events.size());
            byte[] data = new byte[(int) len];
            bb.get(data);
            assertEquals(masked(data, 0, data.length), bb.getInt(), "data CRC of record " + events.size());
            events.add(parseEvent(data));
        }
        return events;
    }

    static Event parseEvent(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        double wall = 0;
        long step = 0;
        String version = null;
        Map<String, Float> scalars = new LinkedHashMap<>();
        Map<String, double[]> histos = new LinkedHashMap<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> wall = in.readDouble();
                case 2 -> step = in.readInt64();
                case 3 -> version = in.readString();
                case 5 -> { // Summary { repeated Value value = 1; }
                    CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = s.readTag()) != 0; ) {
                        assertEquals(1, WireFormat.getTagFieldNumber(t));
                        CodedInputStream v = CodedInputStream.newInstance(s.readByteArray());
                        String name = null;
                        for (int vt; (vt = v.readTag()) != 0; ) {
                            switch (WireFormat.getTagFieldNumber(vt)) {
                                case 1 -> name = v.readString();
                                case 2 -> scalars.put(name, v.readFloat());
                                case 5 -> histos.put(name, histogramCounts(v.readByteArray()));
                                default -> v.skipField(vt);
                            }
                        }
                    }
                }
                default -> in.skipField(tag);
            }
        }
        return new Event(wall, step, version, scalars, histos);
    }

    /** HistogramProto's bucket counts (field 7, packed doubles), checked against num (field 3). */
    static double[] histogramCounts(byte[] b) throws IOException {
        CodedInputStream h = CodedInputStream.newInstance(b);
        double num = -1;
        List<Double> counts = new ArrayList<>(), limits = new ArrayList<>();
        for (int t; (t = h.readTag()) != 0; ) {
            int f = WireFormat.getTagFieldNumber(t);
            if (f == 3) num = h.readDouble();
            else if (f == 6 || f == 7) {
                int limit = h.pushLimit(h.readRawVarint32());
                while (h.getBytesUntilLimit() > 0) (f == 6 ? limits : counts).add(h.readDouble());
                h.popLimit(limit);
            } else h.skipField(t);
        }
        assertEquals(limits.size(), counts.size(), "one limit per bucket");
        assertEquals(num, counts.stream().mapToDouble(Double::doubleValue).sum(), "bucket counts sum to num");
        return counts.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void aTrainingRunWritesStepScalarsEpochScalarsAndHistogramsThatTheFormatRulesAccept(@TempDir Path dir)
            throws IOException {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2), y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        dev.nabla.Nabla.manualSeed(0);
        var model = new Sequential(new Linear(2, 4), new Tanh(), new Linear(4, 1));
        TensorBoard tb = new TensorBoard(dir.resolve("tb"));
        Trainer t = new Trainer(model, new SGD(model.parameters(), 0.1), new BCEWithLogitsLoss())
                .output(null)
                .callbacks(tb);
        t.fit(new DataLoader(new TensorDataset(x, y), 2, false), null, 3);
        tb.close();
        List<Event> events = read(tb.file());
        assertEquals("brain.Event:2", events.get(0).fileVersion(), "the first event names the file version");
        List<Event> steps = events.stream()
                .filter(e -> e.scalars().containsKey("train/loss_step"))
                .toList();
        assertEquals(6, steps.size(), "3 epochs x 2 batches");
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i + 1, steps.get(i).step());
            assertEquals(0.1f, steps.get(i).scalars().get("train/lr"));
            assertEquals(
                    t.history().stepLosses().get(i).floatValue(),
                    steps.get(i).scalars().get("train/loss_step"));
        }
        List<Event> epochs = events.stream()
                .filter(e -> e.scalars().containsKey("epoch/train_loss"))
                .toList();
        assertEquals(3, epochs.size());
        assertEquals(
                (float) t.history().epochs().get(2).trainLoss(),
                epochs.get(2).scalars().get("epoch/train_loss"));
        assertEquals(3, epochs.get(2).step());
        var histos =
                events.stream().flatMap(e -> e.histoCounts().keySet().stream()).toList();
        assertTrue(
                histos.containsAll(List.of("weights/0.weight", "weights/2.bias", "gradients/0.weight")),
                histos.toString());
        assertEquals(3 * 8, histos.size(), "4 weights and 4 gradients per epoch");
        double now = System.currentTimeMillis() / 1000.0;
        assertTrue(Math.abs(events.get(1).wallTime() - now) < 600, "wall time in seconds since the epoch");
    }

    @Test
    void aHistogramCountsEveryFiniteValueOnce(@TempDir Path dir) throws IOException {
        try (TensorBoard tb = new TensorBoard(dir)) {
            tb.histogram(7, "h", new double[] {-1, 0, 0.5, 2, 2, Double.NaN, 3});
            tb.histogram(8, "constant", new double[] {4, 4, 4});
            tb.close();
            List<Event> e = read(tb.file());
            double[] c = e.get(1).histoCounts().get("h");
            assertEquals(6, java.util.Arrays.stream(c).sum(), 0.0, "NaN left out");
            assertEquals(1, c[0], 0.0, "-1 in the first bucket");
            assertEquals(1, c[c.length - 1], 0.0, "the maximum in the last bucket");
            assertEquals(
                    3,
                    java.util.Arrays.stream(e.get(2).histoCounts().get("constant"))
                            .sum(),
                    0.0);
        }
    }
}
