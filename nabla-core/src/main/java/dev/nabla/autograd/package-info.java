/** Reverse-mode automatic differentiation: the graph nodes, the iterative backward engine ({@code Autograd}), {@code GradMode.noGrad()} and numerical gradient checks ({@code GradCheck}). */
package dev.nabla.autograd;
