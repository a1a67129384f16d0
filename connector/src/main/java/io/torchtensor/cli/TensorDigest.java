package io.torchtensor.cli;

import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a tensor's C-order little-endian bytes (bfloat16 and float8 as their raw bits) with
 * torch's lazy conj/neg bits resolved (the bytes of {@code t.resolve_conj().resolve_neg()}, which is
 * what users compare, not the raw storage), the value {@code testdata/make_testdata.py} records,
 * computed without holding the tensor in memory:
 * rows are read through {@link TensorFile#readRows} into one reused buffer of at most
 * {@link #CHUNK_BYTES}. A single row larger than that is split along its own first dimension,
 * recursively, so any tensor is hashed in bounded memory.
 */
final class TensorDigest {

  /** Bytes read per call; large enough that per-call overhead is negligible. */
  static final int CHUNK_BYTES = 8 << 20;

  private final TensorFile file;
  private final ByteBuffer chunk;

  /**
   * @param chunk the reused read buffer, shared across files; its capacity bounds each read and
   *              must hold at least one element of any dtype (16 bytes, a complex128)
   */
  TensorDigest(TensorFile file, ByteBuffer chunk) {
    if (chunk.capacity() < 16) {
      throw new IllegalArgumentException("chunk must hold one complex128 element: " + chunk.capacity());
    }
    this.file = file;
    this.chunk = chunk;
  }

  static ByteBuffer newChunk() {
    return ByteBuffer.allocateDirect(CHUNK_BYTES);
  }

  String sha256(TensorInfo t) throws IOException {
    MessageDigest md = newDigest();
    if (t.nbytes() > 0) {
      update(md, t);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private void update(MessageDigest md, TensorInfo t) throws IOException {
    long rows = t.rank() == 0 ? 1 : t.dim(0);
    long rowBytes = t.rowBytes();
    if (rowBytes <= chunk.capacity()) {
      long perChunk = chunk.capacity() / rowBytes;
      for (long first = 0; first < rows; first += perChunk) {
        long n = Math.min(perChunk, rows - first);
        chunk.clear();
        file.readRows(t, first, n, chunk);
        chunk.flip();
        md.update(chunk);
      }
      return;
    }
    // rank >= 2 here: a rank-1 row is one element. Row i is the view one dimension down.
    for (long i = 0; i < rows; i++) {
      update(md, t.row(i));
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
