package dev.nabla.onnx;

import com.google.protobuf.ByteString;
import dev.nabla.DType;
import dev.nabla.Shape;
import dev.nabla.Tensor;
import dev.nabla.io.Safetensors;
import dev.nabla.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Tensors to and from ONNX's TensorProto (raw little-endian data, or the typed fields that some writers use). */
final class OnnxTensors {
    private OnnxTensors() {}

    /** ONNX's element type of a Nabla dtype. */
    static int elementType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> TensorProto.DataType.FLOAT_VALUE;
            case FLOAT64 -> TensorProto.DataType.DOUBLE_VALUE;
            case INT64 -> TensorProto.DataType.INT64_VALUE;
            case BOOL -> TensorProto.DataType.BOOL_VALUE;
            default -> throw new IllegalArgumentException("ONNX: no element type for Nabla's " + dtype);
        };
    }

    /** Nabla's dtype of an ONNX element type; where names the tensor for the error. */
    static DType dtype(int elementType, String where) {
        if (elementType == TensorProto.DataType.FLOAT_VALUE) return DType.FLOAT32;
        if (elementType == TensorProto.DataType.DOUBLE_VALUE) return DType.FLOAT64;
        if (elementType == TensorProto.DataType.INT64_VALUE || elementType == TensorProto.DataType.INT32_VALUE)
            return DType.INT64;
        if (elementType == TensorProto.DataType.BOOL_VALUE) return DType.BOOL;
        TensorProto.DataType t = TensorProto.DataType.forNumber(elementType);
        throw new IllegalArgumentException(where + ": element type " + (t == null ? elementType : t)
                + " is not supported (float, double, int64, int32 and bool are)");
    }

    /** The tensor as a TensorProto named name, its data raw (little-endian, as ONNX specifies). */
    static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(elementType(t.dtype()));
        for (int d : t.shape()) p.addDims(d);
        return p.setRawData(ByteString.copyFrom(Safetensors.littleEndianBytes(t)))
                .build();
    }

    /** The tensor a TensorProto holds; where names it in errors (e.g. "initializer 'fc.weight'"). */
    static Tensor fromProto(TensorProto p, String where) {
        Tensor t = values(p, where);
        return p.getDimsCount() == 0 ? t.reshape() : t; // a scalar (Tensor.of makes 1-D tensors)
    }

    private static Tensor values(TensorProto p, String where) {
        DType dt = dtype(p.getDataType(), where);
        int[] shape = new int[p.getDimsCount()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = p.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE)
                throw new IllegalArgumentException(where + ": dimension " + i + " is " + d);
            shape[i] = (int) d;
            count *= d;
        }
        if (count > Integer.MAX_VALUE)
            throw new IllegalArgumentException(where + ": " + count + " elements is too many");
        int n = (int) count;
        if (p.hasDataLocation() && p.getDataLocation() == TensorProto.DataLocation.EXTERNAL)
            throw new IllegalArgumentException(
                    where + ": external data (a weight file beside the model) is not supported; save the model with"
                            + " its weights inside (onnx.save(model, path, save_as_external_data=False))");
        boolean int32 = p.getDataType() == TensorProto.DataType.INT32_VALUE;
        if (p.hasRawData()) {
            ByteBuffer b = p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int size = int32 ? 4 : dt.byteSize();
            if (b.remaining() != (long) n * size)
                throw new IllegalArgumentException(where + ": raw data has " + b.remaining() + " bytes, shape "
                        + Shape.str(shape) + " of " + TensorProto.DataType.forNumber(p.getDataType()) + " needs "
                        + (long) n * size);
            return switch (dt) {
                case FLOAT32 -> {
                    float[] v = new float[n];
                    b.asFloatBuffer().get(v);
                    yield Tensor.of(v, shape);
                }
                case FLOAT64 -> {
                    double[] v = new double[n];
                    b.asDoubleBuffer().get(v);
                    yield Tensor.of(v, shape);
                }
                case INT64 -> {
                    long[] v = new long[n];
                    if (int32) for (int i = 0; i < n; i++) v[i] = b.getInt();
                    else b.asLongBuffer().get(v);
                    yield Tensor.of(v, shape);
                }
                default -> {
                    boolean[] v = new boolean[n];
                    for (int i = 0; i < n; i++) v[i] = b.get() != 0;
                    yield Tensor.of(v, shape);
                }
            };
        }
        int have = switch (dt) {
            case FLOAT32 -> p.getFloatDataCount();
            case FLOAT64 -> p.getDoubleDataCount();
            case INT64 -> int32 ? p.getInt32DataCount() : p.getInt64DataCount();
            default -> p.getInt32DataCount();
        };
        if (have != n)
            throw new IllegalArgumentException(
                    where + ": holds " + have + " values, its shape " + Shape.str(shape) + " needs " + n);
        return switch (dt) {
            case FLOAT32 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = p.getFloatData(i);
                yield Tensor.of(v, shape);
            }
            case FLOAT64 -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = p.getDoubleData(i);
                yield Tensor.of(v, shape);
            }
            case INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = int32 ? p.getInt32Data(i) : p.getInt64Data(i);
                yield Tensor.of(v, shape);
            }
            default -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = p.getInt32Data(i) != 0;
                yield Tensor.of(v, shape);
            }
        };
    }
}
