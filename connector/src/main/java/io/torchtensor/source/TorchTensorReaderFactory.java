package io.torchtensor.source;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Creates columnar readers on executors. Ships the {@link ReadSpec} (schema as JSON, parsed once per
 * executor-side factory instance) and the Hadoop conf broadcast once per scan.
 */
final class TorchTensorReaderFactory implements PartitionReaderFactory {

  private static final long serialVersionUID = 1L;

  private final ReadSpec spec;
  private final Broadcast<SerializableHadoopConf> conf;
  private transient StructType schema;

  TorchTensorReaderFactory(ReadSpec spec, Broadcast<SerializableHadoopConf> conf) {
    this.spec = spec;
    this.conf = conf;
  }

  /** The same read over other columns of the read schema (the Hadoop conf broadcast shared). */
  TorchTensorReaderFactory withSchema(StructType readSchema) {
    return new TorchTensorReaderFactory(spec.withSchema(readSchema.json()), conf);
  }

  private StructType schema() {
    if (schema == null) {
      schema = (StructType) DataType.fromJson(spec.schemaJson());
    }
    return schema;
  }

  /** Every batch is columnar: Arrow vectors are the only output. */
  @Override
  public boolean supportColumnarReads(InputPartition partition) {
    return true;
  }

  /** Row reads are never asked for, since {@link #supportColumnarReads} is always true. */
  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    throw new UnsupportedOperationException("the torchtensor source reads columnar batches only");
  }

  @Override
  public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
    TorchTensorInputPartition p = (TorchTensorInputPartition) partition;
    TorchTensorPartitionReader reader = new TorchTensorPartitionReader(spec, schema(), conf.value().get(),
        p.slices(), p.index());
    TaskContext ctx = TaskContext.get();
    if (ctx != null) {
      ctx.addTaskCompletionListener((TaskCompletionListener) c -> {
        try {
          reader.close();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
    return reader;
  }
}
