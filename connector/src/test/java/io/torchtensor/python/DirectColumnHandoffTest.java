package io.torchtensor.python;

import io.torchtensor.source.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.FloatType$;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.ShortType$;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-copy column hand-off places every partition's rows where {@code collect()} has them, in
 * one Spark job when the connector knows the partitions' rows from the headers it read at load
 * time (multi-file, split-file, limited and key-selected reads), and in two (a counting job first)
 * where it does not (a user schema, {@code mode=DROPMALFORMED}). Jobs are counted by a listener.
 * Uses {@code build/testdata/python/shards} (4 files, 100 rows of {@code features} float32 [3, 8, 8]
 * and {@code labels} int64) and {@code build/testdata/spark/big} (10007 rows of {@code x} float32
 * [61] and {@code idx} int64).
 */
class DirectColumnHandoffTest {
  private static final AtomicInteger JOBS = new AtomicInteger();
  private static final SparkListener JOB_COUNTER = new SparkListener() {
    @Override
    public void onJobStart(SparkListenerJobStart start) {
      JOBS.incrementAndGet();
    }
  };
  private static SparkSession spark;
  private static String shards;
  private static String big;
  private static String images;
  private static JsonNode lastAnswer;

  @BeforeAll
  static void start() {
    Path root = SparkTestSupport.testdata("python/shards", "spark/big");
    shards = root.resolve("python/shards").toString();
    big = root.resolve("spark/big").toString();
    images = root.resolve("python/images.pt").toString();
    spark = SparkTestSupport.spark(); // local[2], AQE off: executed plans keep their scan node
    spark.sparkContext().addSparkListener(JOB_COUNTER);
  }

  @AfterAll
  static void stop() {
    spark.sparkContext().removeSparkListener(JOB_COUNTER);
  }

  private static DataFrameReader split(String maxPartitionBytes) {
    return spark.read().format("torchtensor").option("maxPartitionBytes", maxPartitionBytes)
        .option("openCostInBytes", "0");
  }

