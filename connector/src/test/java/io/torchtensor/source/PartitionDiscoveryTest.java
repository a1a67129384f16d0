package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Partition columns from Hive-style directories written next to torch-saved shards
 * ({@code testdata/cases_spark.py}, {@code partitioned*}): names, inferred types, values, escaped
 * names and the Hive default partition, basePath, a user schema, the recursiveFileLookup off-switch
 * and the directory structures Spark refuses.
 */
class PartitionDiscoveryTest extends SparkTestSupport {

  private static final String[] LEAVES = {
      "split=train/day=2024-01-01/shard-0.pt", "split=train/day=2024-01-01/shard-1.pt",
      "split=train/day=2024-01-02/shard-0.pt", "split=test/day=2024-01-01/shard-0.pt",
      "split=a%3Db c/day=__HIVE_DEFAULT_PARTITION__/shard-0.pt"};

  private static DataFrameReader read() {
    return spark().read().format("torchtensor");
  }

  private static long nrows(String leaf) {
    return expected("spark/partitioned/" + leaf).get("nrows").asLong();
  }

  @Test
  void partitionColumnsFollowTheTensorColumnsWithInferredTypes() {
    Dataset<Row> df = read().load(data("partitioned"));
    StructType s = df.schema();
    assertThat(s.fieldNames()).containsExactly("features", "labels", "split", "day");
    assertThat(s.apply("split").dataType()).isEqualTo(DataTypes.StringType);
    assertThat(s.apply("day").dataType()).isEqualTo(DataTypes.DateType);
    assertThat(s.apply("split").nullable()).isTrue();
    assertThat(s.apply("features").metadata().getString("torchtensor.dtype")).isEqualTo("float32");

    long total = 0;
    for (String leaf : LEAVES) {
      JsonNode part = expected("spark/partitioned/" + leaf).get("partition");
      String split = part.get("split").asText();
      String where = part.get("day").isNull() ? "day IS NULL" : "day = DATE'" + part.get("day").asText() + "'";
      List<Row> rows = df.where(df.col("split").equalTo(split)).where(where).select("labels", "split", "day")
          .collectAsList();
      long want = 0;
      for (String other : LEAVES) {
        JsonNode p = expected("spark/partitioned/" + other).get("partition");
        want += p.equals(part) ? nrows(other) : 0;
      }
      assertThat(rows).as(leaf).hasSize((int) want);
      for (Row r : rows) {
        assertThat(r.getString(1)).isEqualTo(split); // '%3D' read as '='
        if (part.get("day").isNull()) {
          assertThat(r.isNullAt(2)).isTrue(); // __HIVE_DEFAULT_PARTITION__
        } else {
          assertThat(r.getDate(2).toLocalDate()).isEqualTo(LocalDate.parse(part.get("day").asText()));
        }
      }
      if (want == nrows(leaf)) { // the only file of its directory: its labels, in file order
        assertThat(Values.columnSha(rows, "labels"))
            .isEqualTo(expected("spark/partitioned/" + leaf).get("spark_sha256").get("labels").asText());
      }
      total += nrows(leaf);
    }
    assertThat(df.count()).isEqualTo(total);
  }

  @Test
  void everyInferredTypeAndItsWidening() {
    Dataset<Row> df = read().load(data("partitioned_types"));
    StructType s = df.schema();
    assertThat(s.fieldNames()).containsExactly("v", "i", "l", "d", "dec", "ts", "s");
    assertThat(List.of(s.apply("i").dataType(), s.apply("l").dataType(), s.apply("d").dataType(),
        s.apply("dec").dataType(), s.apply("ts").dataType(), s.apply("s").dataType()))
        .containsExactly(DataTypes.IntegerType, DataTypes.LongType, DataTypes.DoubleType,
            DataTypes.createDecimalType(20, 0), DataTypes.TimestampType, DataTypes.StringType);
    List<Row> rows = df.orderBy("i", "v").collectAsList();
    assertThat(rows).hasSize(6);
    ZoneId zone = ZoneId.of(spark().conf().get("spark.sql.session.timeZone"));
    Row a = rows.get(0);
    assertThat(List.of(a.getInt(1), a.getLong(2), a.getDouble(3), a.getDecimal(4), a.getString(6)))
        .containsExactly(1, 3000000000L, 1.5, new BigDecimal("12345678901234567890"), "x1");
    assertThat(a.getTimestamp(5).toInstant())
        .isEqualTo(LocalDateTime.parse("2024-01-01T10:00:00").atZone(zone).toInstant()); // '%3A' read as ':'
    Row b = rows.get(3);
    assertThat(List.of(b.getInt(1), b.getLong(2), b.getDouble(3), b.getDecimal(4), b.getString(6)))
        .containsExactly(2, 5L, 2.0, new BigDecimal("7"), "007");
    assertThat(b.getTimestamp(5)).isEqualTo(Timestamp.from(LocalDate.parse("2024-01-02").atStartOfDay(zone).toInstant()));
  }

