package io.torchtensor.arrow;

import io.torchtensor.format.DType;
import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Fills one {@code rows}-layout column, batch after batch, from a row range of a tensor.
 *
 * <p>Lifecycle (as Arrow's own vectors): construct (allocates for {@code capacityRows} rows) →
 * {@link #fill} or {@link #fillNulls} → hand {@link #vector()} to the consumer → next fill reuses the
 * same buffers → {@link #close}. Memory is bounded by one batch.
 *
 * <p>Two paths. Direct dtypes ({@link ElementType#isDirect}) are read by one
 * {@link TensorFile#readRows} straight into the Arrow data buffer's NIO view: no per-value Java work.
 * Other dtypes are read the same way into a reused scratch buffer (allocated from the same
 * allocator) and widened in one loop ({@link Widening}). A list column's offsets are {@code i * perRow}
 * (one int per row); validity is all set.
 */
public final class RowsColumnWriter implements AutoCloseable {

  private final Field field;
  private final DType dtype;
  private final long[] rowShape;
  private final int capacityRows;
  private final int valuesPerRow;
  private final boolean list;
  private final BufferAllocator allocator;
  private final FieldVector vector;
  private final FieldVector values;
  private ArrowBuf scratch;

  public RowsColumnWriter(Field field, DType dtype, long[] rowShape, int capacityRows, BufferAllocator allocator) {
    if (capacityRows < 1) {
      throw new IllegalArgumentException("capacityRows must be at least 1, got " + capacityRows);
    }
    this.field = field;
    this.dtype = dtype;
    this.rowShape = rowShape.clone();
    this.capacityRows = capacityRows;
    this.allocator = allocator;
    this.list = TensorFields.isList(dtype, rowShape);
    long perRow = TensorFields.valuesPerRow(dtype, rowShape);
    long total = Math.multiplyExact(perRow, (long) capacityRows);
    long elementWidth = Math.max(1, ElementType.of(dtype).width());
    // Arrow list offsets are int32, and NIO views are int-sized: a batch must stay under 2 GiB.
    if (Math.multiplyExact(total, elementWidth) > Integer.MAX_VALUE - 64
        || Math.multiplyExact(Math.multiplyExact((long) capacityRows, perRow / ElementType.valuesPerElement(dtype)),
            (long) dtype.itemSize()) > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("a batch of " + capacityRows + " rows of " + perRow
          + " values exceeds 2 GiB; lower batchRows or batchBytes");
    }
    this.valuesPerRow = (int) perRow;
    FieldVector v = field.createVector(allocator);
    try {
      if (list) {
        ListVector lv = (ListVector) v;
        lv.setInitialCapacity(capacityRows);
        lv.allocateNew();
        ((BaseFixedWidthVector) lv.getDataVector()).allocateNew((int) Math.max(1, total));
        this.values = lv.getDataVector();
      } else {
        ((BaseFixedWidthVector) v).allocateNew(capacityRows);
        this.values = v;
      }
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
    this.vector = v;
  }

  /** The filled vector; valid until the next fill or close. */
  public FieldVector vector() {
    return vector;
  }

  public Field field() {
    return field;
  }

  public int capacityRows() {
    return capacityRows;
  }

  /**
   * Fills rows {@code [firstRow, firstRow + rows)} of {@code t}: one read of {@code rows * rowBytes}
   * bytes. {@code t} must have this column's dtype and per-row shape.
   */
  public void fill(TensorFile file, TensorInfo t, long firstRow, int rows) throws IOException {
    checkRows(rows);
    long[] shape = t.shape();
    if (t.dtype() != dtype || shape.length != rowShape.length + 1
        || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), rowShape)) {
      throw new IllegalArgumentException("tensor " + t.key() + " is " + t.dtype().torchName() + Arrays.toString(shape)
          + ", column " + field.getName() + " holds " + dtype.torchName() + " rows of " + Arrays.toString(rowShape));
    }
    if (firstRow < 0 || Math.addExact(firstRow, rows) > shape[0]) {
      throw new IllegalArgumentException("rows [" + firstRow + ", " + (firstRow + rows) + ") outside tensor "
          + t.key() + " of " + shape[0] + " rows");
    }
    int count = rows * valuesPerRow;
    int bytes = Math.toIntExact(Math.multiplyExact((long) rows, t.rowBytes()));
    if (bytes > 0) {
      if (ElementType.isDirect(dtype)) {
        ByteBuffer dst = values.getDataBuffer().nioBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
        file.readRows(t, firstRow, rows, dst);
        checkFilled(dst, t);
      } else {
        ByteBuffer dst = scratch(bytes);
        file.readRows(t, firstRow, rows, dst);
        checkFilled(dst, t);
        Widening.convert(dtype, dst, count, values.getDataBuffer(), 0);
      }
    }
    setAllValid(values, count);
    values.setValueCount(count);
    if (list) {
      ListVector lv = (ListVector) vector;
      ArrowBuf offsets = lv.getOffsetBuffer();
      for (int i = 0; i <= rows; i++) {
        offsets.setInt((long) i * ListVector.OFFSET_WIDTH, i * valuesPerRow);
      }
      setAllValid(lv, rows);
      lv.setLastSet(rows - 1);
      lv.setValueCount(rows);
    }
  }

  /** Fills {@code rows} null rows: the column is absent from the current file. */
  public void fillNulls(int rows) {
    checkRows(rows);
    vector.getValidityBuffer().setZero(0, (rows + 7) / 8);
    if (list) {
      ListVector lv = (ListVector) vector;
      lv.getOffsetBuffer().setZero(0, (long) (rows + 1) * ListVector.OFFSET_WIDTH);
      lv.setLastSet(rows - 1);
      lv.setValueCount(rows);
    } else {
      vector.setValueCount(rows);
    }
  }

  private void checkRows(int rows) {
    if (rows < 0 || rows > capacityRows) {
      throw new IllegalArgumentException("batch of " + rows + " rows, capacity " + capacityRows);
    }
  }

  private static void checkFilled(ByteBuffer dst, TensorInfo t) {
    if (dst.hasRemaining()) {
      throw new IllegalStateException("read of tensor " + t.key() + " left " + dst.remaining() + " bytes unfilled");
    }
  }

  private static void setAllValid(FieldVector v, int count) {
    if (count > 0) {
      v.getValidityBuffer().setOne(0L, (long) (count + 7) / 8);
    }
  }

  private ByteBuffer scratch(int bytes) {
    if (scratch == null || scratch.capacity() < bytes) {
      if (scratch != null) {
        scratch.close();
        scratch = null;
      }
      scratch = allocator.buffer(bytes);
    }
    return scratch.nioBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() {
    if (scratch != null) {
      scratch.close();
      scratch = null;
    }
    vector.close();
  }
}
