package io.torchtensor.source;

import io.torchtensor.format.DType;
import io.torchtensor.format.RandomAccessInput;
import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Copies a partition's rows of plain columns from the tensor files straight into result files, file
 * to file ({@code FileChannel.transferTo}: sendfile on Linux, the kernel copies from the page cache),
 * without an Arrow batch in between.
 *
 * <p>A column qualifies in a file when its Spark values are the storage bytes as they are: dtype
 * float32, float64, int8, int16, int32, int64, complex64 or complex128 read as its own Spark type
 * (no widening), without
 * torch's lazy conj/neg bit (whose values are not the stored bytes), the
 * schema's recorded dtype and row shape, little-endian, contiguous, its rows inside its storage
 * and the storage inside a local file of the length listed at planning; a partition column (not in
 * the files) never does. {@link #copy} first checks every slice's file and every column: it copies
 * the columns that qualify in every slice and leaves the others to a partition reader over those
 * columns only ({@link #reader}), so a plain column is copied once even beside a widened one. When
 * a file does not qualify, or no column does, nothing is written, so a caller can still read the
 * partition the usual way. Row ranges are the reader's ({@link FileSlice},
 * {@link RowsFile}).
 *
 * <p>What it reads is counted as the partition reader counts it ({@link ReadCounters}), so the scan's
 * metrics are the same whichever way a partition went: headers are read through the reader's own
 * input ({@link LocalFileInput}), each file opened is a file read, each column copied from a slice a
 * tensor read, each {@code transferTo} call a read call and its bytes bytes read. No Arrow batch is
 * built, so the copy adds no batches.
 */
public final class DirectRowCopy implements Serializable {
  private static final long serialVersionUID = 1L;
  /**
   * Dtypes whose Arrow values are their storage bytes ({@code ElementType.isDirect}) and which are
   * read as their own Spark type: complex64/128 are (re, im) float/double pairs in torch's storage
   * ({@code c10::complex} is two adjacent components) and in Spark's array alike.
   */
  private static final Set<DType> PLAIN = EnumSet.of(DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16,
      DType.INT32, DType.INT64, DType.COMPLEX64, DType.COMPLEX128);

  private final ReadSpec spec;
  private final TorchTensorInputPartition[] partitions;
  /** The scan's reader factory, for the columns a partition cannot copy; null: none read that way. */
  private final TorchTensorReaderFactory factory;

  private DirectRowCopy(ReadSpec spec, TorchTensorInputPartition[] partitions, TorchTensorReaderFactory factory) {
    this.spec = spec;
    this.partitions = partitions;
    this.factory = factory;
  }

  /**
   * For a torchtensor rows-layout scan, its input partitions and its reader factory (the scan
   * node's, which reads the columns that are not copied: {@link #reader}); null for any other scan.
   */
  public static DirectRowCopy of(Scan scan, List<InputPartition> partitions, PartitionReaderFactory factory) {
    // Under DROPMALFORMED or the ignore options the reader may skip a file: only it knows which.
    if (!(scan instanceof TorchTensorScan s) || s.spec().tensorsLayout() || !s.spec().failFast()
        || s.spec().ignoreCorruptFiles() || s.spec().ignoreMissingFiles()) {
      return null;
    }
    TorchTensorInputPartition[] out = new TorchTensorInputPartition[partitions.size()];
    for (int p = 0; p < out.length; p++) {
      if (!(partitions.get(p) instanceof TorchTensorInputPartition part)) {
        return null;
      }
      out[p] = part;
    }
    return new DirectRowCopy(s.spec(), out, factory instanceof TorchTensorReaderFactory f ? f : null);
  }

  /**
   * A partition reader of partition {@code index} over the scan's read-schema fields at
   * {@code scanOrdinals} only (the columns {@link #copy} left): the scan's reader as it is, over a
   * pruned read schema. Partition columns come from the slices as in any read ({@link PartitionVectors}).
   * The caller closes it.
   */
  public PartitionReader<ColumnarBatch> reader(int index, int[] scanOrdinals) {
    if (factory == null) {
      throw new IllegalStateException("no reader factory for the columns not copied");
    }
    StructType schema = (StructType) DataType.fromJson(spec.schemaJson());
    StructField[] pruned = new StructField[scanOrdinals.length];
    for (int i = 0; i < pruned.length; i++) {
      pruned[i] = schema.fields()[scanOrdinals[i]];
    }
    return factory.withSchema(new StructType(pruned)).createColumnarReader(partitions[index]);
  }

  /** Whether {@link #reader} can read the columns a partition does not copy. */
  public boolean readsColumns() {
    return factory != null;
  }

  /** One slice's checked source: the file and, per output column, its first byte of row 0. */
  private record Source(String path, long firstRow, long endRow, long[] rowZero) {
  }

  /**
   * What {@link #copy} did: the rows the partition holds (at most the spec's limit), or -1 with
   * nothing written; and what it read, as the scan's task metrics ({@link TorchTensorMetrics}).
   */
  public record Copied(long rows, CustomTaskMetric[] metrics, boolean[] copied) {
    /** Nothing written; the partition reader reads the partition and reports its reads. */
    static Copied declined(int columns) {
      return new Copied(-1, new CustomTaskMetric[0], new boolean[columns]);
    }

    /** Whether every output column was copied. */
    public boolean all() {
      for (boolean c : copied) {
        if (!c) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@link #copy(int, int[], long[], FileChannel[], long, long)} into the files at {@code paths}. */
  public Copied copy(int index, int[] ordinals, long[] rowBytes, String[] paths, long firstRow, long want)
      throws IOException {
    FileChannel[] out = new FileChannel[paths.length];
    try {
      for (int i = 0; i < paths.length; i++) {
        out[i] = FileChannel.open(Paths.get(paths[i]), StandardOpenOption.WRITE);
      }
      return copy(index, ordinals, rowBytes, out, firstRow, want);
    } finally {
      for (FileChannel ch : out) {
        if (ch != null) {
          ch.close();
        }
      }
    }
  }

  /**
   * Copies up to {@code want} rows of partition {@code index} (its slices in order) to
   * {@code out[i]} at {@code (firstRow + r) * rowBytes[i]}, for each column that qualifies in every
   * slice ({@link Copied#copied}); the others are left for {@link #reader}. When a file does not
   * qualify, or no column does, nothing is written and the rows are -1; what the checks read is
   * then not reported, as the partition reader that reads the partition instead reports its own
   * reads. With a column left and no reader factory, nothing is written either.
   *
   * @param ordinals for each output column, its index in the scan's read schema
   */
  public Copied copy(int index, int[] ordinals, long[] rowBytes, FileChannel[] out, long firstRow, long want)
      throws IOException {
    StructType schema = (StructType) DataType.fromJson(spec.schemaJson());
    ReadCounters counters = new ReadCounters();
    List<Source> sources = new ArrayList<>();
    long held = 0;
    boolean[] plain = new boolean[out.length];
    java.util.Arrays.fill(plain, true);
    for (FileSlice slice : partitions[index].slices()) {
      Source s = source(slice, schema, ordinals, rowBytes, counters);
      if (s == null) {
        return Copied.declined(out.length);
      }
      sources.add(s);
      held = Math.addExact(held, s.endRow() - s.firstRow());
      for (int i = 0; i < out.length; i++) {
        plain[i] &= s.rowZero()[i] >= 0;
      }
    }
    int copiedColumns = 0;
    for (boolean p : plain) {
      copiedColumns += p ? 1 : 0;
    }
    if (copiedColumns == 0 || (copiedColumns < out.length && factory == null)) {
      return Copied.declined(out.length);
    }
    long partitionRows = spec.limit() < 0 ? held : Math.min(held, spec.limit());
    long done = 0;
    for (Source s : sources) {
      if (done >= want) {
        break;
      }
      long n = Math.min(s.endRow() - s.firstRow(), want - done);
      if (n > 0) {
        counters.tensorsRead += copiedColumns; // one per column, as the reader counts each key of a slice once
      }
      try (FileChannel in = FileChannel.open(Paths.get(s.path()), StandardOpenOption.READ)) {
        for (int i = 0; i < out.length; i++) {
          if (!plain[i]) {
            continue;
          }
          long from = Math.addExact(s.rowZero()[i], Math.multiplyExact(s.firstRow(), rowBytes[i]));
          long to = Math.multiplyExact(Math.addExact(firstRow, done), rowBytes[i]);
          long left = Math.multiplyExact(n, rowBytes[i]);
          out[i].position(to);
          while (left > 0) {
            long moved = in.transferTo(from, left, out[i]);
            counters.readCalls++;
            if (moved <= 0) {
              throw new IOException("file " + s.path() + " ended while copying rows");
            }
            counters.bytesRead += moved;
            from += moved;
            left -= moved;
          }
        }
      }
      done += n;
    }
    return new Copied(partitionRows, TorchTensorMetrics.values(counters), plain);
  }

  /**
   * The slice's rows and where each column's row 0 lies (-1 for a column that does not qualify), or
   * null when the file does not.
   */
  private Source source(FileSlice slice, StructType schema, int[] ordinals, long[] rowBytes, ReadCounters counters) {
    try {
      return checked(slice, schema, ordinals, rowBytes, counters);
    } catch (IOException | RuntimeException e) {
      return null; // a bad or changed file: the reader reads it again and reports it as its mode says
    }
  }

  private Source checked(FileSlice slice, StructType schema, int[] ordinals, long[] rowBytes, ReadCounters counters)
      throws IOException {
    URI uri = new Path(slice.path()).toUri(); // Hadoop's parse: paths are not URI-escaped
    if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
      return null;
    }
    String local = uri.getPath();
    if (!Files.isRegularFile(Paths.get(local)) || Files.size(Paths.get(local)) != slice.fileLength()) {
      return null; // gone or rewritten since planning: the reader reports it
    }
    // The reader's own input and header reads (TorchTensorPartitionReader#open), counted the same.
    RandomAccessInput in = LocalFileInput.openPlain(Paths.get(local), slice.path(), slice.fileLength(), counters);
    if (in == null) {
      return null; // written through Hadoop's local file system: the reader verifies its checksums
    }
    try (TensorFile file = TensorFile.open(in)) {
      counters.filesRead++;
      RowsFile rows = RowsFile.of(slice.path(), file, spec.keys());
      long[] rowZero = new long[ordinals.length];
      for (int i = 0; i < ordinals.length; i++) {
        rowZero[i] = rowZero(slice, rows, schema.fields()[ordinals[i]], rowBytes[i]);
      }
      return new Source(local, slice.firstRow(rows.rows()), slice.endRow(rows.rows()), rowZero);
    }
  }

  /** Where the column's row 0 lies in the file, or -1 when its Spark values are not its stored bytes. */
  private long rowZero(FileSlice slice, RowsFile rows, StructField f, long rowBytes) {
    if (spec.isPartitionColumn(f.name())) {
      return -1; // not in the file: the reader builds it (PartitionVectors)
    }
    TensorInfo t = rows.tensor(f.name());
    // A conj/neg view's values are not its storage bytes (TensorInfo.conjNeg): reads resolve it.
    if (t == null || !PLAIN.contains(t.dtype()) || !t.conjNeg().isNone() || !t.isContiguous()
        || t.rowBytes() != rowBytes
        || (t.dtype().itemSize() > 1 && t.byteOrder() != ByteOrder.LITTLE_ENDIAN)) {
      return -1;
    }
    RowsSchema.Column have = RowsSchema.Column.of(t);
    RowsSchema.Column want = RowsSchema.fromMetadata(f);
    if (want == null || !want.sameTensorType(have)
        || !RowsSchema.sparkType(have.dtype(), have.rowShape()).sameType(f.dataType())) {
      return -1;
    }
    long start = Math.multiplyExact(t.storageOffset(), t.dtype().itemSize());
    long end = Math.addExact(start, Math.multiplyExact(rows.rows(), rowBytes));
    if (end > t.storage().byteLength() || t.storage().dataOffset() < 0
        || Math.addExact(t.storage().dataOffset(), t.storage().byteLength()) > slice.fileLength()) {
      return -1;
    }
    return Math.addExact(t.storage().dataOffset(), start);
  }
}
