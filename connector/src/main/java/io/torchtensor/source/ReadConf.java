package io.torchtensor.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The typed view of {@link ReadOptions}, on the driver. Each value is looked up in this order:
 * <ol>
 *   <li>the read option ({@code .option("batchRows", 1024)}), names case-insensitive;</li>
 *   <li>the session conf {@code spark.datasource.torchtensor.<option>};</li>
 *   <li>for options Spark's file sources share, Spark's own SQL conf
 *       ({@code spark.sql.files.maxPartitionBytes}, ...);</li>
 *   <li>the default.</li>
 * </ol>
 * Invalid values fail here, on the driver, with a message naming the option.
 */
final class ReadConf {

  static final int DEFAULT_BATCH_ROWS = 4096;
  static final long DEFAULT_BATCH_BYTES = 64L << 20;

  private final CaseInsensitiveStringMap options;
  private final RuntimeConfig session;

  ReadConf(SparkSession spark, Map<String, String> options) {
    this.options = options instanceof CaseInsensitiveStringMap
        ? (CaseInsensitiveStringMap) options : new CaseInsensitiveStringMap(options);
    this.session = spark.conf();
  }

  CaseInsensitiveStringMap options() {
    return options;
  }

  private String raw(String name) {
    String v = options.get(name);
    if (v == null) {
      v = session.get(ReadOptions.SESSION_PREFIX + name, null);
    }
    return v;
  }

  private String rawOrSpark(String name, String sparkConf) {
    String v = raw(name);
    return v != null ? v : session.get(sparkConf, null);
  }

  boolean tensorsLayout() {
    String v = raw(ReadOptions.LAYOUT);
    if (v == null || v.equalsIgnoreCase(ReadOptions.LAYOUT_ROWS)) {
      return false;
    }
    if (v.equalsIgnoreCase(ReadOptions.LAYOUT_TENSORS)) {
      return true;
    }
    throw new IllegalArgumentException("option layout: expected rows or tensors, got '" + v + "'");
  }

  /** Key patterns, or an empty list for all keys. */
  List<String> keys() {
    String v = raw(ReadOptions.KEYS);
    List<String> out = new ArrayList<>();
    if (v != null) {
      for (String k : v.split(",")) {
        if (!k.isBlank()) {
          out.add(k.trim());
        }
      }
    }
    return out;
  }

