/** The fit loop ({@code Trainer}), callbacks (early stopping, checkpoints, schedules), metrics and the training history. */
package dev.nabla.train;
