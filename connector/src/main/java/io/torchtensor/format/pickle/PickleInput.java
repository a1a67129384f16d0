package io.torchtensor.format.pickle;

import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked cursor over the bytes of one pickle. Reads use absolute indexes so the caller's
 * buffer keeps its byte order; only {@link #finish()} moves the caller's position (past STOP).
 *
 * <p>Every length is checked against the bytes that remain before anything is allocated. Running
 * past the end of the buffer is {@link Reason#TRUNCATED}; running past {@code maxPickleBytes} from the
 * start is {@link Reason#LIMIT_EXCEEDED}. Multi-byte integers are little-endian except BINFLOAT's
 * double, which pickle writes big-endian (pickletools: {@code float8}).
 */
final class PickleInput {

  private final ByteBuffer buf;
  private final int start;
  private final int end;
  private final boolean capped;
  private final String file;
  private final String entry;
  private int pos;
  /** Offset of the opcode being decoded, for messages. */
  private int opStart;
  private Opcode op;

  PickleInput(ByteBuffer buf, String file, String entry, long maxPickleBytes) {
    this.buf = buf;
    this.file = file;
    this.entry = entry;
    this.start = buf.position();
    long allowed = Math.max(0L, maxPickleBytes);
    long available = (long) buf.limit() - start;
    this.capped = available > allowed;
    this.end = (int) Math.min(available, allowed) + start;
    this.pos = start;
  }

  /** Starts a new opcode: reads its byte and remembers where it began. Null for an unknown byte. */
  Opcode nextOpcode() throws TensorFormatException {
    opStart = pos;
    op = null;
    int b = u8();
    op = Opcode.of(b);
    if (op == null) {
      throw error(Reason.BAD_PICKLE, String.format("unknown opcode byte 0x%02x", b));
    }
    return op;
  }

  /** Leaves the caller's buffer positioned just past the bytes consumed (STOP included). */
  void finish() {
    buf.position(pos);
  }

  int position() {
    return pos;
  }

  int opStart() {
    return opStart;
  }

  long remaining() {
    return end - pos;
  }

  private void need(long n) throws TensorFormatException {
    if (n < 0) {
      throw error(Reason.BAD_PICKLE, "negative length " + n);
    }
    if (n > end - pos) {
      if (capped && pos + n > end) {
        throw error(Reason.LIMIT_EXCEEDED, "pickle is longer than the limit of "
            + (end - start) + " bytes (needs " + n + " more bytes at byte " + pos + ")");
      }
      throw error(Reason.TRUNCATED, "pickle ends after " + (end - pos) + " bytes, " + n + " needed");
    }
  }

  int u8() throws TensorFormatException {
    need(1);
    return buf.get(pos++) & 0xff;
  }

  int u16() throws TensorFormatException {
    need(2);
    int v = (buf.get(pos) & 0xff) | (buf.get(pos + 1) & 0xff) << 8;
    pos += 2;
    return v;
  }

  int i32() throws TensorFormatException {
    need(4);
    int v = (buf.get(pos) & 0xff) | (buf.get(pos + 1) & 0xff) << 8
        | (buf.get(pos + 2) & 0xff) << 16 | (buf.get(pos + 3) & 0xff) << 24;
    pos += 4;
    return v;
  }

  long u32() throws TensorFormatException {
    return i32() & 0xffffffffL;
  }

  /** An unsigned 64-bit length; values of 2^63 or more are refused as not fitting any buffer. */
  long u64() throws TensorFormatException {
    need(8);
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = v << 8 | (buf.get(pos + i) & 0xff);
    }
    pos += 8;
    if (v < 0) {
      throw error(Reason.BAD_PICKLE, "length " + Long.toUnsignedString(v) + " does not fit in a pickle");
    }
    return v;
  }

  double f64be() throws TensorFormatException {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (buf.get(pos + i) & 0xff);
    }
    pos += 8;
    return Double.longBitsToDouble(v);
  }

  /** {@code n} bytes, checked against what remains before the array is allocated. */
  byte[] bytes(long n) throws TensorFormatException {
    need(n);
    byte[] out = new byte[(int) n];
    buf.get(pos, out);
    pos += out.length;
    return out;
  }

  /** Skips {@code n} bytes (checked). */
  void skip(long n) throws TensorFormatException {
    need(n);
    pos += (int) n;
  }

  /**
   * The bytes up to the next {@code \n} (not included; the newline is consumed), at most
   * {@code maxLength} of them. Text opcodes end their arguments this way (pickletools: {@code
   * stringnl}, {@code decimalnl_short}...).
   */
  byte[] line(int maxLength) throws TensorFormatException {
    int limit = (int) Math.min((long) end, (long) pos + maxLength + 1);
    for (int i = pos; i < limit; i++) {
      if (buf.get(i) == '\n') {
        byte[] out = bytes(i - pos);
        pos++;
        return out;
      }
    }
    if (limit - pos > maxLength) {
      throw error(Reason.LIMIT_EXCEEDED, "text argument longer than " + maxLength + " bytes");
    }
    need((long) (limit - pos) + 1);
    throw error(Reason.TRUNCATED, "text argument has no newline");
  }

  /** Strict UTF-8 (malformed input is an error, never replaced). */
  String utf8(byte[] b) throws TensorFormatException {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer cb = d.decode(ByteBuffer.wrap(b));
      return cb.toString();
    } catch (CharacterCodingException e) {
      throw error(Reason.BAD_PICKLE, "string of " + b.length + " bytes is not valid UTF-8");
    }
  }

  /** An error naming the file, entry, current opcode and its byte offset. */
  TensorFormatException error(Reason reason, String detail) {
    return new TensorFormatException(reason, file, where() + detail);
  }

  String where() {
    return (entry == null ? "" : entry + ": ")
        + (op == null ? "opcode" : op.name()) + " at byte " + opStart + ": ";
  }

  String file() {
    return file;
  }

  String entry() {
    return entry;
  }
}
