/** Files: safetensors (PyTorch-compatible weights), atomic writes and the one exception type of every reader, {@code FileFormatException}. */
package dev.nabla.io;
