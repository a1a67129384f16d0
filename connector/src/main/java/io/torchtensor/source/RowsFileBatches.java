package io.torchtensor.source;

import io.torchtensor.arrow.ElementType;
import io.torchtensor.arrow.TensorFields;
import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The {@code rows} layout over one slice of a file: rows {@code [firstRow, endRow)} in batches of
 * {@code min(batchRows, batchBytes / bytesPerRow)} rows (at least one). Per batch, each requested
 * column is one {@code readRows} of the batch's rows; columns not requested are never read, and with
 * no column requested ({@code count()}) batches carry only their row count.
 */
final class RowsFileBatches implements FileBatches {

  private final TensorFile file;
  private final TensorInfo[] tensors;
  private final ColumnWriters.Entry[] writers;
  private final int rowsPerBatch;
  private final ReadCounters counters;
  private final Set<String> counted = new HashSet<>();
  private long next;
  private final long end;

  RowsFileBatches(TensorFile file, FileSlice slice, StructType schema, ReadSpec spec, ColumnWriters cache,
      ReadCounters counters) {
    this.file = file;
    this.counters = counters;
    RowsFile rows = RowsFile.of(slice.path(), file, spec.keys());
    StructField[] fields = schema.fields();
    RowsSchema.Column[] columns = new RowsSchema.Column[fields.length];
    this.tensors = new TensorInfo[fields.length];
    long bytesPerRow = 0;
    long widestColumn = 1;
    for (int i = 0; i < fields.length; i++) {
      columns[i] = resolve(slice.path(), rows, fields[i]);
      tensors[i] = rows.tensor(fields[i].name());
      long b = bytesPerRow(columns[i]);
      bytesPerRow = Math.addExact(bytesPerRow, b);
      widestColumn = Math.max(widestColumn, b);
    }
    long byBytes = bytesPerRow == 0 ? Long.MAX_VALUE : spec.batchBytes() / bytesPerRow;
    // Arrow vectors hold under 2 GiB each (int32 offsets, int-sized NIO views): a large batchBytes
    // is lowered to what the widest column allows rather than failing; one row must still fit.
    long byVector = (Integer.MAX_VALUE - 64) / widestColumn;
    this.next = slice.firstRow(rows.rows());
    this.end = slice.endRow(rows.rows());
    // Never allocate for more rows than this slice has (a huge batchRows on a small file).
    long cap = Math.min(Math.min(spec.batchRows(), byBytes), Math.min(byVector, end - next));
    this.rowsPerBatch = (int) Math.max(1, cap);
    this.writers = new ColumnWriters.Entry[fields.length];
    for (int i = 0; i < fields.length; i++) {
      writers[i] = cache.get(columns[i], fields[i].nullable(), rowsPerBatch);
    }
  }

  /**
   * The column a field reads from this file: the tensor's own dtype and per-row shape, checked
   * against the field's metadata and Spark type; a placeholder for a nullable field the file lacks.
   */
  private static RowsSchema.Column resolve(String path, RowsFile rows, StructField f) {
    RowsSchema.Column want = RowsSchema.fromMetadata(f);
    TensorInfo t = rows.tensor(f.name());
    if (t == null) {
      if (!f.nullable()) {
        throw new TorchTensorSchemaException("file " + path + " has no tensor " + f.name() + " for non-nullable column "
            + f.name() + "; set option mergeSchema=true or make the column nullable");
      }
      return want != null ? want : RowsSchema.placeholder(f.name(), f.dataType());
    }
    RowsSchema.Column have = RowsSchema.Column.of(t);
    if (want != null && !want.sameTensorType(have)) {
      throw new TorchTensorSchemaException("column " + f.name() + ": the schema holds " + want.describe()
          + ", file " + path + " has " + have.describe());
    }
    if (!RowsSchema.readableAs(have, f.dataType())) {
      throw new TorchTensorSchemaException("column " + f.name() + ": file " + path + " has " + have.describe()
          + ", read as " + RowsSchema.sparkType(have.dtype(), have.rowShape()).simpleString()
          + ", but the schema asks for " + f.dataType().simpleString());
    }
    return have;
  }

  /** Bytes one row costs in memory: the larger of its storage bytes and its Arrow bytes. */
  private static long bytesPerRow(RowsSchema.Column c) {
    long values = TensorFields.valuesPerRow(c.dtype(), c.rowShape());
    long arrow = Math.multiplyExact(values, Math.max(1, ElementType.of(c.dtype()).width()));
    long storage = Math.multiplyExact(values / ElementType.valuesPerElement(c.dtype()), c.dtype().itemSize());
    long offsets = TensorFields.isList(c.dtype(), c.rowShape()) ? 4 : 0;
    return Math.max(arrow, storage) + offsets + 1;
  }

  @Override
  public ColumnarBatch next(long maxRows) throws IOException {
    if (next >= end || maxRows <= 0) {
      return null;
    }
    int n = (int) Math.min(rowsPerBatch, Math.min(end - next, maxRows));
    ColumnVector[] vectors = new ColumnVector[writers.length];
    for (int i = 0; i < writers.length; i++) {
      if (tensors[i] == null) {
        writers[i].writer().fillNulls(n);
      } else {
        writers[i].writer().fill(file, tensors[i], next, n);
        if (counted.add(tensors[i].key())) {
          counters.tensorsRead++;
        }
      }
      vectors[i] = writers[i].view();
    }
    next += n;
    return new ColumnarBatch(vectors, n);
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
