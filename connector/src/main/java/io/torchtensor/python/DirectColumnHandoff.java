package io.torchtensor.python;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.torchtensor.source.DirectRowCopy;
import io.torchtensor.source.PlannedRows;
import io.torchtensor.source.TorchTensorMetrics;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.execution.metric.CustomMetrics;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import scala.jdk.javaapi.CollectionConverters;

/**
 * The one-copy hand-off for a local master: every task writes its rows straight into per-column
 * result files at their final place ({@link ColumnFileWriter}); Python maps each file as the array.
 *
 * <p>Every fixed-width column qualifies ({@link FixedWidthColumns}). String, date, timestamp and
 * decimal partition columns get no file:
 * the answer carries their values as runs over the result's rows ({@link PartitionValueRuns}).
 *
 * <p>The place of a partition's rows needs the row counts of the partitions before it, which only
 * the files' headers tell. Schema inference has read them, so the connector knows each planned
 * partition's rows on the driver ({@link PlannedRows}) and one job writes. Where it does not know
 * them (a user schema, DROPMALFORMED, ignoreCorruptFiles, ignoreMissingFiles: see
 * {@link PlannedRows}), a first job runs the same scan without columns and counts each partition's
 * rows ({@link #countedRows}). Either way each task checks that it wrote exactly the rows it was
 * given, and any surprise (a partition count that differs, a column that is not fixed-width, a null,
 * a file rewritten since planning) returns null so that the caller uses the IPC path instead. A
 * limit keeps the first rows in partition order, as {@code CollectLimitExec} does.
 *
 * <p>A task copies the rows of its plain columns (storage bytes as they are) file to file
 * ({@link DirectRowCopy}: one copy per value) instead of reading Arrow batches, and reads its other
 * columns alone as batches ({@link LeftColumnsRead}); the same row checks apply, and a task whose
 * files or columns do not qualify reads batches as before. The answer says, for the whole result
 * and per column, how many partitions were copied file to file ({@code direct_partitions}) and how
 * many partitions went both ways ({@code mixed_partitions}).
 *
 * <p>Metrics: a partition read as batches reports the scan's metrics through its partition reader
 * ({@code DataSourceRDD} posts {@code PartitionReader.currentMetricsValues} into the scan node's
 * {@code SQLMetric}s with {@code CustomMetrics.updateMetrics}). A partition copied file to file
 * never opens that reader, so its task posts the copy's counts ({@link DirectRowCopy.Copied}) into
 * the same {@code SQLMetric}s the same way, and its rows into the node's output rows: the query
 * shows the files, tensors, bytes and read calls (one per {@code transferTo}) it read, and no
 * batches, as none was built. A partition read both ways posts the sum of the copy's and its
 * reader's counts once (Spark sets, not adds, a task's value): each half opened the files and read
 * their headers, and both are counted, as both happened.
 */
final class DirectColumnHandoff {
  static final String FILE_PATTERN = "column-%03d.bin";

  private DirectColumnHandoff() {}

