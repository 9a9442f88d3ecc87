/** The seed programs (quadratic fit, logic gates and the perceptron, XOR, the Fashion-MNIST MLP and CNN) as small runnable classes. */
package dev.nabla.examples;
