package io.torchtensor.python;

import io.torchtensor.source.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.torchtensor.source.DirectRowCopy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions whose columns are partly plain: the plain ones are copied file to file and the others
 * (widened uint8/bool, partition columns) are read alone as batches into the same column files.
 * complex64/128 rows are plain. Uses {@code build/testdata/spark/mixed} (3 torch files:
 * {@code features} float32 [N, 16], {@code label} uint8, {@code mask} bool [N, 3]),
 * {@code spark/complex} ({@code z64} complex64 [N, 3], {@code z128} complex128, {@code idx} int64)
 * and {@code spark/partitioned_types} ({@code v} int64 under int/long/double partition directories),
 * checked against the values torch recorded ({@code spark_sha256} of {@code expected.jsonl}) and
 * against {@code collect()}.
 */
class MixedColumnHandoffTest {
  private static SparkSession spark;
  private static Path root;

  @BeforeAll
  static void start() {
    root = SparkTestSupport.testdata("spark/mixed", "spark/complex");
    spark = SparkTestSupport.spark(); // local[2], AQE off: executed plans keep their scan node
  }

  private static DataFrameReader reader() {
    return spark.read().format("torchtensor");
  }

  private static DataFrameReader split(String maxPartitionBytes) {
    return reader().option("maxPartitionBytes", maxPartitionBytes).option("openCostInBytes", "0");
  }

  private static JsonNode handoff(Dataset<Row> df, Path dir) throws Exception {
    JsonNode answer = new ObjectMapper().readTree(ArrowHandoff.writeColumns(df, dir.toString()));
    assertThat(answer.get("mode").asText()).isEqualTo("columns");
    return answer;
  }

  private static JsonNode column(JsonNode answer, String name) {
    for (JsonNode c : answer.get("columns")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no column " + name + " in " + answer);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** Each column file of one torch file holds torch's values: the SHA-256 torch recorded. */
  private static void equalsTorch(String rel, JsonNode answer) throws Exception {
    JsonNode want = SparkTestSupport.expected(rel).get("spark_sha256");
    assertThat(answer.get("rows").asLong()).isEqualTo(SparkTestSupport.expected(rel).get("nrows").asLong());
    for (JsonNode c : answer.get("columns")) {
      assertThat(sha256(Paths.get(c.get("path").asText()))).as("%s of %s", c.get("name").asText(), rel)
          .isEqualTo(want.get(c.get("name").asText()).asText());
    }
  }

  @Test
  void plainColumnCopiedFileToFileBesideWidenedOnes(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 3; i++) {
      String rel = "spark/mixed/part-" + i + ".pt";
      JsonNode answer = handoff(reader().load(root.resolve(rel).toString()), dir.resolve("f" + i));
      assertThat(answer.get("partitions").asLong()).isEqualTo(1);
      assertThat(answer.get("mixed_partitions").asLong()).as(rel).isEqualTo(1);
      assertThat(answer.get("direct_partitions").asLong()).isZero();
      assertThat(column(answer, "features").get("direct_partitions").asLong()).isEqualTo(1);
      assertThat(column(answer, "label").get("direct_partitions").asLong()).isZero();
      assertThat(column(answer, "mask").get("direct_partitions").asLong()).isZero();
      equalsTorch(rel, answer);
    }
  }

  @Test
  void complexRowsAreCopiedFileToFile(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 2; i++) {
      String rel = "spark/complex/part-" + i + ".pt";
      JsonNode answer = handoff(reader().load(root.resolve(rel).toString()), dir.resolve("f" + i));
      assertThat(answer.get("direct_partitions").asLong()).as(rel).isEqualTo(1);
      assertThat(answer.get("mixed_partitions").asLong()).isZero();
      for (String c : List.of("z64", "z128", "idx")) {
        assertThat(column(answer, c).get("direct_partitions").asLong()).as(c).isEqualTo(1);
      }
      assertThat(column(answer, "z64").get("row_bytes").asLong()).isEqualTo(3 * 8);
      assertThat(column(answer, "z128").get("row_bytes").asLong()).isEqualTo(16);
      equalsTorch(rel, answer);
    }
    Dataset<Row> both = split("2000").load(root.resolve("spark/complex").toString());
    JsonNode answer = handoff(both, dir.resolve("both"));
    assertThat(answer.get("direct_partitions").asLong()).isEqualTo(both.rdd().getNumPartitions()).isGreaterThan(2);
    placedAsCollected(both, answer);
  }

  @Test
  void splitFilesAndLimitsPlaceBothHalvesAsCollected(@TempDir Path dir) throws Exception {
    String folder = root.resolve("spark/mixed").toString();
    // Row ranges of the two larger files; columns reordered, one named twice.
    Dataset<Row> df = split("20000").load(folder).select("mask", "features", "label", "mask");
    int parts = df.rdd().getNumPartitions();
    assertThat(parts).isGreaterThan(3);
    JsonNode answer = handoff(df, dir.resolve("split"));
    assertThat(answer.get("mixed_partitions").asLong()).isEqualTo(parts);
    assertThat(column(answer, "features").get("direct_partitions").asLong()).isEqualTo(parts);
    placedAsCollected(df, answer);
    // A limit ending inside a partition: both halves stop at the same row.
    for (int limit : new int[] {1, 450, 1000}) {
      Dataset<Row> limited = split("20000").load(folder).limit(limit);
      JsonNode a = handoff(limited, dir.resolve("limit" + limit));
      assertThat(a.get("rows").asLong()).isEqualTo(limit);
      assertThat(a.get("mixed_partitions").asLong()).isGreaterThanOrEqualTo(1);
      placedAsCollected(limited, a);
    }
  }