  @Test
  void withTypeInferenceOffEveryPartitionColumnIsAString() {
    String key = "spark.sql.sources.partitionColumnTypeInference.enabled";
    spark().conf().set(key, "false");
    try {
      Dataset<Row> df = read().load(data("partitioned_types"));
      for (String c : new String[] {"i", "l", "d", "dec", "ts", "s"}) {
        assertThat(df.schema().apply(c).dataType()).as(c).isEqualTo(DataTypes.StringType);
      }
      Row b = df.where("i = '2'").collectAsList().get(0);
      assertThat(b.getString(b.fieldIndex("ts"))).isEqualTo("2024-01-02");
      assertThat(b.getString(b.fieldIndex("s"))).isEqualTo("007");
      Row a = df.where("i = '1'").collectAsList().get(0);
      assertThat(a.getString(a.fieldIndex("ts"))).isEqualTo("2024-01-01 10:00:00");
      assertThat(read().load(data("partitioned")).schema().apply("day").dataType()).isEqualTo(DataTypes.StringType);
    } finally {
      spark().conf().unset(key);
    }
  }

  @Test
  void basePathKeepsTheColumnsOfTheDirectoriesLoaded() {
    String train = data("partitioned") + "/split=train";
    long rows = nrows(LEAVES[0]) + nrows(LEAVES[1]) + nrows(LEAVES[2]);
    Dataset<Row> plain = read().load(train);
    assertThat(plain.schema().fieldNames()).containsExactly("features", "labels", "day");
    assertThat(plain.count()).isEqualTo(rows);
    Dataset<Row> based = read().option("basePath", data("partitioned")).load(train);
    assertThat(based.schema().fieldNames()).containsExactly("features", "labels", "split", "day");
    assertThat(based.select("split").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactly("train");
    assertThatThrownBy(() -> read().option("basePath", data("partitioned_types")).load(train).count())
        .hasMessageContaining("basePath");
  }

  @Test
  void aUserSchemaTypesThePartitionColumnsItNames() {
    Dataset<Row> df = read().schema("labels BIGINT, day STRING").load(data("partitioned"));
    assertThat(df.schema().fieldNames()).containsExactly("labels", "split", "day");
    assertThat(df.schema().apply("day").dataType()).isEqualTo(DataTypes.StringType);
    List<Row> test = df.where("split = 'test'").collectAsList();
    assertThat(test).hasSize((int) nrows(LEAVES[3]));
    assertThat(test.get(0).getString(2)).isEqualTo("2024-01-01");
    assertThat(Values.columnSha(test, "labels"))
        .isEqualTo(expected("spark/partitioned/" + LEAVES[3]).get("spark_sha256").get("labels").asText());
    StructField day = read().schema("labels BIGINT, day DATE, split STRING").load(data("partitioned"))
        .schema().apply("day");
    assertThat(day.dataType()).isEqualTo(DataTypes.DateType);
  }

  @Test
  void aValueNotOfTheUserTypeFailsOrIsNullWithoutValidation() {
    assertThatThrownBy(() -> read().schema("labels BIGINT, split INT").load(data("partitioned")))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("partition column split").hasMessageContaining("cannot be read as int");
    String key = "spark.sql.sources.validatePartitionColumns";
    spark().conf().set(key, "false");
    try {
      Dataset<Row> df = read().schema("labels BIGINT, split INT").load(data("partitioned"));
      assertThat(df.where("split IS NULL").count()).isEqualTo(df.count());
    } finally {
      spark().conf().unset(key);
    }
  }

  @Test
  void recursiveFileLookupReadsEveryFileWithoutPartitionColumns() {
    Dataset<Row> df = read().option("recursiveFileLookup", "true").load(data("partitioned"));
    assertThat(df.schema().fieldNames()).containsExactly("features", "labels");
    long total = 0;
    for (String leaf : LEAVES) {
      total += nrows(leaf);
    }
    assertThat(df.count()).isEqualTo(total);
  }

  @Test
  void conflictingDirectoryStructuresFail() {
    assertThatThrownBy(() -> read().load(data("partitioned_conflict")))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("Conflicting partition column names")
        .hasMessageContaining("[a]").hasMessageContaining("[b]");
    assertThatThrownBy(() -> read().load(data("partitioned_mixed")))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("Conflicting directory structures")
        .hasMessageContaining("partitioned_mixed");
  }

  /** Spark refuses a partition column named twice along a path (COLUMN_ALREADY_EXISTS), in either case. */
  @Test
  void aColumnNamedTwiceAlongAPathFails(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path leaf = java.nio.file.Files.createDirectories(dir.resolve("a=1/A=2"));
    java.nio.file.Files.copy(java.nio.file.Paths.get(data("listing/a.pt")), leaf.resolve("f.pt"));
    assertThatThrownBy(() -> read().load(dir.toString()).collectAsList())
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("partition column a is named by two directories");
  }

  /** As Spark's file index, the timeZone option places timestamp partition values in its zone. */
  @Test
  void theTimeZoneOptionIsTheZoneOfTimestampValues() {
    Row r = read().option("timeZone", "America/Los_Angeles").load(data("partitioned_types"))
        .where("i = 1").select("ts").first();
    assertThat(r.getTimestamp(0).toInstant())
        .isEqualTo(LocalDateTime.parse("2024-01-01T10:00:00").atZone(ZoneId.of("America/Los_Angeles")).toInstant());
  }
}
