package io.torchtensor.source;

import java.util.Set;

/**
 * Read options of the {@code torchtensor} source. Names are case-insensitive. Each may also be set
 * for a whole session as {@code spark.datasource.torchtensor.<name>}; a read option wins over the
 * session value, which wins over the default (see {@link ReadConf}).
 */
public final class ReadOptions {

  /** Prefix of session-wide defaults: {@code spark.datasource.torchtensor.batchRows=1024}. */
  public static final String SESSION_PREFIX = "spark.datasource.torchtensor.";

  /** {@code rows} (default): one row per leading index; {@code tensors}: one row per tensor. */
  public static final String LAYOUT = "layout";

  /** Comma-separated tensor keys to read; {@code *} and {@code ?} are globs ({@code encoder.*}). */
  public static final String KEYS = "keys";

  /** Rows per Arrow batch, default 4096; batches are also bounded by {@link #BATCH_BYTES}. */
  public static final String BATCH_ROWS = "batchRows";

  /** Bytes per Arrow batch (sizes like {@code 64m} accepted), default 64 MiB; at least one row. */
  public static final String BATCH_BYTES = "batchBytes";

  /** {@code cpu} (default, pure Java) or {@code auto} (same as cpu while the DJL module is absent). */
  public static final String DEVICE = "device";

  /** {@code FAILFAST} (default): a bad file fails the query; {@code DROPMALFORMED}: it is skipped. */
  public static final String MODE = "mode";

  /** Union of the columns of all files; a column missing from a file reads as null. Default false. */
  public static final String MERGE_SCHEMA = "mergeSchema";

  /** Glob on file names, as Spark's file sources ({@code *.pt}). */
  public static final String PATH_GLOB_FILTER = "pathGlobFilter";

  /**
   * Read files of all sub-directories too, and infer no partition column (as Spark). Default false:
   * a directory's own files and those of its partition directories ({@code name=value}).
   */
  public static final String RECURSIVE_FILE_LOOKUP = "recursiveFileLookup";

  /**
   * The table's root directory when partition directories are loaded directly
   * ({@code load("/features/split=train")} with {@code basePath=/features} keeps column {@code split}).
   */
  public static final String BASE_PATH = "basePath";

  /**
   * The zone of timestamp partition values ({@code ts=2024-01-01 10%3A00%3A00}); default
   * {@code spark.sql.session.timeZone}, as Spark's file index reads it
   * ({@code PartitioningAwareFileIndex.inferPartitioning}, {@code DateTimeUtils.TIMEZONE_OPTION}).
   */
  public static final String TIME_ZONE = "timeZone";

  /** Skip unreadable files; default {@code spark.sql.files.ignoreCorruptFiles}. */
  public static final String IGNORE_CORRUPT_FILES = "ignoreCorruptFiles";

  /** Skip files deleted after listing; default {@code spark.sql.files.ignoreMissingFiles}. */
  public static final String IGNORE_MISSING_FILES = "ignoreMissingFiles";

  /** Bytes per input partition; default {@code spark.sql.files.maxPartitionBytes} (128 MiB). */
  public static final String MAX_PARTITION_BYTES = "maxPartitionBytes";

  /** Estimated cost of opening a file, in bytes; default {@code spark.sql.files.openCostInBytes}. */
  public static final String OPEN_COST_IN_BYTES = "openCostInBytes";

  /** Set by {@code load(path)}. */
  public static final String PATH = "path";

  /** Set by {@code load(path1, path2, ...)}: a JSON array of paths. */
  public static final String PATHS = "paths";

  static final String LAYOUT_ROWS = "rows";
  static final String LAYOUT_TENSORS = "tensors";
  static final String MODE_FAILFAST = "FAILFAST";
  static final String MODE_DROPMALFORMED = "DROPMALFORMED";

  /** The optional artifact that brings device execution; named in the error for other devices. */
  static final String DJL_ARTIFACT = "ai.djl.pytorch:pytorch-engine (with io.torchtensor:torchtensor-device)";

  /** Option names of this source; every other option is passed on to the Hadoop configuration. */
  static final Set<String> ALL = Set.of(LAYOUT, KEYS, BATCH_ROWS, BATCH_BYTES, DEVICE, MODE,
      MERGE_SCHEMA, PATH_GLOB_FILTER, RECURSIVE_FILE_LOOKUP, BASE_PATH, TIME_ZONE,
      IGNORE_CORRUPT_FILES, IGNORE_MISSING_FILES,
      MAX_PARTITION_BYTES, OPEN_COST_IN_BYTES, PATH, PATHS);

  private ReadOptions() {
  }
}
