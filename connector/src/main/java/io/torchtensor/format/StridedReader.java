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
 *       copies runs of contiguous innermost elements. A span larger than {@link #SPAN_BYTES} is split
 *       along the outermost dim, recursively, down to single contiguous runs read straight into the
 *       caller's buffer; a huge storage is never read whole.</li>
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
    if (cached != null) {
      gather(cached, 0, start, shape, strides, 0, item, dst, out);
    } else if (isContiguous(shape, strides)) {
      ByteBuffer slice = dst.duplicate();
      slice.limit(out + (int) needed);
      in.readFully(ref.dataOffset() + start * item, slice);
    } else {
      gatherFromFile(ref, start, shape, strides, 0, item, dst, out);
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
   * Gathers dims {@code from..} of a view starting at storage element {@code start} from the file:
   * in one span read when the span is small enough, as one direct read when those dims are
   * contiguous, else split along dim {@code from}.
   */
  private void gatherFromFile(StorageRef ref, long start, long[] shape, long[] strides, int from, int item,
      ByteBuffer dst, int out) throws IOException {
    long last = start;
    long count = 1;
    for (int i = from; i < shape.length; i++) {
      last += (shape[i] - 1) * strides[i]; // bounded by the extent checked in readRows
      count *= shape[i];
    }
    long span = (last - start + 1) * item;
    if (isContiguous(shape, strides, from)) {
      ByteBuffer slice = dst.duplicate();
      slice.position(out).limit(out + (int) (count * item));
      in.readFully(ref.dataOffset() + start * item, slice);
    } else if (span <= spanBytes) {
      ByteBuffer buf = Bytes.read(in, ref.dataOffset() + start * item, span);
      gather(buf, start, start, shape, strides, from, item, dst, out);
    } else {
      long block = count / shape[from] * item;
      for (long i = 0; i < shape[from]; i++) {
        gatherFromFile(ref, start + i * strides[from], shape, strides, from + 1, item, dst, (int) (out + i * block));
      }
    }
  }

  /**
   * Copies dims {@code from..} of a view starting at storage element {@code start} from
   * {@code src}, whose byte 0 is storage element {@code base}, into {@code dst} at {@code out} in C
   * order. The innermost dims that are contiguous among themselves form one run, copied at once; an
   * odometer walks the dims outside it.
   */
  static void gather(ByteBuffer src, long base, long start, long[] shape, long[] strides, int from, int item,
      ByteBuffer dst, int out) {
    int n = shape.length;
    long runElems = 1;
    int k = n;
    while (k > from && (shape[k - 1] == 1 || strides[k - 1] == runElems)) {
      runElems *= shape[k - 1];
      k--;
    }
    int runBytes = (int) (runElems * item);
    ByteBuffer s = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer d = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (k == from) {
      d.put(out, s, (int) ((start - base) * item), runBytes);
      return;
    }
    int inner = k - 1;
    long innerCount = shape[inner];
    long innerStep = strides[inner] * item;
    long[] idx = new long[inner];
    long outerCount = 1;
    for (int i = from; i < inner; i++) {
      outerCount *= shape[i];
    }
    long rowStart = (start - base) * item;
    int o = out;
    for (long outer = 0; outer < outerCount; outer++) {
      long p = rowStart;
      switch (runBytes) {
        case 1:
          for (long j = 0; j < innerCount; j++, p += innerStep) {
            d.put(o++, s.get((int) p));
          }
          break;
        case 2:
          for (long j = 0; j < innerCount; j++, p += innerStep, o += 2) {
            d.putShort(o, s.getShort((int) p));
          }
          break;
        case 4:
          for (long j = 0; j < innerCount; j++, p += innerStep, o += 4) {
            d.putInt(o, s.getInt((int) p));
          }
          break;
        case 8:
          for (long j = 0; j < innerCount; j++, p += innerStep, o += 8) {
            d.putLong(o, s.getLong((int) p));
          }
          break;
        default:
          for (long j = 0; j < innerCount; j++, p += innerStep, o += runBytes) {
            d.put(o, s, (int) p, runBytes);
          }
      }
      // Odometer over dims from..inner-1: bump the last, carry into the ones before it.
      for (int i = inner - 1; i >= from; i--) {
        idx[i]++;
        rowStart += strides[i] * item;
        if (idx[i] < shape[i]) {
          break;
        }
        rowStart -= idx[i] * strides[i] * item;
        idx[i] = 0;
      }
    }
  }

  /** True when dims {@code from..} are laid out in C order without gaps (size-1 dims ignore their stride). */
  static boolean isContiguous(long[] shape, long[] strides, int from) {
    long expected = 1;
    for (int i = shape.length - 1; i >= from; i--) {
      if (shape[i] != 1 && strides[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  static boolean isContiguous(long[] shape, long[] strides) {
    return isContiguous(shape, strides, 0);
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
