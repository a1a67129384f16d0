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
 */
record ReadSpec(boolean tensorsLayout, String schemaJson, KeyFilter keys, int batchRows, long batchBytes,
    boolean failFast, boolean ignoreCorruptFiles, boolean ignoreMissingFiles, long limit) implements Serializable {

  ReadSpec withLimit(long newLimit) {
    return new ReadSpec(tensorsLayout, schemaJson, keys, batchRows, batchBytes, failFast, ignoreCorruptFiles,
        ignoreMissingFiles, newLimit);
  }

  ReadSpec withSchema(String json) {
    return new ReadSpec(tensorsLayout, json, keys, batchRows, batchBytes, failFast, ignoreCorruptFiles,
        ignoreMissingFiles, limit);
  }
}
