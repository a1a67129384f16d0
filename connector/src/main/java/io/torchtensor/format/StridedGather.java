package io.torchtensor.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * In-memory copies of strided views into C order, and byte swapping: the pure part of
 * {@link StridedReader}, which decides what to read from the file. Callers have checked every extent,
 * so the arithmetic here cannot overflow and every index fits the buffers.
 */
final class StridedGather {

  /** Edge of the blocks a transpose-like gather copies at once (32 x 32 floats touch 4 KiB of lines). */
  static final int TILE = 32;

  private StridedGather() {
  }

  /**
   * Copies a view of {@code shape} elements starting at storage element {@code start} from
   * {@code src}, whose byte 0 is storage element {@code base}, into {@code dst} at byte {@code out},
   * placing element {@code idx} at {@code out + item * sum(idx_i * outStrides_i)}. The innermost dims
   * that are contiguous in both source and output form one run, copied at once; the next dim is a
   * tight loop, and an odometer walks the dims outside it.
   */
  static void gather(ByteBuffer src, long base, long start, long[] shape, long[] strides, long[] outStrides,
      int item, ByteBuffer dst, long out) {
    int n = shape.length;
    long runElems = 1;
    int k = n;
    while (k > 0 && (shape[k - 1] == 1 || (strides[k - 1] == runElems && outStrides[k - 1] == runElems))) {
      runElems *= shape[k - 1];
      k--;
    }
    int runBytes = (int) (runElems * item);
    ByteBuffer s = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer d = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long srcStart = (start - base) * item;
    if (k == 0) {
      d.put((int) out, s, (int) srcStart, runBytes);
      return;
    }
    int inner = k - 1;
    long srcStep = strides[inner] * item;
    long outStep = outStrides[inner] * item;
    // Transpose-like views (the innermost output dim jumps far in the source while the dim outside
    // it is denser there) are copied in TILE x TILE blocks, so the source lines a block touches stay
    // in cache while they are used; element by element along the output they would be evicted
    // before the next output row comes back to them.
    boolean tiled = inner >= 1 && srcStep > 64 && strides[inner - 1] * item < srcStep
        && shape[inner] > 1 && shape[inner - 1] > 1;
    int odometerDims = tiled ? inner - 1 : inner;
    long[] idx = new long[odometerDims];
    long outerCount = 1;
    for (int i = 0; i < odometerDims; i++) {
      outerCount *= shape[i];
    }
    long srcRow = srcStart;
    long outRow = out;
    for (long outer = 0; outer < outerCount; outer++) {
      if (tiled) {
        long rowsA = shape[inner - 1];
        long srcA = strides[inner - 1] * item;
        long outA = outStrides[inner - 1] * item;
        for (long i0 = 0; i0 < rowsA; i0 += TILE) {
          long i1 = Math.min(rowsA, i0 + TILE);
          for (long j0 = 0; j0 < shape[inner]; j0 += TILE) {
            long cols = Math.min(shape[inner], j0 + TILE) - j0;
            for (long i = i0; i < i1; i++) {
              copyRow(s, d, srcRow + i * srcA + j0 * srcStep, outRow + i * outA + j0 * outStep, cols, srcStep,
                  outStep, runBytes);
            }
          }
        }
      } else {
        copyRow(s, d, srcRow, outRow, shape[inner], srcStep, outStep, runBytes);
      }
      // Odometer over the dims outside the copied block: bump the last, carry into the ones before it.
      for (int i = odometerDims - 1; i >= 0; i--) {
        idx[i]++;
        srcRow += strides[i] * item;
        outRow += outStrides[i] * item;
        if (idx[i] < shape[i]) {
          break;
        }
        srcRow -= idx[i] * strides[i] * item;
        outRow -= idx[i] * outStrides[i] * item;
        idx[i] = 0;
      }
    }
  }

  /** Copies {@code count} runs of {@code runBytes}, stepping {@code srcStep} and {@code outStep} bytes. */
  private static void copyRow(ByteBuffer s, ByteBuffer d, long p, long o, long count, long srcStep, long outStep,
      int runBytes) {
    switch (runBytes) {
      case 1:
        for (long j = 0; j < count; j++, p += srcStep, o += outStep) {
          d.put((int) o, s.get((int) p));
        }
        break;
      case 2:
        for (long j = 0; j < count; j++, p += srcStep, o += outStep) {
          d.putShort((int) o, s.getShort((int) p));
        }
        break;
      case 4:
        for (long j = 0; j < count; j++, p += srcStep, o += outStep) {
          d.putInt((int) o, s.getInt((int) p));
        }
        break;
      case 8:
        for (long j = 0; j < count; j++, p += srcStep, o += outStep) {
          d.putLong((int) o, s.getLong((int) p));
        }
        break;
      default:
        for (long j = 0; j < count; j++, p += srcStep, o += outStep) {
          d.put((int) o, s, (int) p, runBytes);
        }
    }
  }

  /** Element strides of a C-order array of this shape. */
  static long[] cOrderStrides(long[] shape) {
    long[] out = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      out[i] = s;
      s *= shape[i];
    }
    return out;
  }

  /** True when the elements are laid out in C order without gaps (size-1 dims ignore their stride). */
  static boolean isContiguous(long[] shape, long[] strides) {
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && strides[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  /** Reverses the bytes of each {@code size}-byte component in {@code [at, at + len)}. */
  static void swap(ByteBuffer buf, int at, int len, int size) {
    ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    switch (size) {
      case 2:
        for (int i = at; i < at + len; i += 2) {
          b.putShort(i, Short.reverseBytes(b.getShort(i)));
        }
        break;
      case 4:
        for (int i = at; i < at + len; i += 4) {
          b.putInt(i, Integer.reverseBytes(b.getInt(i)));
        }
        break;
      case 8:
        for (int i = at; i < at + len; i += 8) {
          b.putLong(i, Long.reverseBytes(b.getLong(i)));
        }
        break;
      default:
        // 1-byte types have no byte order.
    }
  }

}
