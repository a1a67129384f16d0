package io.torchtensor.source;

/**
 * What one partition reader did, reported to the Spark UI through {@link TorchTensorMetrics}.
 * Mutated by one task thread only.
 */
final class ReadCounters {
  long filesRead;
  long tensorsRead;
  long bytesRead;
  long readCalls;
  long batches;
  long filesDropped;
}
