package dev.nabla;

import dev.nabla.backend.Backend;
import dev.nabla.backend.cpu.CpuBackend;

/** Where a tensor's storage lives and which backend computes on it. Chosen at run time, never a type parameter. */
public enum Device {
    /** The JVM's heap and cores. */
    CPU;

    /** The kernels of this device. */
    public Backend backend() {
        return CpuBackend.INSTANCE;
    }
}
