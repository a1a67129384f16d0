package io.torchtensor.format;

/**
 * Caps on what a file may make the reader do, checked before any allocation.
 *
 * @param maxPickleBytes    the largest {@code data.pkl} (or legacy pickle) read into memory
 * @param maxMemoEntries    pickle memo size
 * @param maxDepth          nesting depth of containers in the object tree
 * @param maxElements       elements in one pickle container, and tensors in one file
 * @param maxTensorBytes    bytes of one tensor
 * @param maxHeaderBytes    safetensors JSON header (the reference implementation allows 100,000,000)
 */
public record ReadLimits(long maxPickleBytes, int maxMemoEntries, int maxDepth, long maxElements,
    long maxTensorBytes, long maxHeaderBytes) {

  public static final ReadLimits DEFAULT = new ReadLimits(
      256L << 20, 10_000_000, 1_000, 10_000_000, 1L << 40, 100_000_000L);
}
