/** Optional displays and records for the {@code Trainer}: a console progress bar, the HTML report with curves, TensorBoard event files. */
package dev.nabla.report;
