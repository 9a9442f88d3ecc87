package dev.nabla.backend.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twin of {@link PoolKernels#pool2x2Row} (2x2/2 max-pooling of one output row, with the fused conv's
 * bias and ReLU): 8 outputs at a time from 16 columns of each input row, split into even and odd columns by two-vector
 * shuffles. The same operations as the scalar kernel (max, add, and the sign bits of the same differences for the
 * argmax), so the same bits; FastKernelsTest checks it. Called only where {@link Kernels#vectorized()} holds.
 */
final class VectorPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromValues(S, 0, 2, 4, 6, 8, 10, 12, 14),
            ODD = VectorShuffle.fromValues(S, 1, 3, 5, 7, 9, 11, 13, 15);

    private VectorPool() {}

    /** As {@link PoolKernels#pool2x2Row}, same arguments and bits. */
    static void pool2x2Row(
            float[] x, int r0, int w, int pw, float add, boolean relu, float[] y, int out, byte[] code, int codeOut) {
        int r1 = r0 + w;
        FloatVector zero = FloatVector.zero(S);
        if (pw < 8) {
            PoolKernels.pool2x2RowScalar(x, r0, w, pw, add, relu, y, out, code, codeOut);
            return;
        }
        // 8 outputs at a time; the last 8 end at pw, overlapping the ones before (recomputed to the same values)
        for (int next = 0; next < pw; next += 8) {
            int ox = Math.min(next, pw - 8), c = 2 * ox;
            FloatVector a0 = FloatVector.fromArray(S, x, r0 + c), a1 = FloatVector.fromArray(S, x, r0 + c + 8);
            FloatVector b0 = FloatVector.fromArray(S, x, r1 + c), b1 = FloatVector.fromArray(S, x, r1 + c + 8);
            FloatVector p = a0.rearrange(EVEN, a1), q = a0.rearrange(ODD, a1); // top-left, top-right of each window
            FloatVector d = b0.rearrange(EVEN, b1), e = b0.rearrange(ODD, b1); // bottom-left, bottom-right
            FloatVector tv = p.max(q), bv = d.max(e), v = tv.max(bv).add(add);
            (relu ? v.max(zero) : v).intoArray(y, out + ox);
            if (code == null) continue;
            // the sign bits of the differences (1 where negative); no helper method: one that C2 does not inline
            // would box its vector argument
            IntVector t = ((IntVector) p.sub(q).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            IntVector u = ((IntVector) d.sub(e).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            IntVector lower = ((IntVector) tv.sub(bv).reinterpretAsInts()).lanewise(VectorOperators.LSHR, 31);
            // t + lower·(2 + u − t), lane by lane, as the scalar kernel's window code
            IntVector k = t.add(lower.mul(u.sub(t).add(2)));
            ((ByteVector) k.convertShape(VectorOperators.I2B, B, 0)).intoArray(code, codeOut + ox);
        }
    }
}
