/** The tensor ({@code Tensor}), its element types ({@code DType}), shapes, random generators and global settings ({@code Nabla}): what most programs import. */
package dev.nabla;
