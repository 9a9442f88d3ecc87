/** Internal (not exported by the module): the CPU kernels: Vector API kernels and their scalar twins, GEMM, convolution and pooling, the thread pool. */
package dev.nabla.backend.cpu;
