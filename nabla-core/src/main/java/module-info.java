/**
 * Nabla: tensors with reverse-mode automatic differentiation, neural-network modules, losses, optimizers, data
 * loading and a training loop, in plain Java with the Vector API.
 *
 * <p>On the module path the Vector API comes with this module ({@code requires jdk.incubator.vector}): no JVM flag is
 * needed. On the class path, start the JVM with {@code --add-modules jdk.incubator.vector} for the fastest kernels;
 * without it Nabla runs its auto-vectorised scalar kernels (2-3x slower) and says so once on stderr.
 */
module dev.nabla {
    requires jdk.incubator.vector;
    requires java.net.http; // the checksum-verified Fashion-MNIST download
    requires jdk.management; // is the C2 compiler on? (the Vector API needs it to be fast)
    requires com.fasterxml
            .jackson
            .core; // safetensors headers and history JSON (streaming parser only: dev.nabla.io.Json)
    requires org.slf4j;
    requires org.apache.commons.csv;

    exports dev.nabla;
    exports dev.nabla.autograd;
    exports dev.nabla.backend;
    exports dev.nabla.data;
    exports dev.nabla.io;
    exports dev.nabla.nn;
    exports dev.nabla.ops;
    exports dev.nabla.optim;
    exports dev.nabla.train;
}
