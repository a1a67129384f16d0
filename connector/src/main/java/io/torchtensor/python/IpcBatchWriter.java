package io.torchtensor.python;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Writes the connector's own Arrow vectors, as they are, as one Arrow IPC stream
 * (Arrow columnar format, "Serialization and Interprocess Communication": a schema message, record
 * batch messages, the end-of-stream marker).
 *
 * <p>No value passes through a Spark row: {@link VectorUnloader} lists the vectors' buffers and
 * {@link MessageSerializer} writes them with their 8-byte padding, which lets pyarrow map the file
 * and hand out the buffers without copying (it requires aligned buffers for zero-copy reads).
 *
 * <p>Lifecycle: {@link #write} once per batch, while the batch is current (the scan may reuse or
 * close its vectors when the iterator advances), then {@link #finish}. The writer owns no Arrow
 * memory: the record batch it builds only references the scan's buffers and is closed at once.
 */
final class IpcBatchWriter {
  private final WriteChannel out;
  private final String[] names;
  private final int[] ordinals;
  private final IpcOption option = IpcOption.DEFAULT;
  private boolean started;
  private long rows;
  private int batches;

  IpcBatchWriter(WritableByteChannel channel, String[] names, int[] ordinals) {
    this.out = new WriteChannel(channel);
    this.names = names.clone();
    this.ordinals = ordinals.clone();
  }

  /** Writes the batch's selected columns as one record batch (the schema first, on the first call). */
  void write(ColumnarBatch batch) throws IOException {
    int n = batch.numRows();
    List<FieldVector> vectors = new ArrayList<>(ordinals.length);
    List<Field> fields = new ArrayList<>(ordinals.length);
    for (int i = 0; i < ordinals.length; i++) {
      FieldVector v = arrowVector(batch.column(ordinals[i]), names[i]);
      if (v.getValueCount() != n) {
        throw new IllegalStateException("column " + names[i] + " has " + v.getValueCount()
            + " values in a batch of " + n + " rows");
      }
      vectors.add(v);
      Field f = v.getField();
      fields.add(new Field(names[i], f.getFieldType(), f.getChildren()));
    }
    if (!started) {
      MessageSerializer.serialize(out, new Schema(fields), option);
      started = true;
    }
    VectorSchemaRoot root = new VectorSchemaRoot(fields, vectors, n);
    try (ArrowRecordBatch rb = new VectorUnloader(root).getRecordBatch()) {
      MessageSerializer.serialize(out, rb, option);
    }
    rows += n;
    batches++;
  }

  private static FieldVector arrowVector(ColumnVector column, String name) {
    if (!(column instanceof ArrowColumnVector acv)) {
      throw new IllegalStateException("column " + name + " is a " + column.getClass().getName()
          + ", not an Arrow vector");
    }
    ValueVector v = acv.getValueVector();
    if (!(v instanceof FieldVector fv)) {
      throw new IllegalStateException("column " + name + " has no Arrow field vector");
    }
    return fv;
  }

  /** Ends the stream; returns false (and writes nothing) when no batch was written. */
  boolean finish() throws IOException {
    if (started) {
      ArrowStreamWriter.writeEndOfStream(out, option);
    }
    return started;
  }

  long rows() {
    return rows;
  }

  int batches() {
    return batches;
  }
}
