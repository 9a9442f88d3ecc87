package dev.nabla.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Storage;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU backend's Adam step, split over the cores above {@link CpuBackend#PARALLEL_ADAM} elements, gives the bits of
 * the reference loop ({@link Backend#adamRange} over all elements on one thread): parameters and every state buffer.
 * OptimizerGoldenTest checks the update itself against PyTorch.
 */
class AdamStepTest {

    @ParameterizedTest(name = "{0} elements, float64 {1}, amsgrad {2}, decoupled {3}, {4} threads")
    @CsvSource({
        "100003,false,false,false,2",
        "100003,false,true,true,2",
        "70001,true,false,false,2",
        "70001,true,true,false,2",
        "5000,false,false,false,2", // below the threshold: on the caller
        "100003,false,false,true,1"
    })
    void everyThreadCountGivesTheReferenceBits(int n, boolean float64, boolean ams, boolean decoupled, int threads) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Random r = new Random(n);
            double[] m = new double[n], v = new double[n], vmax = ams ? new double[n] : null;
            for (int i = 0; i < n; i++) {
                m[i] = r.nextGaussian() * 1e-2;
                v[i] = r.nextDouble() * 1e-3;
                if (ams) vmax[i] = v[i] * (r.nextBoolean() ? 2 : 0.5);
            }
            Storage param, grad, paramRef;
            if (float64) {
                double[] p = new double[n], g = new double[n];
                for (int i = 0; i < n; i++) {
                    p[i] = r.nextGaussian();
                    g[i] = r.nextGaussian();
                }
                param = Storage.of(p);
                paramRef = Storage.of(p.clone());
                grad = Storage.of(g);
            } else {
                float[] p = new float[n], g = new float[n];
                for (int i = 0; i < n; i++) {
                    p[i] = (float) r.nextGaussian();
                    g[i] = (float) r.nextGaussian();
                }
                param = Storage.of(p);
                paramRef = Storage.of(p.clone());
                grad = Storage.of(g);
            }
            Storage mRef = Storage.of(m.clone()), vRef = Storage.of(v.clone());
            Storage vmaxRef = ams ? Storage.of(vmax.clone()) : null;
            for (long step = 1; step <= 3; step++) {
                Backend.AdamStep a = new Backend.AdamStep(1e-3, 0.9, 0.999, 1e-8, 1e-2, decoupled, step);
                CpuBackend.INSTANCE.adamStep(
                        param, grad, Storage.of(m), Storage.of(v), ams ? Storage.of(vmax) : null, a);
                Backend.adamRange(paramRef, grad, mRef, vRef, vmaxRef, a, 0, n);
            }
            if (float64) assertArrayEquals(paramRef.doubles(), param.doubles(), "parameters");
            else assertArrayEquals(paramRef.floats(), param.floats(), "parameters");
            assertArrayEquals(mRef.doubles(), m, "exp_avg");
            assertArrayEquals(vRef.doubles(), v, "exp_avg_sq");
            if (ams) assertArrayEquals(vmaxRef.doubles(), vmax, "max_exp_avg_sq");
        } finally {
            Parallel.setThreads(before);
        }
    }
}
