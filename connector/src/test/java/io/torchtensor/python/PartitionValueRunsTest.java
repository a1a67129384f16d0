package io.torchtensor.python;

import io.torchtensor.source.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * String, date, timestamp and decimal partition columns keep the column hand-off: they get no file,
 * and the answer's runs of values, expanded, are row for row the values {@code collect()} gives
 * beside the file columns' rows, for whole files, files split into several slices, and limits that
 * end inside a file. Uses {@code build/testdata/spark/partitioned} ({@code split} string, {@code day}
 * date with a null, {@code labels} int64) and {@code build/testdata/spark/partitioned_types}.
 */
class PartitionValueRunsTest {
  private static SparkSession spark;
  private static String partitioned;
  private static String types;

  @BeforeAll
  static void start() {
    Path root = SparkTestSupport.testdata("spark/partitioned", "spark/partitioned_types");
    partitioned = root.resolve("spark/partitioned").toString();
    types = root.resolve("spark/partitioned_types").toString();
    // Its own SQL conf (UTC) over the shared session's context, so other tests keep theirs.
    spark = SparkTestSupport.spark().newSession();
    spark.conf().set("spark.sql.session.timeZone", "UTC");
  }

  /** Hands {@code df} off as columns and checks every column, file or runs, against {@code collect()}. */
  private static JsonNode sameAsCollected(Dataset<Row> df, Path dir) throws Exception {
    JsonNode answer = new ObjectMapper().readTree(ArrowHandoff.writeColumns(df, dir.toString()));
    assertThat(answer.path("mode").asText()).as("answer %s", answer).isEqualTo("columns");
    List<Row> rows = df.collectAsList();
    assertThat(answer.get("rows").asLong()).isEqualTo(rows.size());
    StructField[] fields = df.schema().fields();
    for (int c = 0; c < fields.length; c++) {
      JsonNode col = null;
      for (JsonNode node : answer.get("columns")) {
        col = node.get("name").asText().equals(fields[c].name()) ? node : col;
      }
      assertThat(col).as("column %s in %s", fields[c].name(), answer).isNotNull();
      List<Object> got = new ArrayList<>();
      if (col.has("runs")) {
        assertThat(col.has("path")).isFalse();
        for (JsonNode run : col.get("runs")) {
          assertThat(run.get(0).asLong()).isPositive();
          for (long r = 0; r < run.get(0).asLong(); r++) {
            got.add(run.get(1).isNull() ? null : run.get(1).isTextual() ? run.get(1).asText() : run.get(1).asLong());
          }
        }
      } else {
        assertThat(fields[c].dataType()).isInstanceOf(LongType.class);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Paths.get(col.get("path").asText())))
            .order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < b.capacity() / 8; r++) {
          got.add(b.getLong(r * 8));
        }
      }
      List<Object> want = new ArrayList<>();
      for (Row row : rows) {
        want.add(rendered(row, c, fields[c]));
      }
      assertThat(got).as("column %s", fields[c].name()).isEqualTo(want);
    }
    return answer;
  }

  /** What the runs hold for a value of {@code collect()}: days, UTC microseconds, plain decimals. */
  private static Object rendered(Row row, int c, StructField f) {
    if (row.isNullAt(c)) {
      return null;
    } else if (f.dataType() instanceof StringType) {
      return row.getString(c);
    } else if (f.dataType() instanceof DateType) {
      return row.getDate(c).toLocalDate().toEpochDay();
    } else if (f.dataType() instanceof TimestampType) {
      return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, row.getTimestamp(c).toInstant());
    } else if (f.dataType() instanceof DecimalType) {
      return row.getDecimal(c).toPlainString();
    }
    return row.getLong(c);
  }

  @Test
  void stringAndDatePartitionColumnsAreRunsBesideTheFiles(@TempDir Path dir) throws Exception {
    Dataset<Row> df = spark.read().format("torchtensor").load(partitioned).select("split", "labels", "day");
    JsonNode answer = sameAsCollected(df, dir);
    assertThat(answer.get("columns")).hasSize(3);
    // the null day of the Hive default partition is a null run
    assertThat(answer.get("columns").toString()).contains("null]");
    // a partition filter keeps the path, and one file's rows are one run
    JsonNode train = sameAsCollected(df.where("split = 'train'"), dir.resolve("train"));
    assertThat(train.get("columns").get(1).get("runs").toString()).isEqualTo("[[15,\"train\"]]");
    // limits that end inside a file (5 and 7 rows the first two) or a partition
    for (int n : new int[] {3, 6, 13, 14, 19}) {
      JsonNode limited = sameAsCollected(df.limit(n), dir.resolve("limit" + n));
      assertThat(limited.get("rows").asLong()).isEqualTo(n);
    }
  }

  @Test
  void splitFilesAndLimitsCutTheRuns(@TempDir Path dir) throws Exception {
    Dataset<Row> df = spark.read().format("torchtensor").option("maxPartitionBytes", "300")
        .option("openCostInBytes", "0").load(partitioned).select("labels", "split", "day");
    assertThat(df.rdd().getNumPartitions()).isGreaterThan(4);
    sameAsCollected(df, dir.resolve("all"));
    for (int n : new int[] {1, 6, 13, 20, 21, 40}) {
      JsonNode answer = sameAsCollected(df.limit(n), dir.resolve("limit" + n));
      assertThat(answer.get("rows").asLong()).isEqualTo(Math.min(n, 21));
    }
  }

  @Test
  void partitionColumnsAloneOrRowsUnknownAheadUseTheIpcFiles(@TempDir Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Dataset<Row> alone = spark.read().format("torchtensor").load(partitioned).select("split", "day");
    JsonNode a = json.readTree(ArrowHandoff.writeColumns(alone, dir.resolve("alone").toString()));
    assertThat(a.get("fast").asBoolean()).isTrue();
    assertThat(a.path("mode").asText()).as("answer %s", a).isNotEqualTo("columns");
    assertThat(a.get("files").size()).isPositive();
    // DROPMALFORMED: the reader may drop a file, so no slice's rows are known ahead
    Dataset<Row> unknown = spark.read().format("torchtensor").option("mode", "DROPMALFORMED").load(partitioned)
        .select("labels", "split");
    JsonNode u = json.readTree(ArrowHandoff.writeColumns(unknown, dir.resolve("unknown").toString()));
    assertThat(u.path("mode").asText()).as("answer %s", u).isNotEqualTo("columns");
    assertThat(u.get("fast").asBoolean()).isTrue();
  }

  @Test
  void decimalAndTimestampPartitionColumns(@TempDir Path dir) throws Exception {
    Dataset<Row> df = spark.read().format("torchtensor").load(types).select("v", "dec", "ts", "s");
    JsonNode answer = sameAsCollected(df, dir);
    assertThat(answer.get("columns").toString()).contains("\"12345678901234567890\"");
  }
}
