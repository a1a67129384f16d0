package io.torchtensor.arrow;

import io.torchtensor.format.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Converts storage bytes of the dtypes that Arrow cannot hold as they are into the wider Arrow
 * element (see {@link ElementType#isDirect}). One tight loop per dtype over typed NIO views: the
 * caller reads a whole batch of raw bytes into a scratch buffer, then converts it in one call.
 */
final class Widening {

  private Widening() {
  }

  /**
   * Converts {@code count} elements of {@code dtype} from {@code src} (little-endian, position 0)
   * into {@code dst} starting at value index {@code dstIndex}. For bool, {@code dst} is the bit-packed
   * data buffer of an Arrow {@code BitVector}.
   */
  static void convert(DType dtype, ByteBuffer src, int count, ArrowBuf dst, int dstIndex) {
    ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    in.position(0);
    // One small method per loop: the JIT compiles each hot loop on its own instead of one large
    // method whose profile mixes every dtype.
    switch (dtype) {
      case FLOAT16:
      case COMPLEX32:
        // complex32 is (re, im) float16 pairs, and count is of Arrow values (two per element):
        // the float16 loop over its components.
        halfToFloat(in.asShortBuffer(), floats(dst, dstIndex, count), count);
        break;
      case BFLOAT16:
        bfloat16ToFloat(in.asShortBuffer(), floats(dst, dstIndex, count), count);
        break;
      case FLOAT8_E4M3FN:
      case FLOAT8_E5M2:
      case FLOAT8_E4M3FNUZ:
      case FLOAT8_E5M2FNUZ:
      case FLOAT8_E8M0FNU:
        lookup(in, SmallFloats.float8Table(dtype), floats(dst, dstIndex, count), count);
        break;
      case UINT8:
      case QUINT8:
        unsignedBytes(in, dst.nioBuffer(2L * dstIndex, 2 * count).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer(), count);
        break;
      case UINT16:
        unsignedShorts(in.asShortBuffer(),
            dst.nioBuffer(4L * dstIndex, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer(), count);
        break;
      case UINT32:
        unsignedInts(in.asIntBuffer(),
            dst.nioBuffer(8L * dstIndex, 8 * count).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer(), count);
        break;
      case BOOL:
        packBits(in, count, dst, dstIndex);
        break;
      default:
        throw new IllegalArgumentException("dtype " + dtype.torchName() + " needs no conversion");
    }
  }

  /** All 65536 halves decoded once (256 KiB): a table load beats the branches of the decoder. */
  private static final float[] HALVES = new float[1 << 16];

  static {
    for (int h = 0; h < HALVES.length; h++) {
      HALVES[h] = SmallFloats.halfToFloat((short) h);
    }
  }

  private static void halfToFloat(ShortBuffer in, FloatBuffer out, int count) {
    float[] table = HALVES;
    for (int i = 0; i < count; i++) {
      out.put(i, table[in.get(i) & 0xffff]);
    }
  }

  private static void bfloat16ToFloat(ShortBuffer in, FloatBuffer out, int count) {
    for (int i = 0; i < count; i++) {
      out.put(i, Float.intBitsToFloat((in.get(i) & 0xffff) << 16));
    }
  }

  private static void lookup(ByteBuffer in, float[] table, FloatBuffer out, int count) {
    for (int i = 0; i < count; i++) {
      out.put(i, table[in.get(i) & 0xff]);
    }
  }

  private static void unsignedBytes(ByteBuffer in, ShortBuffer out, int count) {
    for (int i = 0; i < count; i++) {
      out.put(i, (short) (in.get(i) & 0xff));
    }
  }

  private static void unsignedShorts(ShortBuffer in, IntBuffer out, int count) {
    for (int i = 0; i < count; i++) {
      out.put(i, in.get(i) & 0xffff);
    }
  }

  private static void unsignedInts(IntBuffer in, LongBuffer out, int count) {
    for (int i = 0; i < count; i++) {
      out.put(i, in.get(i) & 0xffffffffL);
    }
  }

  private static FloatBuffer floats(ArrowBuf dst, int dstIndex, int count) {
    return dst.nioBuffer(4L * dstIndex, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }

  /** torch stores bool as one byte, 0 or 1; Arrow as bits, least significant bit first. */
  private static void packBits(ByteBuffer in, int count, ArrowBuf dst, int dstIndex) {
    if (dstIndex % 8 == 0) {
      long base = dstIndex / 8;
      int full = count / 8;
      for (int b = 0; b < full; b++) {
        int v = 0;
        int o = b * 8;
        for (int j = 0; j < 8; j++) {
          if (in.get(o + j) != 0) {
            v |= 1 << j;
          }
        }
        dst.setByte(base + b, v);
      }
      for (int i = full * 8; i < count; i++) {
        setBit(dst, dstIndex + i, in.get(i) != 0);
      }
    } else {
      for (int i = 0; i < count; i++) {
        setBit(dst, dstIndex + i, in.get(i) != 0);
      }
    }
  }

  private static void setBit(ArrowBuf dst, int index, boolean value) {
    long byteIndex = index >>> 3;
    int mask = 1 << (index & 7);
    int cur = dst.getByte(byteIndex);
    dst.setByte(byteIndex, value ? (cur | mask) : (cur & ~mask));
  }
}
