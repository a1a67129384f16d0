package io.torchtensor.python;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Writes one partition's rows straight into the result: one file per column holding the values of
 * all rows of the DataFrame back to back (C order), this partition's rows at
 * {@code firstRow * rowBytes}. Python maps each file as the (N, *row_shape) array, so the values are
 * copied exactly once on their way from the connector's Arrow buffer to the NumPy array.
 *
 * <p>A batch qualifies when every selected column is a fixed-width vector, or a list of one whose
 * offsets are {@code i * valuesPerRow} (every row the same length, which tensor rows are), and has no
 * nulls; booleans are unpacked from Arrow's bits to one byte each. Anything else makes {@link #write} return false: the caller then uses the IPC path. The
 * writer never writes past its partition's row range, so a partition that turns out to hold more
 * rows than were counted cannot touch its neighbour's rows.
 *
 * <p>Positional writes ({@code FileChannel.write(buffer, position)}, pwrite) let the tasks of all
 * partitions write into the same files at once without sharing a file position.
 */
final class ColumnFileWriter implements AutoCloseable {
  private final FileChannel[] channels;
  private final int[] ordinals;
  private final long[] rowBytes;
  private final long firstRow;
  private final long rowLimit;
  private final boolean cut;
  private long rows;

  /**
   * @param paths one file per output column (already created by the driver)
   * @param rowBytes bytes of one row of each column
   * @param firstRow the partition's first row in the result
   * @param rowLimit rows this partition may write
   * @param cut whether a limit ends inside this partition (it holds more than {@code rowLimit}
   *     rows): then the batch that passes the range writes its first rows only
   */
  ColumnFileWriter(String[] paths, int[] ordinals, long[] rowBytes, long firstRow, long rowLimit, boolean cut)
      throws IOException {
    this.channels = new FileChannel[paths.length];
    this.ordinals = ordinals.clone();
    this.rowBytes = rowBytes.clone();
    this.firstRow = firstRow;
    this.rowLimit = rowLimit;
    this.cut = cut;
    try {
      for (int i = 0; i < paths.length; i++) {
        channels[i] = FileChannel.open(Paths.get(paths[i]), StandardOpenOption.WRITE);
      }
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  /** Writes the batch's rows after the rows written so far; false (nothing written) when the batch
   *  does not qualify or would pass the partition's row range (unless the partition is cut). */
  boolean write(ColumnarBatch batch) throws IOException {
    int n = batch.numRows();
    long take = n;
    if (Math.addExact(rows, n) > rowLimit) {
      if (!cut) {
        return false;
      }
      take = rowLimit - rows;
    }
    ByteBuffer[] values = new ByteBuffer[ordinals.length];
    for (int i = 0; i < ordinals.length; i++) {
      values[i] = values(batch.column(ordinals[i]), n, rowBytes[i]);
      if (values[i] == null) {
        return false;
      }
      values[i].limit(values[i].position() + (int) Math.multiplyExact(take, rowBytes[i]));
    }
    for (int i = 0; i < ordinals.length; i++) {
      long pos = Math.multiplyExact(Math.addExact(firstRow, rows), rowBytes[i]);
      ByteBuffer b = values[i];
      while (b.hasRemaining()) {
        pos += channels[i].write(b, pos);
      }
    }
    rows += take;
    return true;
  }

  /** The n rows' values of a column as a view of its Arrow data buffer, or null if not writable as is. */
  private static ByteBuffer values(ColumnVector column, int n, long rowBytes) {
    if (!(column instanceof ArrowColumnVector acv)) {
      return null;
    }
    ValueVector v = acv.getValueVector();
    if (v.getValueCount() != n || v.getNullCount() != 0) {
      return null;
    }
    if (v instanceof ListVector list) {
      FieldVector child = list.getDataVector();
      if (!(child instanceof BaseFixedWidthVector fw) || fw.getNullCount() != 0) {
        return null;
      }
      int width = child instanceof BitVector ? 1 : fw.getTypeWidth();
      if (rowBytes % width != 0) {
        return null;
      }
      long perRow = rowBytes / width;
      ArrowBuf offsets = list.getOffsetBuffer();
      long start = n == 0 ? 0 : offsets.getInt(0);
      for (int r = 0; r <= n; r++) { // rows of equal length: the values are one C-order block
        if (offsets.getInt((long) r * ListVector.OFFSET_WIDTH) != start + r * perRow) {
          return null;
        }
      }
      if (child instanceof BitVector bits) {
        return bytesOfBits(bits, start, Math.multiplyExact((long) n, rowBytes));
      }
      return slice(fw.getDataBuffer(), start * width, Math.multiplyExact((long) n, rowBytes));
    }
    if (v instanceof BitVector bits && rowBytes == 1) {
      return bytesOfBits(bits, 0, n);
    }
    if (v instanceof BaseFixedWidthVector fw && !(v instanceof BitVector) && fw.getTypeWidth() == rowBytes) {
      return slice(fw.getDataBuffer(), 0, Math.multiplyExact((long) n, rowBytes));
    }
    return null;
  }

  /** Arrow packs booleans as bits; NumPy's bool is one byte (0 or 1) per value. */
  private static ByteBuffer bytesOfBits(BitVector bits, long start, long count) {
    if (count > Integer.MAX_VALUE || Math.addExact(start, count) > bits.getValueCapacity()) {
      return null;
    }
    ByteBuffer out = ByteBuffer.allocate((int) count);
    for (int i = 0; i < count; i++) {
      out.put(i, (byte) bits.get((int) (start + i)));
    }
    return out;
  }

  private static ByteBuffer slice(ArrowBuf buf, long offset, long length) {
    if (length == 0) {
      return ByteBuffer.allocate(0);
    }
    if (length > Integer.MAX_VALUE || Math.addExact(offset, length) > buf.capacity()) {
      return null;
    }
    return buf.nioBuffer(offset, (int) length);
  }

  long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (FileChannel ch : channels) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
