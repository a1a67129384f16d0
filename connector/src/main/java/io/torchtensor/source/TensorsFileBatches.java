package io.torchtensor.source;

import io.torchtensor.arrow.TensorsBatchWriter;
import io.torchtensor.arrow.TensorsLayout;
import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * The {@code tensors} layout over one file: one row per tensor the {@code keys} option selects, in
 * file order, batched by {@code batchRows} and, when the {@code data} column is read, by
 * {@code batchBytes} (a tensor bigger than that is a batch of its own). Without the {@code data}
 * column no tensor byte is read.
 */
final class TensorsFileBatches implements FileBatches {

  private final TensorFile file;
  private final String path;
  private final List<TensorInfo> tensors = new ArrayList<>();
  private final TensorsBatchWriter writer;
  private final boolean readsData;
  private final ReadSpec spec;
  private final ReadCounters counters;
  private int next;

  TensorsFileBatches(TensorFile file, String path, ReadSpec spec, TensorsBatchWriter writer, ReadCounters counters) {
    this.file = file;
    this.path = path;
    this.spec = spec;
    this.writer = writer;
    this.counters = counters;
    boolean data = false;
    if (writer != null) {
      for (var v : writer.vectors()) {
        data |= v.getName().equals(TensorsLayout.DATA);
      }
    }
    this.readsData = data;
    for (TensorInfo t : file.tensors()) {
      if (spec.keys().accepts(t.key())) {
        tensors.add(t);
      }
    }
  }

  @Override
  public ColumnarBatch next(long maxRows) throws IOException {
    if (next >= tensors.size() || maxRows <= 0) {
      return null;
    }
    int from = next;
    long bytes = 0;
    // A binary vector holds under 2 GiB (int32 offsets): a larger batchBytes is lowered to that.
    long budget = Math.min(spec.batchBytes(), Integer.MAX_VALUE - 64);
    while (next < tensors.size() && next - from < spec.batchRows() && next - from < maxRows) {
      long nb = readsData ? tensors.get(next).nbytes() : 0;
      if (next > from && bytes + nb > budget) {
        break;
      }
      bytes += nb;
      next++;
    }
    List<TensorInfo> batch = tensors.subList(from, next);
    if (writer == null) {
      return new ColumnarBatch(new ColumnVector[0], batch.size());
    }
    writer.fill(file, path, batch);
    if (readsData) {
      counters.tensorsRead += batch.size();
    }
    ColumnVector[] vectors = new ColumnVector[writer.vectors().size()];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = new ReusedArrowColumnVector(writer.vectors().get(i));
    }
    return new ColumnarBatch(vectors, batch.size());
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
