package dev.nabla.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Runs ONNX files in ONNX Runtime (the independent implementation the exports are checked against). */
final class OrtRunner {
    private OrtRunner() {}

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** The file's single output for input x (float32, float64 or int64), as a Nabla tensor. */
    static Tensor run(Path file, String inputName, Tensor x) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = ENV.createSession(file.toString(), o);
                    OnnxTensor in = tensor(x);
                    OrtSession.Result r = s.run(Map.of(inputName, in))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                long[] ls = out.getInfo().getShape();
                int[] shape = new int[ls.length];
                for (int i = 0; i < ls.length; i++) shape[i] = (int) ls[i];
                return switch (out.getInfo().type) {
                    case FLOAT -> {
                        FloatBuffer b = out.getFloatBuffer();
                        float[] v = new float[b.remaining()];
                        b.get(v);
                        yield Tensor.of(v, shape);
                    }
                    case DOUBLE -> {
                        DoubleBuffer b = out.getDoubleBuffer();
                        double[] v = new double[b.remaining()];
                        b.get(v);
                        yield Tensor.of(v, shape);
                    }
                    default -> throw new IllegalStateException("output type " + out.getInfo().type);
                };
            }
        }
    }

    private static OnnxTensor tensor(Tensor x) throws OrtException {
        long[] shape = new long[x.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = x.size(i);
        if (x.dtype() == DType.FLOAT64)
            return OnnxTensor.createTensor(ENV, DoubleBuffer.wrap(x.toDoubleArray()), shape);
        if (x.dtype() == DType.INT64)
            return OnnxTensor.createTensor(ENV, java.nio.LongBuffer.wrap(x.toLongArray()), shape);
        return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x.to(DType.FLOAT32).toFloatArray()), shape);
    }

    /**
     * Asserts that actual has expected's shape and that every value is within tol of the largest |expected| (at
     * least 1); returns the largest difference relative to that scale.
     */
    static double assertClose(String what, Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Shape.str(actual.shape()));
        double[] e = expected.toDouble().toDoubleArray(), a = actual.toDouble().toDoubleArray();
        double scale = 1;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.compare(e[i], a[i]) == 0) continue;
            worst = Math.max(worst, Math.abs(e[i] - a[i]) / scale);
        }
        assertTrue(worst <= tol, what + ": largest difference " + worst + " of scale " + scale + " > " + tol);
        assertEquals(e.length, a.length);
        return worst;
    }
}
