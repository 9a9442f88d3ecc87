/**
 * Synchronous data-parallel training on Apache Spark 4.2+: {@link dev.nabla.spark.NablaSpark#fit} runs one barrier
 * stage whose tasks train replicas in lockstep, averaging gradients every step with {@link dev.nabla.spark.RingAllReduce}
 * (bucketed and overlapped with the backward pass). Spark is a provided dependency.
 */
package dev.nabla.spark;
