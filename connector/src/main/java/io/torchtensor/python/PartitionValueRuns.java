package io.torchtensor.python;

import io.torchtensor.source.PlannedRows;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Partition columns of variable width (strings, decimals) or of types Python builds itself (dates,
 * timestamps) in the column hand-off: no file is written for them. A partition value is constant
 * over a file ({@code PartitionVectors} fills the same value on every row of a slice), and the
 * driver knows every slice's rows from the headers read at planning ({@link PlannedRows#perSlice}),
 * so the answer carries each such column as runs {@code [rows, value]} in result order, cut by the
 * limit exactly as the tasks cut the rows they write; Python repeats each value over its run.
 *
 * <p>Values are rendered from Spark's internal values, as Arrow holds them in the batches
 * ({@code ArrowUtils.toArrowType}): a string as a JSON string, a date as its days since 1970-01-01,
 * a timestamp (with or without zone) as its microseconds since the epoch (UTC), a decimal as its
 * plain decimal string; a null value (the Hive default partition) as {@code null}.
 */
final class PartitionValueRuns {

  private PartitionValueRuns() {}

  /** Whether {@code f} is a partition column of a type whose runs {@link #json} renders. */
  static boolean qualifies(StructField f) {
    DataType t = f.dataType();
    return f.metadata().contains("torchtensor.partition") && (t instanceof StringType || t instanceof DateType
        || t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof DecimalType);
  }

  /**
   * The result's columns as {indexes written to files (fixed-width), indexes answered as runs};
   * null when some column is neither, or none is written (partition columns alone: the batches
   * carry them, nothing to place).
   */
  static int[][] split(StructField[] fields) {
    int[] files = new int[fields.length];
    int[] runs = new int[fields.length];
    int nFiles = 0;
    int nRuns = 0;
    for (int i = 0; i < fields.length; i++) {
      if (FixedWidthColumns.rowBytes(fields[i]) > 0) {
        files[nFiles++] = i;
      } else if (qualifies(fields[i])) {
        runs[nRuns++] = i;
      } else {
        return null;
      }
    }
    return nFiles == 0 ? null : new int[][] {Arrays.copyOf(files, nFiles), Arrays.copyOf(runs, nRuns)};
  }

  /**
   * The runs of each column in {@code columns} (indexes of the result's fields) as JSON arrays, in
   * the order given; null when the connector does not know the slices' rows ahead, or they do not
   * add up to the rows each partition writes ({@code take}).
   */
  static String[] json(PlainScanPlan plan, int[] columns, long[] take) {
    List<AttributeReference> scanOutput = CollectionConverters.asJava(plan.scan().output());
    int[] ordinals = plan.ordinals();
    String[] names = new String[columns.length];
    for (int c = 0; c < columns.length; c++) {
      names[c] = scanOutput.get(ordinals[columns[c]]).name();
    }
    List<InputPartition> planned = CollectionConverters.asJava(plan.scan().inputPartitions());
    List<List<PlannedRows.Slice>> slices = PlannedRows.perSlice(plan.scan().scan(), planned, names);
    if (slices == null || slices.size() != take.length) {
      return null;
    }
    StringBuilder[] out = new StringBuilder[columns.length];
    Object[] last = new Object[columns.length];
    long[] lastRows = new long[columns.length];
    for (int c = 0; c < columns.length; c++) {
      out[c] = new StringBuilder("[");
    }
    for (int p = 0; p < take.length; p++) {
      long left = take[p];
      for (PlannedRows.Slice slice : slices.get(p)) {
        long n = Math.min(slice.rows(), left);
        left -= n;
        if (n == 0) {
          continue;
        }
        for (int c = 0; c < columns.length; c++) {
          Object v = slice.partitionValues()[c];
          if (lastRows[c] > 0 && Objects.equals(v, last[c])) {
            lastRows[c] = Math.addExact(lastRows[c], n); // the same value as the run before: one run
          } else {
            flush(out[c], lastRows[c], last[c]);
            last[c] = v;
            lastRows[c] = n;
          }
        }
      }
      if (left != 0) {
        return null; // the slices hold fewer rows than the partition writes: the counts disagree
      }
    }
    String[] result = new String[columns.length];
    for (int c = 0; c < columns.length; c++) {
      flush(out[c], lastRows[c], last[c]);
      result[c] = out[c].append(']').toString();
    }
    return result;
  }

  private static void flush(StringBuilder out, long rows, Object value) {
    if (rows == 0) {
      return;
    }
    out.append(out.length() > 1 ? ", " : "").append('[').append(rows).append(", ").append(value(value)).append(']');
  }

  /** One internal value as JSON (see the class comment). */
  static String value(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof UTF8String s) {
      return ArrowHandoff.quote(s.toString());
    } else if (v instanceof Integer || v instanceof Long) {
      return v.toString(); // days of a date, microseconds of a timestamp
    } else if (v instanceof Decimal d) {
      return ArrowHandoff.quote(d.toJavaBigDecimal().toPlainString());
    }
    throw new IllegalArgumentException("partition value of class " + v.getClass().getName());
  }
}
