package io.torchtensor.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The only way the format floor touches bytes: positioned reads on a file of known length.
 *
 * <p>Implementations exist for local files ({@link FileInput}), byte arrays ({@link ByteArrayInput})
 * and, in the Spark floor, Hadoop {@code FSDataInputStream}s. Positioned reads keep no cursor, so
 * one input may serve reads at scattered offsets without seeking back and forth.
 */
public interface RandomAccessInput extends Closeable {

  /** A name for error messages: the path or URI of the file. */
  String name();

  /** The file's length in bytes. */
  long length() throws IOException;

  /**
   * Reads exactly {@code dst.remaining()} bytes starting at {@code position} into {@code dst},
   * advancing its position. Fails with {@link TensorFormatException.Reason#TRUNCATED} when the file
   * ends first.
   */
  void readFully(long position, ByteBuffer dst) throws IOException;

  /**
   * The range check every implementation makes before a read: {@code n} bytes at {@code position}
   * must lie inside a file of {@code length} bytes, else {@link TensorFormatException.Reason#TRUNCATED}.
   */
  static void checkRange(String name, long length, long position, long n) throws TensorFormatException {
    if (position < 0 || n < 0 || position > length || n > length - position) {
      throw new TensorFormatException(TensorFormatException.Reason.TRUNCATED, name,
          "read of " + n + " bytes at offset " + position + " runs past the end (length " + length + ")");
    }
  }
}