  /** Places and writes the rows; the JSON answer of {@link ArrowHandoff#writeColumns}, or null to use IPC. */
  static String write(Dataset<Row> df, PlainScanPlan plan, String[] allNames, String dir) throws IOException {
    StructField[] all = df.schema().fields();
    int[][] split = PartitionValueRuns.split(all);
    if (split == null) {
      return null;
    }
    int[] fileColumn = split[0];
    int[] runColumn = split[1];
    int files = fileColumn.length;
    int runs = runColumn.length;
    StructField[] fields = new StructField[files];
    String[] names = new String[files];
    long[] rowBytes = new long[files];
    int[] allOrdinals = plan.ordinals();
    int[] ordinals = new int[files];
    for (int i = 0; i < files; i++) {
      fields[i] = all[fileColumn[i]];
      names[i] = allNames[fileColumn[i]];
      rowBytes[i] = FixedWidthColumns.rowBytes(fields[i]);
      ordinals[i] = allOrdinals[fileColumn[i]];
    }
    JavaRDD<ColumnarBatch> dataRdd = plan.scan().executeColumnar().toJavaRDD();
    int parts = dataRdd.getNumPartitions();
    long[] rowsInPartition = plannedRows(plan, parts);
    if (rowsInPartition == null && runs > 0) {
      return null; // the runs need each slice's rows ahead
    }
    if (rowsInPartition == null) {
      rowsInPartition = countedRows(df, parts);
      if (rowsInPartition == null) {
        return null;
      }
    }
    long[] firstRow = new long[parts];
    long[] take = new long[parts];
    long total = 0;
    long limit = plan.limit() < 0 ? Long.MAX_VALUE : plan.limit();
    for (int p = 0; p < parts; p++) {
      take[p] = Math.min(rowsInPartition[p], limit - total);
      firstRow[p] = total;
      total = Math.addExact(total, take[p]);
    }
    String[] runJson = runs == 0 ? new String[0] : PartitionValueRuns.json(plan, runColumn, take);
    if (runJson == null) {
      return null;
    }
    String[] paths = new String[fields.length];
    for (int i = 0; i < paths.length; i++) {
      paths[i] = Paths.get(dir, String.format(Locale.ROOT, FILE_PATTERN, i)).toString();
      try (RandomAccessFile f = new RandomAccessFile(paths[i], "rw")) {
        f.setLength(Math.multiplyExact(total, rowBytes[i])); // sparse until written
      }
    }
    long[] inPartition = rowsInPartition; // effectively final, for the task closure
    DirectRowCopy direct = directCopy(plan, parts);
    // The scan node's accumulators: tasks update their copies, Spark merges them into these.
    scala.collection.immutable.Map<String, SQLMetric> scanMetrics = plan.scan().customMetrics();
    SQLMetric outputRows = plan.scan().longMetric("numOutputRows");
    // Per task: {index, rows written, 1 if all is well, then per column 1 if copied file to file}.
    List<long[]> written = dataRdd.mapPartitionsWithIndex((index, it) -> {
      long want = take[index];
      long[] answer = new long[3 + fields.length];
      answer[0] = index;
      if (want == 0) {
        answer[2] = 1;
        return Collections.singletonList(answer).iterator();
      }
      if (direct != null) {
        // Plain columns: file-to-file copy of the rows, the scan's Arrow reader never opened (its
        // iterator is lazy); the other columns through a reader over them alone. Nothing is
        // written unless every slice qualifies and some column does.
        DirectRowCopy.Copied copied = direct.copy(index, ordinals, rowBytes, paths, firstRow[index], want);
        long held = copied.rows();
        if (held >= 0) {
          boolean cut = want < inPartition[index];
          boolean ok = cut ? held >= want : held == want;
          CustomTaskMetric[] metrics = copied.metrics();
          if (ok && !copied.all()) {
            LeftColumnsRead.Result left = LeftColumnsRead.read(direct, index, copied.copied(), ordinals, rowBytes,
                paths, firstRow[index], want, cut);
            ok = left.written();
            metrics = TorchTensorMetrics.sum(metrics, left.metrics());
          }
          CustomMetrics.updateMetrics(CollectionConverters.asScala(Arrays.asList(metrics)).toSeq(), scanMetrics);
          outputRows.add(Math.min(held, want));
          answer[1] = want;
          answer[2] = ok ? 1 : 0;
          for (int i = 0; i < fields.length; i++) {
            answer[3 + i] = copied.copied()[i] ? 1 : 0;
          }
          return Collections.singletonList(answer).iterator();
        }
      }
      try (ColumnFileWriter w = new ColumnFileWriter(paths, ordinals, rowBytes, firstRow[index], want,
          want < inPartition[index])) {
        boolean ok = true;
        while (ok && w.rows() < want && it.hasNext()) {
          ok = w.write(it.next());
        }
        // A partition cut by the limit has rows left; any other must have none (else the counts lied).
        while (ok && want == inPartition[index] && it.hasNext()) {
          ok = it.next().numRows() == 0;
        }
        answer[1] = w.rows();
        answer[2] = ok && w.rows() == want ? 1 : 0;
        return Collections.singletonList(answer).iterator();
      }
    }, false).collect();
    long directParts = 0;
    long mixedParts = 0;
    long[] directColumn = new long[fields.length];
    for (long[] w : written) {
      long copiedColumns = 0;
      for (int i = 0; i < fields.length; i++) {
        directColumn[i] += w[3 + i];
        copiedColumns += w[3 + i];
      }
      directParts += copiedColumns == fields.length ? 1 : 0;
      mixedParts += copiedColumns > 0 && copiedColumns < fields.length ? 1 : 0;
      if (w[2] != 1) {
        for (String p : paths) {
          Files.deleteIfExists(Paths.get(p));
        }
        return null;
      }
    }
    StringBuilder json = new StringBuilder("{\"fast\": true, \"mode\": \"columns\", \"rows\": ")
        .append(total).append(", \"limit\": -1, \"partitions\": ").append(parts)
        .append(", \"direct_partitions\": ").append(directParts)
        .append(", \"mixed_partitions\": ").append(mixedParts)
        .append(", \"columns\": [");
    for (int i = 0; i < names.length; i++) {
      json.append(i == 0 ? "" : ", ").append("{\"name\": ").append(ArrowHandoff.quote(names[i]))
          .append(", \"path\": ").append(ArrowHandoff.quote(paths[i]))
          .append(", \"row_bytes\": ").append(rowBytes[i])
          .append(", \"direct_partitions\": ").append(directColumn[i]).append('}');
    }
    for (int r = 0; r < runs; r++) {
      json.append(", {\"name\": ").append(ArrowHandoff.quote(allNames[runColumn[r]]))
          .append(", \"runs\": ").append(runJson[r]).append('}');
    }
    return json.append("]}").toString();
  }

