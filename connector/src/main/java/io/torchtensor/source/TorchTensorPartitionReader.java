package io.torchtensor.source;

import io.torchtensor.arrow.TensorsBatchWriter;
import io.torchtensor.arrow.TensorsLayout;
import io.torchtensor.format.TensorFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Reads one input partition's file slices as Arrow batches. Files are opened one at a time; the
 * batch handed to Spark stays valid until the next call to {@link #next} (its buffers are reused),
 * so memory is bounded by one batch. A failing file is named in the rethrown error, or skipped and
 * counted under the mode and ignore options ({@link FileErrors}). Closes itself once exhausted, and
 * again (harmlessly) from the task completion listener.
 *
 * <p>Partition columns of the read schema are not read from files: each batch gets them from the
 * slice's partition values ({@link PartitionVectors}) at their place in the read schema.
 */
final class TorchTensorPartitionReader implements PartitionReader<ColumnarBatch> {

  private final ReadSpec spec;
  private final StructType schema;
  private final Configuration conf;
  private final FileSlice[] slices;
  private final ReadCounters counters = new ReadCounters();
  private final BufferAllocator allocator;
  private final ColumnWriters rowsWriters;
  private final TensorsBatchWriter tensorsWriter;
  /** For each read field, its index among the table's partition columns, or -1 for a file column. */
  private final int[] partitionIndex;
  private final PartitionVectors partitionVectors;
  private FileSlice currentSlice;
  /** The read's partition values of the slice they were taken from. */
  private FileSlice filledFor;
  private Object[] filledValues;
  private FileBatches current;
  private String currentPath;
  private int nextSlice;
  private long emitted;
  private ColumnarBatch batch;
  private boolean closed;

  TorchTensorPartitionReader(ReadSpec spec, StructType readSchema, Configuration conf, FileSlice[] slices, int index) {
    this.spec = spec;
    this.conf = conf;
    this.slices = slices;
    StructType partitions = (StructType) DataType.fromJson(spec.partitionSchemaJson());
    this.partitionIndex = new int[readSchema.fields().length];
    List<StructField> fileFields = new ArrayList<>();
    List<StructField> partitionFields = new ArrayList<>();
    for (int i = 0; i < partitionIndex.length; i++) {
      StructField f = readSchema.fields()[i];
      partitionIndex[i] = java.util.Arrays.asList(partitions.fieldNames()).indexOf(f.name());
      (partitionIndex[i] < 0 ? fileFields : partitionFields).add(f);
    }
    this.schema = new StructType(fileFields.toArray(new StructField[0]));
    this.allocator = ReaderAllocators.newReaderAllocator("torchtensor-partition-" + index);
    this.rowsWriters = new ColumnWriters(allocator);
    this.partitionVectors = partitionFields.isEmpty() ? null
        : new PartitionVectors(partitionFields.toArray(new StructField[0]), allocator);
    if (spec.tensorsLayout() && schema.fields().length > 0) {
      List<Field> fields = new ArrayList<>();
      for (StructField f : schema.fields()) {
        fields.add(TensorsLayout.field(f.name()));
      }
      this.tensorsWriter = new TensorsBatchWriter(fields, allocator);
    } else {
      this.tensorsWriter = null;
    }
  }

  @Override
  public boolean next() throws IOException {
    batch = null;
    while (!closed) {
      long left = spec.limit() < 0 ? Long.MAX_VALUE : spec.limit() - emitted;
      if (left <= 0) {
        break;
      }
      if (current == null) {
        if (nextSlice == slices.length) {
          break;
        }
        open(slices[nextSlice++]);
        continue;
      }
      ColumnarBatch b;
      try {
        b = current.next(left);
      } catch (IOException | RuntimeException e) {
        fail(e);
        continue;
      }
      if (b == null) {
        closeCurrent();
        continue;
      }
      counters.batches++;
      emitted += b.numRows();
      batch = partitionVectors == null ? b : withPartitionColumns(b);
      return true;
    }
    close();
    return false;
  }

  /** The file's batch with the partition columns at their places in the read schema. */
  private ColumnarBatch withPartitionColumns(ColumnarBatch b) {
    if (currentSlice != filledFor) {
      Object[] values = currentSlice.partitionValues();
      List<Object> read = new ArrayList<>();
      for (int p : partitionIndex) {
        if (p >= 0) {
          read.add(values == null ? null : values[p]);
        }
      }
      filledFor = currentSlice;
      filledValues = read.toArray();
    }
    ColumnVector[] constant = partitionVectors.fill(filledValues, b.numRows());
    ColumnVector[] vectors = new ColumnVector[partitionIndex.length];
    int fileColumn = 0;
    int partitionColumn = 0;
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = partitionIndex[i] < 0 ? b.column(fileColumn++) : constant[partitionColumn++];
    }
    return new ColumnarBatch(vectors, b.numRows());
  }

  private void open(FileSlice slice) throws IOException {
    currentPath = slice.path();
    currentSlice = slice;
    TensorFile file = null;
    try {
      Path p = new Path(slice.path());
      file = TensorFile.open(LocalFileInput.open(p.getFileSystem(conf), p, slice.fileLength(), counters));
      counters.filesRead++;
      current = spec.tensorsLayout()
          ? new TensorsFileBatches(file, slice.path(), spec, tensorsWriter, counters)
          : new RowsFileBatches(file, slice, schema, spec, rowsWriters, counters);
    } catch (IOException | RuntimeException e) {
      if (file != null && current == null) {
        file.close();
      }
      fail(e);
    }
  }

  /** Skips the current file when the options allow it, else fails naming it. */
  private void fail(Exception e) throws IOException {
    closeCurrent();
    if (FileErrors.skippable(e, spec.failFast(), spec.ignoreCorruptFiles(), spec.ignoreMissingFiles())) {
      counters.filesDropped++;
      return;
    }
    throw new IOException(FileErrors.message(currentPath, e), e);
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      FileBatches c = current;
      current = null;
      c.close();
    }
  }

  @Override
  public ColumnarBatch get() {
    return batch;
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return TorchTensorMetrics.values(counters);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    batch = null;
    try {
      closeCurrent();
    } finally {
      rowsWriters.close();
      if (partitionVectors != null) {
        partitionVectors.close();
      }
      if (tensorsWriter != null) {
        tensorsWriter.close();
      }
      allocator.close();
    }
  }
}
