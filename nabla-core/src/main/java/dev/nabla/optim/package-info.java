/** Optimizers with PyTorch's data model (parameter groups, per-parameter state): SGD, RMSprop, Adam, AdamW; learning-rate schedules and gradient clipping. */
package dev.nabla.optim;
