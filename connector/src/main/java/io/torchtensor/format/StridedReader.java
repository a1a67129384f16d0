package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads rows of a tensor into C-order little-endian bytes.
 *
 * <p>Which path a read takes:
 * <ul>
 *   <li>The requested rows are contiguous in storage and the storage is not cached: one positioned
 *       read straight into the caller's buffer, no intermediate copy.</li>
 *   <li>The storage is cached (see below): one copy from the cache.</li>
 *   <li>Otherwise (transpose, slices, stride-0 expand, Fortran order): the storage bytes the rows
 *       touch are read into a span buffer and gathered with an odometer over the outer dims that
 *       copies runs of contiguous innermost elements. A span larger than {@link #SPAN_BYTES} is
 *       halved along its widest-strided dim, recursively, so a huge storage is read in pieces of at
 *       most {@code SPAN_BYTES}, never whole. Reading a few rows of a huge transposed tensor still
 *       reads every storage byte those rows touch, which for a transpose is the whole storage.</li>
 * </ul>
 * Big-endian storages are then swapped in place in the caller's buffer, per scalar component
 * (each half of a complex element on its own).
 *
 * <p>Cache: a storage of at most {@link #CACHE_BYTES} bytes is kept in memory once read when it is
 * viewed by several tensors of the file, or read through a non-contiguous view, so views sharing one
 * storage read it from the file once. Least recently used storages are dropped to keep the total
 * under {@link #CACHE_BYTES}. Memory held beyond the caller's buffer is therefore at most
 * {@code CACHE_BYTES + SPAN_BYTES}.
 */
final class StridedReader {

  /** Per-file cache of whole storages, in bytes. */
  static final long CACHE_BYTES = 64L << 20;
  /** Largest span of storage bytes read at once for a non-contiguous gather. */
  static final long SPAN_BYTES = 64L << 20;

  private final RandomAccessInput in;
  private final Set<StorageRef> shared;
  private final long cacheBytes;
  private final long spanBytes;
  private final LinkedHashMap<StorageRef, ByteBuffer> cache = new LinkedHashMap<>(16, 0.75f, true);
  private long cachedBytes;

  /** @param shared storages viewed by more than one tensor of the file */
  StridedReader(RandomAccessInput in, Set<StorageRef> shared) {
    this(in, shared, CACHE_BYTES, SPAN_BYTES);
  }

  /** With other caps, so tests can drive the split and eviction paths with small storages. */
  StridedReader(RandomAccessInput in, Set<StorageRef> shared, long cacheBytes, long spanBytes) {
    this.in = in;
    this.shared = shared;
    this.cacheBytes = cacheBytes;
    this.spanBytes = spanBytes;
  }

  void readRows(TensorInfo t, long firstRow, long rowCount, ByteBuffer dst) throws IOException {
    String file = in.name();
    long rows = t.rank() == 0 ? 1 : t.dim(0);
    if (firstRow < 0 || rowCount < 0 || firstRow > rows - rowCount) {
      throw new TensorFormatException(Reason.BAD_REQUEST, file, "tensor " + t.key() + ": rows [" + firstRow
          + ", " + firstRow + " + " + rowCount + ") outside [0, " + rows + ")");
    }
    long needed = Bytes.mul(rowCount, t.rowBytes(), Reason.BAD_REQUEST, file, "tensor " + t.key() + " rows");
    if (dst.remaining() < needed) {
      throw new TensorFormatException(Reason.BAD_REQUEST, file, "tensor " + t.key() + ": " + rowCount
          + " rows need " + needed + " bytes but the buffer has " + dst.remaining());
    }
    if (needed == 0) {
      return;
    }
    long[] shape = t.shape();
    long[] strides = t.strides();
    long start = t.storageOffset();
    if (shape.length > 0) {
      shape[0] = rowCount;
      start = Bytes.add(start, Bytes.mul(firstRow, strides[0], Reason.BAD_SHAPE, file, t.key()),
          Reason.BAD_SHAPE, file, t.key());
    }
    int item = t.dtype().itemSize();
    StorageRef ref = t.storage();
    long last = start;
    for (int i = 0; i < shape.length; i++) {
      last = Bytes.add(last, Bytes.mul(shape[i] - 1, strides[i], Reason.BAD_SHAPE, file, t.key()),
          Reason.BAD_SHAPE, file, t.key());
    }
    if (last >= ref.byteLength() / item) {
      throw new TensorFormatException(Reason.BAD_SHAPE, file, "tensor " + t.key() + " reaches storage element "
          + last + " but " + ref + " holds " + ref.byteLength() / item + " elements");
    }

    int out = dst.position();
    ByteBuffer cached = cached(ref, isContiguous(shape, strides));
    long[] outStrides = cOrderStrides(shape);
    if (cached != null) {
      gather(cached, 0, start, shape, strides, outStrides, item, dst, out);
    } else if (isContiguous(shape, strides)) {
      ByteBuffer slice = dst.duplicate();
      slice.limit(out + (int) needed);
      in.readFully(ref.dataOffset() + start * item, slice);
    } else {
      gatherFromFile(ref, start, shape, strides, outStrides, item, dst, out);
    }
    if (t.byteOrder() == ByteOrder.BIG_ENDIAN) {
      swap(dst, out, (int) needed, t.dtype().componentSize());
    }
    dst.position(out + (int) needed);
  }

  /**
   * The cached bytes of a storage, loading them when the storage qualifies (small enough, and
   * shared or read through a non-contiguous view); null when it is read from the file directly.
   */
  private ByteBuffer cached(StorageRef ref, boolean contiguous) throws IOException {
    ByteBuffer b = cache.get(ref);
    if (b != null || ref.byteLength() > cacheBytes || (contiguous && !shared.contains(ref))) {
      return b;
    }
    b = Bytes.read(in, ref.dataOffset(), ref.byteLength());
    cachedBytes += ref.byteLength();
    cache.put(ref, b);
    Iterator<Map.Entry<StorageRef, ByteBuffer>> it = cache.entrySet().iterator();
    while (cachedBytes > cacheBytes && it.hasNext()) {
      Map.Entry<StorageRef, ByteBuffer> e = it.next();
      if (e.getKey() != ref) {
        cachedBytes -= e.getKey().byteLength();
        it.remove();
      }
    }
    return b;
  }

  /**
   * Gathers a (sub-)view from the file: {@code shape} elements starting at storage element
   * {@code start}, written to {@code dst} at byte {@code out} with element strides {@code outStrides}.
   * One direct read when the view is contiguous both in storage and in the output; one span read
   * and a gather when its storage span fits {@code spanBytes}; else the dim with the largest stride
   * (the one that spreads the span most) is halved and each half gathered on its own. A transposed
   * storage of any size is thus read in about {@code size / spanBytes} span reads, never whole.
   */
  private void gatherFromFile(StorageRef ref, long start, long[] shape, long[] strides, long[] outStrides,
      int item, ByteBuffer dst, long out) throws IOException {
    long last = start;
    int widest = -1;
    for (int i = 0; i < shape.length; i++) {
      last += (shape[i] - 1) * strides[i]; // bounded by the extent checked in readRows
      if (shape[i] > 1 && (widest < 0 || strides[i] > strides[widest])) {
        widest = i;
      }
    }
    long span = (last - start + 1) * item;
    if (isContiguous(shape, strides) && isContiguous(shape, outStrides)) {
      long count = last - start + 1;
      ByteBuffer slice = dst.duplicate();
      slice.position((int) out).limit((int) (out + count * item));
      in.readFully(ref.dataOffset() + start * item, slice);
    } else if (span <= spanBytes || widest < 0) {
      ByteBuffer buf = Bytes.read(in, ref.dataOffset() + start * item, span);
      gather(buf, start, start, shape, strides, outStrides, item, dst, out);
    } else {
      long half = shape[widest] / 2;
      long[] first = shape.clone();
      first[widest] = half;
      long[] second = shape.clone();
      second[widest] = shape[widest] - half;
      gatherFromFile(ref, start, first, strides, outStrides, item, dst, out);
      gatherFromFile(ref, start + half * strides[widest], second, strides, outStrides, item, dst,
          out + half * outStrides[widest] * item);
    }
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
    long innerCount = shape[inner];
    long srcStep = strides[inner] * item;
    long outStep = outStrides[inner] * item;
    long[] idx = new long[inner];
    long outerCount = 1;
    for (int i = 0; i < inner; i++) {
      outerCount *= shape[i];
    }
    long srcRow = srcStart;
    long outRow = out;
    for (long outer = 0; outer < outerCount; outer++) {
      long p = srcRow;
      long o = outRow;
      switch (runBytes) {
        case 1:
          for (long j = 0; j < innerCount; j++, p += srcStep, o += outStep) {
            d.put((int) o, s.get((int) p));
          }
          break;
        case 2:
          for (long j = 0; j < innerCount; j++, p += srcStep, o += outStep) {
            d.putShort((int) o, s.getShort((int) p));
          }
          break;
        case 4:
          for (long j = 0; j < innerCount; j++, p += srcStep, o += outStep) {
            d.putInt((int) o, s.getInt((int) p));
          }
          break;
        case 8:
          for (long j = 0; j < innerCount; j++, p += srcStep, o += outStep) {
            d.putLong((int) o, s.getLong((int) p));
          }
          break;
        default:
          for (long j = 0; j < innerCount; j++, p += srcStep, o += outStep) {
            d.put((int) o, s, (int) p, runBytes);
          }
      }
      // Odometer over dims 0..inner-1: bump the last, carry into the ones before it.
      for (int i = inner - 1; i >= 0; i--) {
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

  void clear() {
    cache.clear();
    cachedBytes = 0;
  }
}