  /** The file-to-file copier of the scan's partitions, or null when its partitions are not the RDD's. */
  private static DirectRowCopy directCopy(PlainScanPlan plan, int parts) {
    List<InputPartition> planned = CollectionConverters.asJava(plan.scan().inputPartitions());
    return planned.size() == parts ? DirectRowCopy.of(plan.scan().scan(), planned, plan.scan().readerFactory()) : null;
  }

  /**
   * Each partition's rows from the connector's plan ({@link PlannedRows}: the files' headers, read by
   * schema inference); null when the connector does not know them ahead, or the RDD's partitions are
   * not the scan's input partitions one to one.
   */
  private static long[] plannedRows(PlainScanPlan plan, int parts) {
    List<InputPartition> planned = CollectionConverters.asJava(plan.scan().inputPartitions());
    if (planned.size() != parts) {
      return null;
    }
    return PlannedRows.perPartition(plan.scan().scan(), planned);
  }

  /**
   * Each partition's rows, counted by a job that runs the same scan without columns
   * ({@code df.select()}: the connector opens the files but reads no tensor bytes); null if that scan
   * plans other partitions.
   */
  private static long[] countedRows(Dataset<Row> df, int parts) {
    PlainScanPlan counting = PlainScanPlan.match(df.select(new Column[0]).queryExecution().executedPlan());
    if (!counting.matched()) {
      return null;
    }
    JavaRDD<ColumnarBatch> countRdd = counting.scan().executeColumnar().toJavaRDD();
    if (countRdd.getNumPartitions() != parts) {
      return null;
    }
    List<long[]> counted = countRdd.mapPartitionsWithIndex((index, it) -> {
      long n = 0;
      while (it.hasNext()) {
        n = Math.addExact(n, it.next().numRows());
      }
      return Collections.singletonList(new long[] {index, n}).iterator();
    }, false).collect();
    long[] rows = new long[parts];
    for (long[] c : counted) {
      rows[(int) c[0]] = c[1];
    }
    return rows;
  }
}
