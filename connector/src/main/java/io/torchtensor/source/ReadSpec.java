package io.torchtensor.source;

import java.io.Serializable;

/**
 * What executors need to read, as small immutable values. The read schema travels as a JSON string
 * and is parsed on the executor ({@link TorchTensorReaderFactory}).
 *
 * @param tensorsLayout      one row per tensor instead of one row per leading index
 * @param schemaJson         the pruned read schema, {@code StructType.json()}
 * @param keys               tensors that make up a file's rows (rows layout) or rows (tensors layout)
 * @param batchRows          rows per batch at most
 * @param batchBytes         bytes per batch at most (at least one row)
 * @param failFast           FAILFAST (true) or DROPMALFORMED
 * @param ignoreCorruptFiles skip files that fail to read
 * @param ignoreMissingFiles skip files deleted after listing
 * @param limit              rows each partition may stop after, or -1
 * @param partitionSchemaJson the table's partition columns, {@code StructType.json()}; a read schema
 *                           field of that name takes its value from the slice ({@link FileSlice})
 */
record ReadSpec(boolean tensorsLayout, String schemaJson, KeyFilter keys, int batchRows, long batchBytes,
    boolean failFast, boolean ignoreCorruptFiles, boolean ignoreMissingFiles, long limit, String partitionSchemaJson)
    implements Serializable {

  ReadSpec withLimit(long newLimit) {
    return new ReadSpec(tensorsLayout, schemaJson, keys, batchRows, batchBytes, failFast, ignoreCorruptFiles,
        ignoreMissingFiles, newLimit, partitionSchemaJson);
  }

  ReadSpec withSchema(String json) {
    return new ReadSpec(tensorsLayout, json, keys, batchRows, batchBytes, failFast, ignoreCorruptFiles,
        ignoreMissingFiles, limit, partitionSchemaJson);
  }

  /** The read schema's fields that are partition columns, by name: nothing to read from a file. */
  boolean isPartitionColumn(String name) {
    org.apache.spark.sql.types.StructType p =
        (org.apache.spark.sql.types.StructType) org.apache.spark.sql.types.DataType.fromJson(partitionSchemaJson);
    for (String n : p.fieldNames()) {
      if (n.equals(name)) {
        return true;
      }
    }
    return false;
  }
}
