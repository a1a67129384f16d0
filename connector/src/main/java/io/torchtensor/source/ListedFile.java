package io.torchtensor.source;

import java.io.Serializable;

/**
 * A file found by {@link FileLister}: its qualified path, length, and its blocks' locations (empty
 * where the file system reports none). Lives on the driver only.
 */
record ListedFile(String path, long length, Block[] blocks) {

  /** One block: bytes {@code [offset, offset + length)} are stored on {@code hosts}. */
  record Block(long offset, long length, String[] hosts) implements Serializable {
  }

  /**
   * The hosts of the block sharing the most bytes with {@code [start, start + len)}, as Spark's
   * file sources choose them [sql/core/.../PartitionedFileUtil.scala, getBlockHosts].
   */
  String[] hostsFor(long start, long len) {
    String[] best = new String[0];
    long bestOverlap = 0;
    for (Block b : blocks) {
      long overlap = Math.min(start + len, b.offset() + b.length()) - Math.max(start, b.offset());
      if (overlap > bestOverlap) {
        bestOverlap = overlap;
        best = b.hosts();
      }
    }
    return best;
  }
}
