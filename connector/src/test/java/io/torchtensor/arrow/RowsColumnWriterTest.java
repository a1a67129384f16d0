package io.torchtensor.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The column writer on torch-written files, without Spark: every dtype, filled in batches that do
 * not divide the row count, gives exactly the values torch computed (SHA-256 of the emitted values
 * as little-endian bytes, bool as one byte). Each test owns a RootAllocator and closes it, so a
 * leaked buffer fails the test.
 */
class RowsColumnWriterTest {

  private RootAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator(Long.MAX_VALUE);
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  private static Path testdata() {
    Path root = Paths.get(System.getProperty("torchtensor.testdata", "build/testdata"));
    if (!Files.isRegularFile(root.resolve("expected.jsonl"))) {
      fail("test files missing in " + root.toAbsolutePath() + ": run "
          + "$(bin/python-env)/bin/python testdata/make_testdata.py build/testdata from the repository root");
    }
    return root;
  }

  private static JsonNode expected(String rel) throws Exception {
    ObjectMapper om = com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build(); // NaN, Infinity in values
    for (String line : Files.readAllLines(testdata().resolve("expected.jsonl"))) {
      JsonNode n = om.readTree(line);
      if (n.get("file").asText().equals(rel)) {
        return n;
      }
    }
    throw new AssertionError("no record of " + rel);
  }

  @Test
  void everyDtypeInBatchesMatchesTorch() throws Exception {
    for (String rel : new String[] {"spark/dtypes/all.pt", "spark/quantized/q.pt"}) {
      JsonNode exp = expected(rel);
      try (TensorFile file = TensorFile.open(testdata().resolve(rel))) {
        for (TensorInfo t : file.tensors()) {
          long[] shape = t.shape();
          long[] rowShape = Arrays.copyOfRange(shape, 1, shape.length);
          int batch = 10;
          ByteArrayOutputStream got = new ByteArrayOutputStream();
          try (RowsColumnWriter w = new RowsColumnWriter(TensorFields.rowsColumn(t.key(), t.dtype(), rowShape, false),
              t.dtype(), rowShape, batch, allocator)) {
            for (long first = 0; first < shape[0]; first += batch) {
              int n = (int) Math.min(batch, shape[0] - first);
              w.fill(file, t, first, n);
              assertThat(w.vector().getValueCount()).isEqualTo(n);
              assertThat(w.vector().getNullCount()).isZero();
              appendValues(w.vector(), got);
            }
          }
          assertThat(sha256(got.toByteArray())).as("%s %s", rel, t.key())
              .isEqualTo(exp.get("spark_sha256").get(t.key()).asText());
        }
      }
    }
  }

  @Test
  void listOffsetsAreRowTimesRowSize() throws Exception {
    try (TensorFile file = TensorFile.open(testdata().resolve("spark/dtypes/all.pt"))) {
      TensorInfo t = file.tensor("f16");
      try (RowsColumnWriter w = new RowsColumnWriter(TensorFields.rowsColumn("f16", t.dtype(), new long[] {2, 2}, false),
          t.dtype(), new long[] {2, 2}, 8, allocator)) {
        w.fill(file, t, 30, 7);
        ListVector lv = (ListVector) w.vector();
        for (int i = 0; i <= 7; i++) {
          assertThat(lv.getOffsetBuffer().getInt(4L * i)).isEqualTo(4 * i);
        }
        assertThat(lv.getDataVector().getValueCount()).isEqualTo(28);
        w.fillNulls(3);
        assertThat(lv.getValueCount()).isEqualTo(3);
        assertThat(lv.getNullCount()).isEqualTo(3);
        assertThat(lv.getDataVector().getValueCount()).isZero();
      }
    }
  }

  @Test
  void mismatchedTensorsAndRangesAreRefused() throws Exception {
    try (TensorFile file = TensorFile.open(testdata().resolve("spark/dtypes/all.pt"));
        RowsColumnWriter w = new RowsColumnWriter(TensorFields.rowsColumn("f32", file.tensor("f32").dtype(),
            new long[] {3}, false), file.tensor("f32").dtype(), new long[] {3}, 8, allocator)) {
      assertThatThrownBy(() -> w.fill(file, file.tensor("i8"), 0, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tensor i8 is int8[37, 3], column f32 holds float32 rows of [3]");
      assertThatThrownBy(() -> w.fill(file, file.tensor("f32"), 35, 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("rows [35, 40) outside tensor f32 of 37 rows");
      assertThatThrownBy(() -> w.fill(file, file.tensor("f32"), 0, 9))
          .hasMessage("batch of 9 rows, capacity 8");
    }
    assertThatThrownBy(() -> new RowsColumnWriter(TensorFields.rowsColumn("x", io.torchtensor.format.DType.FLOAT32,
        new long[] {1 << 20}, false), io.torchtensor.format.DType.FLOAT32, new long[] {1 << 20}, 1024, allocator))
        .hasMessage("a batch of 1024 rows of 1048576 values exceeds 2 GiB; lower batchRows or batchBytes");
  }

  private static void appendValues(FieldVector v, ByteArrayOutputStream out) {
    FieldVector values = v instanceof ListVector ? ((ListVector) v).getDataVector() : v;
    int count = values.getValueCount();
    if (values instanceof BitVector) {
      for (int i = 0; i < count; i++) {
        out.write(((BitVector) values).get(i));
      }
      return;
    }
    int width = ((BaseFixedWidthVector) values).getTypeWidth();
    byte[] b = new byte[count * width];
    ArrowBuf data = values.getDataBuffer();
    data.getBytes(0, b);
    out.write(b, 0, b.length);
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