  int batchRows() {
    long v = longValue(ReadOptions.BATCH_ROWS, raw(ReadOptions.BATCH_ROWS), DEFAULT_BATCH_ROWS);
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("option batchRows: expected 1 to " + Integer.MAX_VALUE + ", got " + v);
    }
    return (int) v;
  }

  long batchBytes() {
    long v = bytesValue(ReadOptions.BATCH_BYTES, raw(ReadOptions.BATCH_BYTES), DEFAULT_BATCH_BYTES);
    if (v < 1) {
      throw new IllegalArgumentException("option batchBytes: expected a positive size, got " + v);
    }
    return v;
  }

  /**
   * Checks the device option. Only the pure-Java CPU path ships in this jar; {@code auto} picks it
   * because no device module is on the class path. Any other device needs the optional DJL module.
   */
  String device() {
    String v = raw(ReadOptions.DEVICE);
    if (v == null || v.equalsIgnoreCase("cpu") || v.equalsIgnoreCase("auto")) {
      return "cpu";
    }
    String d = v.toLowerCase(Locale.ROOT);
    if (d.equals("djl-cpu") || d.equals("cuda") || d.startsWith("cuda:")) {
      throw new IllegalArgumentException("option device=" + v + " needs the optional DJL device module, which is not"
          + " on the class path: add " + ReadOptions.DJL_ARTIFACT + " to the executors, or use device=cpu");
    }
    throw new IllegalArgumentException("option device: expected cpu, auto, djl-cpu or cuda, got '" + v + "'");
  }

  /** True for FAILFAST (default), false for DROPMALFORMED. */
  boolean failFast() {
    String v = raw(ReadOptions.MODE);
    if (v == null || v.equalsIgnoreCase(ReadOptions.MODE_FAILFAST)) {
      return true;
    }
    if (v.equalsIgnoreCase(ReadOptions.MODE_DROPMALFORMED)) {
      return false;
    }
    throw new IllegalArgumentException("option mode: expected FAILFAST or DROPMALFORMED, got '" + v + "'"
        + (v.equalsIgnoreCase("PERMISSIVE") ? " (a tensor file has no partial rows to keep)" : ""));
  }

  boolean mergeSchema() {
    return bool(ReadOptions.MERGE_SCHEMA, raw(ReadOptions.MERGE_SCHEMA), false);
  }

  String pathGlobFilter() {
    return raw(ReadOptions.PATH_GLOB_FILTER);
  }

  boolean recursiveFileLookup() {
    return bool(ReadOptions.RECURSIVE_FILE_LOOKUP, raw(ReadOptions.RECURSIVE_FILE_LOOKUP), false);
  }

  String basePath() {
    return options.get(ReadOptions.BASE_PATH);
  }

  /** Spark's {@code spark.sql.sources.partitionColumnTypeInference.enabled} (default true). */
  boolean partitionColumnTypeInference() {
    return bool("spark.sql.sources.partitionColumnTypeInference.enabled",
        session.get("spark.sql.sources.partitionColumnTypeInference.enabled", null), true);
  }

  /** Spark's {@code spark.sql.sources.validatePartitionColumns} (default true). */
  boolean validatePartitionColumns() {
    return bool("spark.sql.sources.validatePartitionColumns",
        session.get("spark.sql.sources.validatePartitionColumns", null), true);
  }

  /** Spark's {@code spark.sql.caseSensitive} (default false). */
  boolean caseSensitive() {
    return bool("spark.sql.caseSensitive", session.get("spark.sql.caseSensitive", null), false);
  }

  /** Spark's {@code spark.sql.timestampType}: whether inferred timestamps are TIMESTAMP_NTZ. */
  boolean timestampNtz() {
    String v = session.get("spark.sql.timestampType", null);
    return v != null && v.trim().equalsIgnoreCase("TIMESTAMP_NTZ");
  }

  /** The {@code timeZone} option, else Spark's {@code spark.sql.session.timeZone}, for timestamp partition values. */
  java.time.ZoneId sessionZone() {
    String v = rawOrSpark(ReadOptions.TIME_ZONE, "spark.sql.session.timeZone");
    return v == null ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(v.trim(), java.time.ZoneId.SHORT_IDS);
  }

  boolean ignoreCorruptFiles() {
    return bool(ReadOptions.IGNORE_CORRUPT_FILES,
        rawOrSpark(ReadOptions.IGNORE_CORRUPT_FILES, "spark.sql.files.ignoreCorruptFiles"), false);
  }

  boolean ignoreMissingFiles() {
    return bool(ReadOptions.IGNORE_MISSING_FILES,
        rawOrSpark(ReadOptions.IGNORE_MISSING_FILES, "spark.sql.files.ignoreMissingFiles"), false);
  }

  long maxPartitionBytes() {
    long v = bytesValue(ReadOptions.MAX_PARTITION_BYTES,
        rawOrSpark(ReadOptions.MAX_PARTITION_BYTES, "spark.sql.files.maxPartitionBytes"), 128L << 20);
    if (v < 1) {
      throw new IllegalArgumentException("option maxPartitionBytes: expected a positive size, got " + v);
    }
    return v;
  }

  long openCostInBytes() {
    long v = bytesValue(ReadOptions.OPEN_COST_IN_BYTES,
        rawOrSpark(ReadOptions.OPEN_COST_IN_BYTES, "spark.sql.files.openCostInBytes"), 4L << 20);
    if (v < 0) {
      throw new IllegalArgumentException("option openCostInBytes: expected a size of 0 or more, got " + v);
    }
    return v;
  }

  /** Spark's {@code spark.sql.files.minPartitionNum}, else the default parallelism. */
  int minPartitionNum(SparkSession spark) {
    String v = session.get("spark.sql.files.minPartitionNum", null);
    return v != null ? Integer.parseInt(v.trim()) : spark.sparkContext().defaultParallelism();
  }

  /** The paths given to {@code load}, as written. */
  List<String> paths() {
    List<String> out = new ArrayList<>();
    String paths = options.get(ReadOptions.PATHS);
    if (paths != null) {
      try {
        out.addAll(Arrays.asList(new ObjectMapper().readValue(paths, String[].class)));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("option paths: expected a JSON array of strings, got " + paths, e);
      }
    }
    String path = options.get(ReadOptions.PATH);
    if (path != null) {
      out.add(path);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no path given: use spark.read.format(\"torchtensor\").load(path)");
    }
    return out;
  }

  private static boolean bool(String name, String v, boolean dflt) {
    if (v == null) {
      return dflt;
    }
    if (v.trim().equalsIgnoreCase("true")) {
      return true;
    }
    if (v.trim().equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("option " + name + ": expected true or false, got '" + v + "'");
  }

  private static long longValue(String name, String v, long dflt) {
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + name + ": expected an integer, got '" + v + "'");
    }
  }

  private static long bytesValue(String name, String v, long dflt) {
    if (v == null) {
      return dflt;
    }
    try {
      return JavaUtils.byteStringAsBytes(v.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("option " + name + ": expected a size such as 1048576 or 64m, got '" + v + "'");
    }
  }
}
