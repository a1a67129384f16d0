package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.torchtensor.format.RandomAccessInput;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads torch-written files from a real HDFS ({@link MiniHdfs}: NameNode and DataNode speaking the
 * production protocols) through {@code hdfs://} paths, in the shared local Spark session, and checks
 * the values against what torch recorded; then proves that a query on one column reads that
 * column's bytes by positioned reads, not the whole file.
 */
class HdfsReadTest extends SparkTestSupport {
  private static MiniHdfs hdfs;
  private static String shards;
  private static String wide;
  private static String partitioned;

  @BeforeAll
  static void startHdfs() throws Exception {
    var root = ClusterTestFiles.root();
    hdfs = new MiniHdfs();
    shards = hdfs.put(root.resolve("cluster/shards"), "/data/shards");
    wide = hdfs.put(root.resolve("cluster/wide.pt"), "/data/wide.pt");
    partitioned = hdfs.put(java.nio.file.Paths.get(data("partitioned")), "/data/partitioned");
  }

  @AfterAll
  static void stopHdfs() throws Exception {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  @Test
  void rowsOfAnHdfsFolderHoldTorchsValues() {
    Map<String, JsonNode> files = ClusterTestFiles.recorded("cluster/shards/");
    // Small batches: every shard gives several Arrow batches per partition.
    Dataset<Row> df = spark().read().format("torchtensor").option("batchRows", "300").load(shards);

    assertThat(df.schema().fieldNames()).containsExactlyInAnyOrder("id", "x", "w");
    assertThat(df.schema().apply("id").dataType()).isEqualTo(DataTypes.LongType);
    assertThat(df.schema().apply("x").dataType()).isEqualTo(new ArrayType(DataTypes.FloatType, false));
    assertThat(df.schema().apply("w").dataType()).isEqualTo(new ArrayType(DataTypes.DoubleType, false));

    List<Row> rows = new ArrayList<>(df.select("id", "x", "w").collectAsList());
    rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
    long total = files.values().stream().mapToLong(f -> ClusterTestFiles.tensor(f, "id").get("shape").get(0).asLong()).sum();
    assertThat(rows).hasSize(Math.toIntExact(total));
    for (JsonNode f : files.values()) {
      String name = f.get("file").asText();
      int start = f.get("row_start").asInt();
      ClusterTestFiles.assertColumnBytes(rows, start, "id", ClusterTestFiles.tensor(f, "id"), name);
      ClusterTestFiles.assertColumnBytes(rows, start, "x", ClusterTestFiles.tensor(f, "x"), name);
      ClusterTestFiles.assertColumnBytes(rows, start, "w", ClusterTestFiles.tensor(f, "w"), name);
    }
  }

  @Test
  void tensorsLayoutOfAnHdfsFolderHoldsTorchsBytes() {
    Map<String, JsonNode> files = ClusterTestFiles.recorded("cluster/shards/");
    List<Row> rows = spark().read().format("torchtensor").option("layout", "tensors").load(shards)
        .selectExpr("path", "key", "dtype", "shape", "sha2(data, 256)").collectAsList();

    Map<String, Row> byFileAndKey = new HashMap<>();
    for (Row r : rows) {
      assertThat(r.getString(0)).as("path column").startsWith(hdfs.uri() + "/data/shards/");
      String name = r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1);
      byFileAndKey.put(name + "#" + r.getString(1), r);
    }
    assertThat(byFileAndKey).hasSize(files.size() * 3);
    for (JsonNode f : files.values()) {
      String name = f.get("file").asText().substring("cluster/shards/".length());
      for (JsonNode t : f.get("tensors")) {
        Row r = byFileAndKey.get(name + "#" + t.get("key").asText());
        assertThat(r).as("%s %s", name, t.get("key")).isNotNull();
        assertThat(r.getString(2)).isEqualTo(t.get("dtype").asText());
        List<Long> shape = new ArrayList<>();
        t.get("shape").forEach(d -> shape.add(d.asLong()));
        assertThat(r.<Long>getList(3)).isEqualTo(shape);
        assertThat(r.getString(4)).as("%s %s SHA-256", name, t.get("key")).isEqualTo(t.get("sha256").asText());
      }
    }
  }

  /**
   * HDFS streams declare {@code in:preadbytebuffer}, so the reader's positioned reads go from the
   * DataNode straight into the destination buffer, across block boundaries (1 MiB blocks here).
   */
  @Test
  void hdfsFilesAreReadByPositionedReadsIntoByteBuffers() throws Exception {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(wide);
    long length = hdfs.fileSystem().getFileStatus(p).getLen();
    try (RandomAccessInput in = LocalFileInput.open(hdfs.fileSystem(), p, length, null)) {
      assertThat(in).isInstanceOf(HadoopInput.class);
      assertThat(((HadoopInput) in).readsIntoByteBuffers()).isTrue();
      // 3 MiB from just before the first block boundary: three blocks in one read.
      ByteBuffer direct = ByteBuffer.allocateDirect(3 << 20);
      in.readFully(MiniHdfs.BLOCK_SIZE - 100, direct);
      assertThat(direct.hasRemaining()).isFalse();
      byte[] local = Files.readAllBytes(ClusterTestFiles.root().resolve("cluster/wide.pt"));
      direct.flip();
      byte[] got = new byte[direct.remaining()];
      direct.get(got);
      assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(local, (int) MiniHdfs.BLOCK_SIZE - 100,
          (int) MiniHdfs.BLOCK_SIZE - 100 + (3 << 20)));
    }
  }

  /**
   * A query on column {@code b} of wide.pt (columns id, a, b: 8 KiB + 4 MiB + 4 MiB) must fetch
   * b's 4 MiB once, plus the archive's index (zip directory, data.pkl), and never a's bytes:
   * Hadoop's per-scheme read statistics count every byte the HDFS client hands over. Values are
   * checked against torch's float64 sum of b.
   */
  @Test
  void aOneColumnQueryReadsOnlyThatColumnsBytes() {
    JsonNode f = ClusterTestFiles.recorded("cluster/wide.pt").get("cluster/wide.pt");
    long bBytes = ClusterTestFiles.tensor(f, "b").get("nbytes").asLong();
    long fileBytes = ClusterTestFiles.root().resolve("cluster/wide.pt").toFile().length();

    long before = MiniHdfs.bytesRead();
    Row r = spark().read().format("torchtensor").load(wide)
        .selectExpr("count(*)", "sum(aggregate(b, 0D, (acc, v) -> acc + v))").first();
    long read = MiniHdfs.bytesRead() - before;

    assertThat(r.getLong(0)).isEqualTo(1024);
    assertThat(r.getDouble(1)).isCloseTo(f.get("column_sums").get("b").asDouble(), within(1e-6));
    assertThat(read)
        .as("bytes read from HDFS for one 4 MiB column of an %d-byte file", fileBytes)
        .isGreaterThanOrEqualTo(bBytes)
        // b's 4 MiB plus the index reads (zip directory, data.pkl; small reads are read ahead up to
        // 1 MiB) of schema inference and of the task: about 4.4 MiB measured; a's 4 MiB would double it.
        .isLessThan(bBytes + bBytes / 4);
  }

  /**
   * Hive-style directories on HDFS: the listing's {@code hdfs://} paths meet the loaded root, names
   * with escapes and spaces ({@code split=a%3Db c}) are unescaped, and a partition filter opens only
   * its directory's file.
   */
  @Test
  void partitionDirectoriesOnHdfsGiveColumnsAndPrune() {
    Dataset<Row> df = spark().read().format("torchtensor").load(partitioned);
    assertThat(df.schema().fieldNames()).endsWith("split", "day");
    assertThat(df.schema().apply("day").dataType()).isEqualTo(DataTypes.DateType);
    assertThat(df.count()).isEqualTo(21);
    assertThat(df.where("split = 'a=b c' AND day IS NULL").count()).isPositive();

    String test = "split=test/day=2024-01-01/shard-0.pt";
    Dataset<Row> one = df.where("split = 'test'").select("labels", "day");
    List<Row> rows = one.collectAsList();
    assertThat(rows).hasSize(expected("spark/partitioned/" + test).get("nrows").asInt())
        .allSatisfy(r -> assertThat(r.getDate(1).toString()).isEqualTo("2024-01-01"));
    assertThat(Values.columnSha(rows, "labels"))
        .isEqualTo(expected("spark/partitioned/" + test).get("spark_sha256").get("labels").asText());
    assertThat(metric(one, "filesRead")).isEqualTo(1);

    Dataset<Row> based = spark().read().format("torchtensor").option("basePath", partitioned)
        .load(partitioned + "/split=train");
    assertThat(based.select("split").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactly("train");
  }
}
