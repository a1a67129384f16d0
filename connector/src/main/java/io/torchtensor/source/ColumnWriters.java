package io.torchtensor.source;

import io.torchtensor.arrow.RowsColumnWriter;
import io.torchtensor.arrow.TensorFields;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The {@code rows}-layout column writers of one partition reader, kept across its files: a file
 * whose column has the same dtype and per-row shape as the previous file's, and needs no more rows
 * per batch, reuses the writer and its buffers. Owns them; closed by the reader.
 */
final class ColumnWriters implements AutoCloseable {

  /** A writer and the Spark view of its vector (the view reads the buffers as they are refilled). */
  record Entry(RowsSchema.Column column, int capacity, RowsColumnWriter writer, ReusedArrowColumnVector view) {
  }

  private final BufferAllocator allocator;
  private final Map<String, Entry> entries = new HashMap<>();

  ColumnWriters(BufferAllocator allocator) {
    this.allocator = allocator;
  }

  Entry get(RowsSchema.Column c, boolean nullable, int capacity) {
    Entry e = entries.get(c.name());
    if (e != null && e.column().sameTensorType(c) && e.capacity() >= capacity
        && e.writer().field().isNullable() == nullable) {
      return e;
    }
    if (e != null) {
      entries.remove(c.name());
      e.writer().close();
    }
    RowsColumnWriter w = new RowsColumnWriter(TensorFields.rowsColumn(c.name(), c.dtype(), c.rowShape(), nullable),
        c.dtype(), c.rowShape(), capacity, allocator);
    Entry n = new Entry(c, capacity, w, new ReusedArrowColumnVector(w.vector()));
    entries.put(c.name(), n);
    return n;
  }

  @Override
  public void close() {
    for (Entry e : entries.values()) {
      e.writer().close();
    }
    entries.clear();
  }
}
