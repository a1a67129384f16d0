package io.torchtensor.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The rows each input partition of a torchtensor scan yields, known on the driver before any task
 * runs, so that a consumer can place every partition's rows without a counting job.
 *
 * <p>Schema inference reads every file's header and keeps each file's row count N (of the tensors
 * the {@code keys} option selects); a partition's slices read rows
 * {@code [firstRow(N), endRow(N))} of their files ({@link FileSlice}); a pushed limit stops every
 * partition after that many rows ({@link TorchTensorPartitionReader}). The answer is unknown (null)
 * when rows can differ from the headers read at planning:
 * <ul>
 *   <li>{@code mode=DROPMALFORMED}, {@code ignoreCorruptFiles} or {@code ignoreMissingFiles}: a file
 *       that fails while read is skipped, its rows dropped, and inference may have skipped it too;
 *   <li>a user schema: it names the tensors that make up the rows, which inference did not read;
 *   <li>the {@code tensors} layout: its rows are tensors, which inference does not count;
 *   <li>a partition or file this scan did not plan.
 * </ul>
 * The counts are those of the headers read at load time: a file rewritten since then yields other
 * rows, so a consumer must still check the rows it is given.
 */
public final class PlannedRows {

  private PlannedRows() {
  }

  /**
   * Rows of each of {@code partitions}, in their order, as {@code scan} reads them; null when not
   * known ahead (see the class comment) or when {@code scan} is not a torchtensor scan.
   *
   * @param scan       the scan of a {@code BatchScanExec}
   * @param partitions that scan's input partitions, as planned by its batch
   */
  public static long[] perPartition(Scan scan, List<InputPartition> partitions) {
    List<List<Slice>> slices = perSlice(scan, partitions, new String[0]);
    if (slices == null) {
      return null;
    }
    long limit = ((TorchTensorScan) scan).spec().limit();
    long[] out = new long[slices.size()];
    for (int p = 0; p < out.length; p++) {
      long rows = 0;
      for (Slice slice : slices.get(p)) {
        rows = Math.addExact(rows, slice.rows());
      }
      out[p] = limit < 0 ? rows : Math.min(rows, limit);
    }
    return out;
  }

  /**
   * One file slice of a partition as planned: the rows it reads (before any limit) and its values
   * of the partition columns asked for (Spark internal values: {@code UTF8String}, days as
   * {@code Integer}, microseconds as {@code Long}, {@code Decimal}, ...; null for a null value).
   */
  public record Slice(long rows, Object[] partitionValues) {
  }

  /**
   * The slices of each of {@code partitions}, in read order, with their values of the partition
   * columns {@code columns} (constant over a file); null when the rows are not known ahead (see the
   * class comment) or a name is not a partition column of the scan.
   */
  public static List<List<Slice>> perSlice(Scan scan, List<InputPartition> partitions, String[] columns) {
    if (!(scan instanceof TorchTensorScan s)) {
      return null;
    }
    ReadSpec spec = s.spec();
    Map<String, Long> counts = s.table().rowCounts();
    if (counts == null || spec.tensorsLayout() || !spec.failFast() || spec.ignoreCorruptFiles()
        || spec.ignoreMissingFiles()) {
      return null;
    }
    int[] index = new int[columns.length];
    if (columns.length > 0) {
      List<String> names = Arrays.asList(
          ((StructType) DataType.fromJson(spec.partitionSchemaJson())).fieldNames());
      for (int c = 0; c < columns.length; c++) {
        index[c] = names.indexOf(columns[c]);
        if (index[c] < 0) {
          return null;
        }
      }
    }
    List<List<Slice>> out = new ArrayList<>(partitions.size());
    for (InputPartition partition : partitions) {
      if (!(partition instanceof TorchTensorInputPartition part)) {
        return null;
      }
      List<Slice> slices = new ArrayList<>(part.slices().length);
      for (FileSlice slice : part.slices()) {
        Long n = counts.get(slice.path());
        if (n == null || n < 0) {
          return null;
        }
        Object[] values = new Object[columns.length];
        for (int c = 0; c < columns.length; c++) {
          Object[] all = slice.partitionValues();
          if (all == null || index[c] >= all.length) {
            return null;
          }
          values[c] = all[index[c]];
        }
        slices.add(new Slice(slice.endRow(n) - slice.firstRow(n), values));
      }
      out.add(slices);
    }
    return out;
  }
}
