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
    switch (dtype) {
      case FLOAT16: {
        ShortBuffer s = in.asShortBuffer();
        FloatBuffer out = floats(dst, dstIndex, count);
        for (int i = 0; i < count; i++) {
          out.put(i, SmallFloats.halfToFloat(s.get(i)));
        }
        break;
      }
      case BFLOAT16: {
        ShortBuffer s = in.asShortBuffer();
        FloatBuffer out = floats(dst, dstIndex, count);
        for (int i = 0; i < count; i++) {
          out.put(i, Float.intBitsToFloat((s.get(i) & 0xffff) << 16));
        }
        break;
      }
      case FLOAT8_E4M3FN:
      case FLOAT8_E5M2:
      case FLOAT8_E4M3FNUZ:
      case FLOAT8_E5M2FNUZ: {
        float[] table = SmallFloats.float8Table(dtype);
        FloatBuffer out = floats(dst, dstIndex, count);
        for (int i = 0; i < count; i++) {
          out.put(i, table[in.get(i) & 0xff]);
        }
        break;
      }
      case UINT8:
      case QUINT8: {
        ShortBuffer out = dst.nioBuffer(2L * dstIndex, 2 * count).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        for (int i = 0; i < count; i++) {
          out.put(i, (short) (in.get(i) & 0xff));
        }
        break;
      }
      case UINT16: {
        ShortBuffer s = in.asShortBuffer();
        IntBuffer out = dst.nioBuffer(4L * dstIndex, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (int i = 0; i < count; i++) {
          out.put(i, s.get(i) & 0xffff);
        }
        break;
      }
      case UINT32: {
        IntBuffer s = in.asIntBuffer();
        LongBuffer out = dst.nioBuffer(8L * dstIndex, 8 * count).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        for (int i = 0; i < count; i++) {
          out.put(i, s.get(i) & 0xffffffffL);
        }
        break;
      }
      case BOOL:
        packBits(in, count, dst, dstIndex);
        break;
      default:
        throw new IllegalArgumentException("dtype " + dtype.torchName() + " needs no conversion");
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
