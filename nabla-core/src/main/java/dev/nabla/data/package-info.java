/** Datasets and loading: {@code Dataset}, {@code TensorDataset}, {@code DataLoader} (seeded shuffling, background workers), IDX and CSV readers, Fashion-MNIST/MNIST, transforms and synthetic sets. */
package dev.nabla.data;
