package dev.nabla.report;

import com.google.protobuf.CodedOutputStream;
import dev.nabla.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.EpochStats;
import dev.nabla.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes TensorBoard event files from {@link Trainer#fit}: the loss of every step ({@code train/loss_step}) and the
 * learning rate ({@code train/lr}) per step, the epoch's metrics ({@code epoch/train_loss}, {@code epoch/val_accuracy},
 * ...) and histograms of every weight and gradient ({@code weights/classifier.0.weight},
 * {@code gradients/...}) per epoch. {@code tensorboard --logdir DIR} shows them.
 * <pre>{@code trainer.callbacks(new TensorBoard(Path.of("runs/tb")));}</pre>
 * <p>The file is TensorFlow's record format (each record: length, masked CRC-32C of the length, the bytes, masked
 * CRC-32C of the bytes) holding {@code tensorflow.Event} messages, encoded with protobuf-java by the field numbers of
 * TensorFlow's {@code event.proto} and {@code summary.proto}.
 */
public final class TensorBoard implements Callback, AutoCloseable {
    // field numbers of tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto
    private static final int EVENT_WALL_TIME = 1, EVENT_STEP = 2, EVENT_FILE_VERSION = 3, EVENT_SUMMARY = 5;
    private static final int SUMMARY_VALUE = 1, VALUE_TAG = 1, VALUE_SIMPLE = 2, VALUE_HISTO = 5;
    private static final int HISTO_MIN = 1,
            HISTO_MAX = 2,
            HISTO_NUM = 3,
            HISTO_SUM = 4,
            HISTO_SUM_SQUARES = 5,
            HISTO_LIMITS = 6,
            HISTO_BUCKETS = 7;
    private static final int BUCKETS = 30;

    private final Path dir;
    private final boolean histograms;
    private OutputStream out;
    private Path file;
    private long step;

    /** Event files go to {@code logDir} (created when missing); histograms of weights and gradients every epoch. */
    public TensorBoard(Path logDir) {
        this(logDir, true);
    }

    /** Event files go to {@code logDir}; histograms of weights and gradients every epoch only when {@code histograms}. */
    public TensorBoard(Path logDir, boolean histograms) {
        this.dir = java.util.Objects.requireNonNull(logDir, "logDir");
        this.histograms = histograms;
    }

    /** The event file being written (null before training starts). */
    public Path file() {
        return file;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        open();
    }

    /** Creates the event file and writes its first event, unless that is done already. */
    private void open() {
        try {
            if (out == null) {
                Files.createDirectories(dir);
                String host = java.net.InetAddress.getLoopbackAddress().getHostName();
                file = dir.resolve("events.out.tfevents." + System.currentTimeMillis() / 1000 + "." + host + ".nabla");
                out = new java.io.BufferedOutputStream(Files.newOutputStream(file));
                writeEvent(0, (c) -> c.writeString(EVENT_FILE_VERSION, "brain.Event:2"));
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write event file in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss) {
        step++;
        scalars(
                step,
                Map.of(
                        "train/loss_step",
                        loss,
                        "train/lr",
                        trainer.optimizer().paramGroups().get(0).get("lr")));
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats s) {
        var m = new java.util.LinkedHashMap<String, Double>();
        for (String metric : new String[] {"train_loss", "train_accuracy", "val_loss", "val_accuracy"})
            m.put("epoch/" + metric, s.metric(metric));
        m.put("epoch/lr", s.lr());
        m.put("epoch/seconds", s.seconds());
        m.values().removeIf(v -> Double.isNaN(v));
        scalars(s.epoch(), m);
        if (histograms)
            for (var e : trainer.model().namedParameters().entrySet()) {
                Tensor p = e.getValue();
                histogram(s.epoch(), "weights/" + e.getKey(), p.toDoubleArray());
                if (p.grad() != null)
                    histogram(s.epoch(), "gradients/" + e.getKey(), p.grad().toDoubleArray());
            }
        flush();
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        flush();
    }

    /** Writes scalar summaries at a step (also usable outside a Trainer). */
    public void scalars(long step, Map<String, Double> values) {
        open();
        writeEvent(step, c -> {
            ByteArrayOutputStream summary = new ByteArrayOutputStream();
            CodedOutputStream s = CodedOutputStream.newInstance(summary);
            for (var e : values.entrySet()) {
                byte[] value = message(v -> {
                    v.writeString(VALUE_TAG, e.getKey());
                    v.writeFloat(VALUE_SIMPLE, e.getValue().floatValue());
                });
                s.writeByteArray(SUMMARY_VALUE, value);
            }
            s.flush();
            c.writeByteArray(EVENT_SUMMARY, summary.toByteArray());
        });
    }

    /** Writes a histogram summary of {@code values} at a step: BUCKETS equal-width buckets between the finite min and max. */
    public void histogram(long step, String tag, double[] values) {
        open();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSq = 0;
        int n = 0;
        for (double v : values)
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                sumSq += v * v;
                n++;
            }
        if (n == 0) return;
        double[] limits = new double[BUCKETS], counts = new double[BUCKETS];
        double width = (max - min) / BUCKETS;
        for (int i = 0; i < BUCKETS; i++) limits[i] = i == BUCKETS - 1 || width == 0 ? max : min + width * (i + 1);
        for (double v : values)
            if (Double.isFinite(v))
                counts[width == 0 ? BUCKETS - 1 : Math.min(BUCKETS - 1, (int) ((v - min) / width))]++;
        double fMin = min, fMax = max, fSum = sum, fSumSq = sumSq, fN = n;
        writeEvent(step, c -> {
            byte[] histo = message(h -> {
                h.writeDouble(HISTO_MIN, fMin);
                h.writeDouble(HISTO_MAX, fMax);
                h.writeDouble(HISTO_NUM, fN);
                h.writeDouble(HISTO_SUM, fSum);
                h.writeDouble(HISTO_SUM_SQUARES, fSumSq);
                packed(h, HISTO_LIMITS, limits);
                packed(h, HISTO_BUCKETS, counts);
            });
            byte[] value = message(v -> {
                v.writeString(VALUE_TAG, tag);
                v.writeByteArray(VALUE_HISTO, histo);
            });
            c.writeByteArray(EVENT_SUMMARY, message(s -> s.writeByteArray(SUMMARY_VALUE, value)));
        });
    }

    private static void packed(CodedOutputStream c, int field, double[] v) throws IOException {
        c.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(v.length * 8);
        for (double d : v) c.writeDoubleNoTag(d);
    }

    @FunctionalInterface
    private interface Fields {
        void write(CodedOutputStream c) throws IOException;
    }

    private static byte[] message(Fields f) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(b);
        f.write(c);
        c.flush();
        return b.toByteArray();
    }

    private void writeEvent(long step, Fields what) {
        try {
            byte[] event = message(c -> {
                c.writeDouble(EVENT_WALL_TIME, System.currentTimeMillis() / 1000.0);
                c.writeInt64(EVENT_STEP, step);
                what.write(c);
            });
            writeRecord(out, event);
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** One TFRecord: uint64 length, masked CRC of the length, the data, masked CRC of the data (all little-endian). */
    static void writeRecord(OutputStream out, byte[] data) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        ByteBuffer head = ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(data.length)
                .putInt(maskedCrc(len.array()));
        out.write(head.array());
        out.write(data);
        out.write(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(maskedCrc(data))
                .array());
    }

    /** TensorFlow's masked CRC-32C: rotate right by 15 bits and add 0xa282ead8. */
    static int maskedCrc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private void flush() {
        try {
            if (out != null) out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
        out = null;
    }
}
