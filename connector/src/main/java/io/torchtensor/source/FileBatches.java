package io.torchtensor.source;

import java.io.IOException;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** The batches of one file slice, produced one at a time. Closing closes the file. */
interface FileBatches extends AutoCloseable {

  /** The next batch of at most {@code maxRows} rows, or null when the slice is done. */
  ColumnarBatch next(long maxRows) throws IOException;

  @Override
  void close() throws IOException;
}
