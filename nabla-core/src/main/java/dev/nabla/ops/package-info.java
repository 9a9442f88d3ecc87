/** The differentiable ops, forward and backward side by side, one class per family, and the fusion rules ({@code Fusion}) that every model gets. */
package dev.nabla.ops;
