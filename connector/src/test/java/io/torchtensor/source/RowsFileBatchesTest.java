package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.Test;

/** Batch sizing of the rows reader, measured on its own allocator (no Spark session). */
class RowsFileBatchesTest {

  private static Path file(String rel) {
    Path p = Path.of(System.getProperty("torchtensor.testdata", "build/testdata")).resolve("spark").resolve(rel);
    assertThat(Files.isRegularFile(p)).as("%s: run $(bin/python-env)/bin/python "
        + "testdata/make_testdata.py build/testdata", p).isTrue();
    return p;
  }

  private static List<Integer> batchSizes(String rel, int batchRows, long batchBytes, long[] peak) throws Exception {
    Path p = file(rel);
    List<Integer> sizes = new ArrayList<>();
    try (RootAllocator allocator = new RootAllocator(Long.MAX_VALUE);
        ColumnWriters writers = new ColumnWriters(allocator);
        TensorFile f = TensorFile.open(p)) {
      List<StructField> fields = new ArrayList<>();
      for (TensorInfo t : f.tensors()) {
        fields.add(RowsSchema.field(RowsSchema.Column.of(t), false));
      }
      StructType schema = new StructType(fields.toArray(new StructField[0]));
      ReadSpec spec = new ReadSpec(false, schema.json(), new KeyFilter(List.of()), batchRows, batchBytes,
          true, false, false, -1, "{\"type\":\"struct\",\"fields\":[]}");
      long len = Files.size(p);
      RowsFileBatches batches = new RowsFileBatches(f, new FileSlice(p.toString(), len, 0, len, new String[0]),
          schema, spec, writers, new ReadCounters());
      for (ColumnarBatch b = batches.next(Long.MAX_VALUE); b != null; b = batches.next(Long.MAX_VALUE)) {
        sizes.add(b.numRows());
      }
      peak[0] = allocator.getPeakMemoryAllocation();
    }
    return sizes;
  }

  @Test
  void hugeBatchSettingsAllocateOnlyTheSlicesRows() throws Exception {
    long[] peak = new long[1];
    assertThat(batchSizes("shards/part-3.pt", Integer.MAX_VALUE, 100L << 30, peak)).containsExactly(64);
    // 64 rows of 768 + 8 bytes, with validity and offsets: far below one 2 GiB vector.
    assertThat(peak[0]).isLessThan(1L << 20);
  }

  @Test
  void batchBytesBoundsRowsPerBatch() throws Exception {
    long[] peak = new long[1];
    // A row costs 768 + 4 + 1 (features) + 8 + 1 (labels) = 782 bytes: 10 000 bytes allow 12 rows.
    assertThat(batchSizes("shards/part-3.pt", 4096, 10_000, peak)).containsExactly(12, 12, 12, 12, 12, 4);
    assertThat(batchSizes("shards/part-3.pt", 5, 1 << 20, peak)).hasSize(13).allMatch(n -> n <= 5);
    assertThat(batchSizes("shards/part-3.pt", 4096, 1, peak)).hasSize(64).containsOnly(1);
  }
}
