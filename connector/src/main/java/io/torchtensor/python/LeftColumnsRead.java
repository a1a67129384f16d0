package io.torchtensor.python;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.torchtensor.source.DirectRowCopy;

import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Reads the columns of a partition that {@link DirectRowCopy} did not copy (widened dtypes, partition
 * columns, conj/neg views) through the connector's partition reader over those columns only, and
 * writes them into their column files at the same rows the copy wrote the others
 * ({@link ColumnFileWriter}). The plain columns are thus read once, file to file, and only the
 * others go through Arrow batches.
 *
 * <p>Both halves read the same slices, so they must agree on the partition's rows: the copy has
 * checked its count against the planned rows, and a reader that ends early or holds more rows than
 * planned means the files changed between the two reads. That fails the task rather than leave rows
 * of one column out of step with the others. A batch that cannot be written as is (a null partition
 * value) answers {@link Result#written()} false, and the caller uses the IPC path.
 */
final class LeftColumnsRead {
  /** What was read: whether every batch could be written, and the reader's task metrics. */
  record Result(boolean written, CustomTaskMetric[] metrics) {
  }

  private LeftColumnsRead() {}

  /**
   * Reads partition {@code index}'s columns not marked in {@code copied} into their files.
   *
   * @param ordinals for each output column, its index in the scan's read schema
   * @param want the rows the partition writes
   * @param cut whether a limit ends inside the partition (it holds more than {@code want} rows)
   */
  static Result read(DirectRowCopy direct, int index, boolean[] copied, int[] ordinals, long[] rowBytes,
      String[] paths, long firstRow, long want, boolean cut) throws IOException {
    // The reader's columns: each scan column once, in the order the output first names it.
    List<Integer> scanColumns = new ArrayList<>();
    List<Integer> outputs = new ArrayList<>();
    for (int i = 0; i < ordinals.length; i++) {
      if (!copied[i]) {
        outputs.add(i);
        if (!scanColumns.contains(ordinals[i])) {
          scanColumns.add(ordinals[i]);
        }
      }
    }
    int[] readOrdinals = scanColumns.stream().mapToInt(Integer::intValue).toArray();
    int[] batchOrdinals = new int[outputs.size()];
    long[] leftBytes = new long[outputs.size()];
    String[] leftPaths = new String[outputs.size()];
    for (int j = 0; j < batchOrdinals.length; j++) {
      int i = outputs.get(j);
      batchOrdinals[j] = scanColumns.indexOf(ordinals[i]);
      leftBytes[j] = rowBytes[i];
      leftPaths[j] = paths[i];
    }
    PartitionReader<ColumnarBatch> reader = direct.reader(index, readOrdinals);
    try (ColumnFileWriter w = new ColumnFileWriter(leftPaths, batchOrdinals, leftBytes, firstRow, want, cut)) {
      long read = 0;
      while (w.rows() < want && reader.next()) {
        ColumnarBatch b = reader.get();
        read = Math.addExact(read, b.numRows());
        if (read > want && !cut) {
          break; // more rows than the copy found: a disagreement, not a batch to write
        }
        if (!w.write(b)) {
          return new Result(false, reader.currentMetricsValues());
        }
      }
      // A partition cut by the limit has rows left; any other must have none.
      while (!cut && reader.next()) {
        read = Math.addExact(read, reader.get().numRows());
      }
      if (w.rows() != want || (!cut && read != want)) {
        throw new IllegalStateException(String.format(java.util.Locale.ROOT,
            "partition %d: %d rows copied file to file, but the reader of its other columns read %d"
                + " (a file changed while it was read)", index, want, read));
      }
      return new Result(true, reader.currentMetricsValues());
    } finally {
      reader.close();
    }
  }
}
