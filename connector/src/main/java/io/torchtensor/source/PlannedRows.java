package io.torchtensor.source;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.Scan;

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
    if (!(scan instanceof TorchTensorScan s)) {
      return null;
    }
    ReadSpec spec = s.spec();
    Map<String, Long> counts = s.table().rowCounts();
    if (counts == null || spec.tensorsLayout() || !spec.failFast() || spec.ignoreCorruptFiles()
        || spec.ignoreMissingFiles()) {
      return null;
    }
    long[] out = new long[partitions.size()];
    for (int p = 0; p < out.length; p++) {
      if (!(partitions.get(p) instanceof TorchTensorInputPartition part)) {
        return null;
      }
      long rows = 0;
      for (FileSlice slice : part.slices()) {
        Long n = counts.get(slice.path());
        if (n == null || n < 0) {
          return null;
        }
        rows = Math.addExact(rows, slice.endRow(n) - slice.firstRow(n));
      }
      out[p] = spec.limit() < 0 ? rows : Math.min(rows, spec.limit());
    }
    return out;
  }
}