  /** Hands {@code df} off as column files, checks them against {@code collect()}; the jobs it ran. */
  private static int placedAsCollected(Dataset<Row> df, Path dir) throws Exception {
    spark.sparkContext().listenerBus().waitUntilEmpty();
    int before = JOBS.get();
    JsonNode answer = new ObjectMapper().readTree(ArrowHandoff.writeColumns(df, dir.toString()));
    lastAnswer = answer;
    spark.sparkContext().listenerBus().waitUntilEmpty();
    int jobs = JOBS.get() - before;
    assertThat(answer.get("mode").asText()).isEqualTo("columns");
    List<Row> rows = df.collectAsList();
    assertThat(answer.get("rows").asLong()).isEqualTo(rows.size());
    StructField[] fields = df.schema().fields();
    for (int c = 0; c < fields.length; c++) {
      JsonNode col = answer.get("columns").get(c);
      assertThat(col.get("name").asText()).isEqualTo(fields[c].name());
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Paths.get(col.get("path").asText())))
          .order(ByteOrder.LITTLE_ENDIAN);
      long rowBytes = col.get("row_bytes").asLong();
      assertThat((long) b.capacity()).isEqualTo(rows.size() * rowBytes);
      for (int r = 0; r < rows.size(); r++) {
        if (fields[c].dataType() instanceof ArrayType at && at.elementType() instanceof ShortType) {
          List<Short> want = rows.get(r).getList(c);
          for (int v = 0; v < want.size(); v++) {
            assertThat(b.getShort((int) (r * rowBytes) + v * 2)).as("row %d of %s", r, fields[c].name())
                .isEqualTo(want.get(v));
          }
        } else if (fields[c].dataType() instanceof LongType) {
          assertThat(b.getLong(r * 8)).as("row %d of %s", r, fields[c].name()).isEqualTo(rows.get(r).getLong(c));
        } else if (fields[c].dataType() instanceof ArrayType) {
          List<Float> want = rows.get(r).getList(c);
          for (int v = 0; v < want.size(); v++) {
            assertThat(b.getFloat((int) (r * rowBytes) + v * 4)).as("row %d of %s", r, fields[c].name())
                .isEqualTo(want.get(v));
          }
        } else {
          fail("unexpected column type " + fields[c].dataType());
        }
      }
    }
    return jobs;
  }

  @Test
  void filesPackedIntoPartitionsInOneJob(@TempDir Path dir) throws Exception {
    assertThat(placedAsCollected(spark.read().format("torchtensor").load(shards), dir)).isEqualTo(1);
  }

  @Test
  void splitAndPackedFilesInOneJob(@TempDir Path dir) throws Exception {
    Dataset<Row> df = split("9000").load(shards);
    assertThat(df.rdd().getNumPartitions()).isGreaterThan(4);
    assertThat(placedAsCollected(df, dir)).isEqualTo(1);
  }

  @Test
  void splitFileInOneJob(@TempDir Path dir) throws Exception {
    Dataset<Row> df = split("300000").load(big);
    assertThat(df.rdd().getNumPartitions()).isGreaterThan(1);
    assertThat(placedAsCollected(df.select("idx", "x"), dir)).isEqualTo(1);
  }

  @Test
  void limitAcrossPartitionsInOneJob(@TempDir Path dir) throws Exception {
    // ~1190 rows per partition: the limit ends inside the third partition.
    assertThat(placedAsCollected(split("300000").load(big).limit(2500), dir)).isEqualTo(1);
  }

  @Test
  void selectedKeysAndPrunedColumnsInOneJob(@TempDir Path dir) throws Exception {
    assertThat(placedAsCollected(split("9000").option("keys", "labels").load(shards), dir.resolve("keys")))
        .isEqualTo(1);
    assertThat(placedAsCollected(split("9000").load(shards).select("labels"), dir.resolve("pruned")))
        .isEqualTo(1);
  }

  @Test
  void rowsNotKnownAheadAreCountedFirst(@TempDir Path dir) throws Exception {
    Dataset<Row> inferred = split("9000").load(shards);
    Dataset<Row> userSchema = split("9000").schema(inferred.schema()).load(shards);
    assertThat(placedAsCollected(userSchema, dir.resolve("schema"))).isEqualTo(2);
    Dataset<Row> dropMalformed = split("9000").option("mode", "DROPMALFORMED").load(shards).limit(61);
    assertThat(placedAsCollected(dropMalformed, dir.resolve("drop"))).isEqualTo(2);
  }

  @Test
  void plainColumnsCopiedFileToFile(@TempDir Path dir) throws Exception {
    // float32 [3, 8, 8] and int64 rows are their storage bytes: every partition copies file to file.
    Dataset<Row> df = split("9000").load(shards);
    assertThat(((ArrayType) df.schema().apply("features").dataType()).elementType()).isEqualTo(FloatType$.MODULE$);
    assertThat(placedAsCollected(df, dir.resolve("all"))).isEqualTo(1);
    assertThat(lastAnswer.get("direct_partitions").asLong()).isEqualTo(df.rdd().getNumPartitions());
    // A row range of a split file, cut by a limit inside a partition.
    Dataset<Row> limited = split("300000").load(big).select("x").limit(2500);
    assertThat(placedAsCollected(limited, dir.resolve("limit"))).isEqualTo(1);
    assertThat(lastAnswer.get("direct_partitions").asLong()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void widenedColumnGoesThroughArrow(@TempDir Path dir) throws Exception {
    // uint8 is widened to Spark shorts: its values are not the file's bytes, so no partition copies.
    Dataset<Row> df = spark.read().format("torchtensor").load(images);
    assertThat(df.schema().fields()).hasSize(1);
    assertThat(((ArrayType) df.schema().fields()[0].dataType()).elementType()).isEqualTo(ShortType$.MODULE$);
    assertThat(placedAsCollected(df, dir)).isEqualTo(1);
    assertThat(lastAnswer.get("direct_partitions").asLong()).isZero();
  }
}
