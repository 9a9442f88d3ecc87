/** The seam between tensors and kernels: {@code Storage} (flat typed arrays with a version counter), {@code Layout} (shape, strides, offset) and the {@code Backend} interface of primitive kernels. */
package dev.nabla.backend;
