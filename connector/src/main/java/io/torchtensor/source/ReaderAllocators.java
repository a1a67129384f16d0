package io.torchtensor.source;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * One Arrow root allocator per executor JVM; each partition reader takes a child of it and closes it
 * when done, which also checks that the reader released every buffer.
 */
final class ReaderAllocators {

  private static final BufferAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

  private ReaderAllocators() {
  }

  static BufferAllocator newReaderAllocator(String name) {
    return ROOT.newChildAllocator(name, 0, Long.MAX_VALUE);
  }
}
