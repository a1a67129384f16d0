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
 *       read straight into the caller's buffer, no intermediate copy. Reads of at most 64 KiB are
 *       served from a 1 MiB read-ahead window instead, so many small neighbouring tensors cost one
 *       file read per window.</li>
 *   <li>The storage is cached (see below): one copy from the cache.</li>
 *   <li>Otherwise (transpose, slices, stride-0 expand, Fortran order): the storage bytes the rows
 *       touch are read into a span buffer and gathered with an odometer over the outer dims that
 *       copies runs of contiguous innermost elements. A span larger than {@link #SPAN_BYTES} is
 *       halved along its widest-strided dim, recursively, so a huge storage is read in pieces of at
 *       most {@code SPAN_BYTES}, never whole. Reading a few rows of a huge transposed tensor still
 *       reads every storage byte those rows touch, which for a transpose is the whole storage.</li>
 * </ul>
 * Big-endian storages are then swapped in place in the caller's buffer, per scalar component
 * (each half of a complex element on its own), and torch's lazy conj/neg bits are resolved there
 * ({@link ConjNegBits}): every path above ends in the caller's buffer, so all of them return values.
 *
 * <p>Cache: a storage of at most {@link #CACHE_BYTES} bytes is kept in memory once read when it is
 * viewed by several tensors of the file, or read through a non-contiguous view, so views sharing one
 * storage read it from the file once. Least recently used storages are dropped to keep the total
 * under {@link #CACHE_BYTES}. Memory held beyond the caller's buffer is therefore at most
 * {@code CACHE_BYTES + SPAN_BYTES + READ_AHEAD}.
 */
final class StridedReader {

  /** Per-file cache of whole storages, in bytes. */
  static final long CACHE_BYTES = 64L << 20;
  /** Largest span of storage bytes read at once for a non-contiguous gather. */
  static final long SPAN_BYTES = 64L << 20;
  /** Reads up to this size go through the read-ahead window. */
  static final int SMALL_READ = 64 << 10;
  /** Size of the read-ahead window for small reads. */
  static final int READ_AHEAD = 1 << 20;

  private final RandomAccessInput in;
  private final Set<StorageRef> shared;
  private final long cacheBytes;
  private final long spanBytes;
  private final LinkedHashMap<StorageRef, ByteBuffer> cache = new LinkedHashMap<>(16, 0.75f, true);
  private long cachedBytes;
  private ByteBuffer ahead;
  private long aheadStart;

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
    if (dst.isReadOnly()) {
      throw new TensorFormatException(Reason.BAD_REQUEST, file, "tensor " + t.key() + ": the buffer is read-only");
    }
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
    ByteBuffer cached = cached(ref, StridedGather.isContiguous(shape, strides));
    long[] outStrides = StridedGather.cOrderStrides(shape);
    if (cached != null) {
      StridedGather.gather(cached, 0, start, shape, strides, outStrides, item, dst, out);
    } else if (StridedGather.isContiguous(shape, strides)) {
      ByteBuffer slice = dst.duplicate();
      slice.limit(out + (int) needed);
      readDirect(ref.dataOffset() + start * item, slice);
    } else {
      gatherFromFile(ref, start, shape, strides, outStrides, item, dst, out);
    }
    if (t.byteOrder() == ByteOrder.BIG_ENDIAN) {
      StridedGather.swap(dst, out, (int) needed, t.dtype().componentSize());
    }
    // On the caller's bytes, never on the cache: views of one storage may differ in their bits.
    t.conjNeg().apply(t.dtype(), dst, out, (int) needed);
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
    if (StridedGather.isContiguous(shape, strides) && StridedGather.isContiguous(shape, outStrides)) {
      long count = last - start + 1;
      ByteBuffer slice = dst.duplicate();
      slice.position((int) out).limit((int) (out + count * item));
      readDirect(ref.dataOffset() + start * item, slice);
    } else if (span <= spanBytes || widest < 0) {
      ByteBuffer buf = Bytes.read(in, ref.dataOffset() + start * item, span);
      StridedGather.gather(buf, start, start, shape, strides, outStrides, item, dst, out);
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
   * Reads file bytes into {@code slice}: one positioned read straight into it, except for reads of
   * at most {@link #SMALL_READ} bytes, which are served from a {@link #READ_AHEAD} window read at
   * their offset. A state dict of thousands of small tensors, stored side by side, then costs one
   * read per megabyte instead of one per tensor, which matters on HDFS and object stores.
   */
  private void readDirect(long pos, ByteBuffer slice) throws IOException {
    int n = slice.remaining();
    if (n > SMALL_READ) {
      in.readFully(pos, slice);
      return;
    }
    if (ahead == null || pos < aheadStart || pos + n > aheadStart + ahead.limit()) {
      long len = Math.max(n, Math.min(READ_AHEAD, in.length() - pos));
      ahead = Bytes.read(in, pos, len);
      aheadStart = pos;
    }
    slice.put(ahead.duplicate().position((int) (pos - aheadStart)).limit((int) (pos - aheadStart) + n));
  }

  void clear() {
    cache.clear();
    cachedBytes = 0;
    ahead = null;
  }
}
