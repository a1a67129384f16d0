package io.torchtensor.source;

import org.apache.arrow.vector.ValueVector;
import org.apache.spark.sql.vectorized.ArrowColumnVector;

/**
 * Spark's view of an Arrow vector that the reader refills batch after batch and frees itself.
 *
 * <p>Spark 4 frees each consumed batch with {@code ColumnarBatch.closeIfFreeable()}, which closes
 * every column vector that is not a {@code WritableColumnVector} (see
 * {@code ColumnVector.closeIfFreeable} and {@code ColumnarToRowExec}). The reader's vectors are
 * reused for the next batch and owned by its writers, so both close calls are no-ops here: the
 * memory goes back to the reader's allocator when the partition reader closes.
 */
final class ReusedArrowColumnVector extends ArrowColumnVector {

  ReusedArrowColumnVector(ValueVector vector) {
    super(vector);
  }

  @Override
  public void closeIfFreeable() {
  }

  @Override
  public void close() {
  }
}
