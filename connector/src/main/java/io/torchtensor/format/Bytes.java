package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Small helpers for positioned reads into heap buffers, and exact arithmetic with named errors. */
final class Bytes {

  /** The largest heap buffer we allocate (a little under {@code Integer.MAX_VALUE}, as the JDK allows). */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

  private Bytes() {
  }

  /**
   * Reads {@code len} bytes at {@code pos} into a new little-endian heap buffer positioned at 0. The
   * range is checked against the file length first, so a bogus length never allocates.
   */
  static ByteBuffer read(RandomAccessInput in, long pos, long len) throws IOException {
    long fileLen = in.length();
    RandomAccessInput.checkRange(in.name(), fileLen, pos, len);
    if (len > MAX_ARRAY) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, in.name(),
          "read of " + len + " bytes at offset " + pos + " exceeds one buffer (" + MAX_ARRAY + ")");
    }
    ByteBuffer b = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
    in.readFully(pos, b);
    return b.flip();
  }

  /** {@code a * b} for non-negative operands, or {@code reason} naming {@code what} on overflow. */
  static long mul(long a, long b, Reason reason, String file, String what) throws TensorFormatException {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new TensorFormatException(reason, file, what + ": " + a + " * " + b + " overflows a long");
    }
  }

  /** {@code a + b}, or {@code reason} naming {@code what} on overflow. */
  static long add(long a, long b, Reason reason, String file, String what) throws TensorFormatException {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new TensorFormatException(reason, file, what + ": " + a + " + " + b + " overflows a long");
    }
  }
}