  @Test
  void partitionColumnsComeFromTheReaderBesideCopiedRows(@TempDir Path dir) throws Exception {
    Dataset<Row> df = reader().load(root.resolve("spark/partitioned_types").toString()).select("i", "v", "l", "d");
    JsonNode answer = handoff(df, dir);
    assertThat(answer.get("mixed_partitions").asLong()).isEqualTo(df.rdd().getNumPartitions());
    assertThat(column(answer, "v").get("direct_partitions").asLong()).isEqualTo(df.rdd().getNumPartitions());
    assertThat(column(answer, "i").get("direct_partitions").asLong()).isZero();
    placedAsCollected(df, answer);
  }

  @Test
  void halvesThatDisagreeOnTheRowsFailTheTask(@TempDir Path dir) throws Exception {
    // The reader of the columns not copied is held to the rows the copy wrote: told a row count
    // other than the file's 300 (as after a file rewritten between the two reads), it fails by name.
    String rel = "spark/mixed/part-0.pt";
    Dataset<Row> df = reader().load(root.resolve(rel).toString()).select("features", "label");
    PlainScanPlan plan = PlainScanPlan.match(df.queryExecution().executedPlan());
    assertThat(plan.matched()).isTrue();
    DirectRowCopy direct = DirectRowCopy.of(plan.scan().scan(),
        scala.jdk.javaapi.CollectionConverters.asJava(plan.scan().inputPartitions()), plan.scan().readerFactory());
    assertThat(direct.readsColumns()).isTrue();
    boolean[] copied = {true, false};
    long[] rowBytes = {16 * 4, 2};
    for (long want : new long[] {301, 299, 300}) {
      String[] paths = {dir.resolve(want + "-features").toString(), dir.resolve(want + "-label").toString()};
      for (int i = 0; i < 2; i++) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(paths[i], "rw")) {
          f.setLength(want * rowBytes[i]);
        }
      }
      if (want != 300) {
        assertThatThrownBy(() -> LeftColumnsRead.read(direct, 0, copied, plan.ordinals(), rowBytes, paths, 0, want,
            false)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("partition 0: " + want + " rows copied file to file")
            .hasMessageContaining("read 300");
      } else {
        LeftColumnsRead.Result r = LeftColumnsRead.read(direct, 0, copied, plan.ordinals(), rowBytes, paths, 0, want,
            false);
        assertThat(r.written()).isTrue();
        assertThat(sha256(Paths.get(paths[1])))
            .isEqualTo(SparkTestSupport.expected(rel).get("spark_sha256").get("label").asText());
      }
    }
    // A limit ending inside the partition: the reader may hold more rows than it writes.
    String[] cut = {dir.resolve("cut-features").toString(), dir.resolve("cut-label").toString()};
    for (String p : cut) {
      Files.write(Paths.get(p), new byte[0]);
    }
    assertThat(LeftColumnsRead.read(direct, 0, copied, plan.ordinals(), rowBytes, cut, 0, 120, true).written()).isTrue();
    assertThat(Files.size(Paths.get(cut[1]))).isEqualTo(240);
  }

  /** Every column file holds {@code collect()}'s values, row by row at its place. */
  private static void placedAsCollected(Dataset<Row> df, JsonNode answer) throws Exception {
    List<Row> rows = df.collectAsList();
    assertThat(answer.get("rows").asLong()).isEqualTo(rows.size());
    StructField[] fields = df.schema().fields();
    for (int c = 0; c < fields.length; c++) {
      JsonNode col = answer.get("columns").get(c);
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Paths.get(col.get("path").asText())))
          .order(ByteOrder.LITTLE_ENDIAN);
      int rowBytes = col.get("row_bytes").intValue();
      assertThat((long) b.capacity()).isEqualTo((long) rows.size() * rowBytes);
      DataType t = fields[c].dataType();
      DataType element = t instanceof ArrayType at ? at.elementType() : t;
      for (int r = 0; r < rows.size(); r++) {
        List<Object> want = t instanceof ArrayType ? rows.get(r).getList(c) : List.of(rows.get(r).get(c));
        for (int v = 0; v < want.size(); v++) {
          assertThat(value(b, element, r * rowBytes, v)).as("row %d of %s", r, fields[c].name())
              .isEqualTo(want.get(v));
        }
      }
    }
  }

  private static Object value(ByteBuffer b, DataType element, int row, int v) {
    if (element instanceof FloatType) {
      return b.getFloat(row + v * 4);
    } else if (element instanceof DoubleType) {
      return b.getDouble(row + v * 8);
    } else if (element instanceof LongType) {
      return b.getLong(row + v * 8);
    } else if (element instanceof IntegerType) {
      return b.getInt(row + v * 4);
    } else if (element instanceof ShortType) {
      return b.getShort(row + v * 2);
    } else if (element instanceof BooleanType) {
      byte x = b.get(row + v);
      assertThat(x).isBetween((byte) 0, (byte) 1);
      return x == 1;
    }
    throw new AssertionError("unexpected element type " + element);
  }
}
