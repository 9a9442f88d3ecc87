/** Neural-network building blocks: {@code Module} (named parameters, hooks, state dicts), layers, activations, losses, initialisation and the functional API {@code F}. */
package dev.nabla.nn;
