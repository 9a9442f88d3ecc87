/** Ready-made models: the reference CNN and the MLP of the seed programs, with PyTorch's parameter names. */
package dev.nabla.models;
