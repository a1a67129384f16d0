package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.FilterExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.junit.jupiter.api.Test;

/**
 * Filters on partition columns are decided per file at planning: the scan's files, bytes and
 * tensors metrics show that only the kept directories' files are opened; filters on tensor columns
 * stay with Spark (a Filter node above the scan). Both layouts; column pruning and limits still hold.
 */
class PartitionFilterTest extends SparkTestSupport {

  private static final String TEST = "split=test/day=2024-01-01/shard-0.pt";

  private static Dataset<Row> load(String layout) {
    return spark().read().format("torchtensor").option("layout", layout).load(data("partitioned"));
  }

  /** Bytes a read of that one file alone reads (headers and data, as the reader counts them). */
  private static long bytesOfFileAlone(String layout, String leaf, String... columns) {
    Dataset<Row> alone = spark().read().format("torchtensor").option("layout", layout)
        .load(data("partitioned/" + leaf));
    alone = columns.length == 0 ? alone : alone.selectExpr(columns);
    alone.collectAsList();
    return metric(alone, "bytesRead");
  }

  private static boolean sparkFilters(Dataset<Row> df) {
    SparkPlan plan = df.queryExecution().executedPlan();
    return !plan.collect(new scala.PartialFunction<SparkPlan, SparkPlan>() {
      @Override
      public boolean isDefinedAt(SparkPlan p) {
        return p instanceof FilterExec;
      }

      @Override
      public SparkPlan apply(SparkPlan p) {
        return p;
      }
    }).isEmpty();
  }

  @Test
  void aPartitionFilterReadsOnlyThatPartitionsBytes() {
    Dataset<Row> test = load("rows").where("split = 'test'");
    List<Row> rows = test.collectAsList();
    assertThat(rows).hasSize(expected("spark/partitioned/" + TEST).get("nrows").asInt());
    assertThat(Values.columnSha(rows, "labels"))
        .isEqualTo(expected("spark/partitioned/" + TEST).get("spark_sha256").get("labels").asText());
    assertThat(metric(test, "filesRead")).isEqualTo(1);
    assertThat(metric(test, "bytesRead")).isPositive().isEqualTo(bytesOfFileAlone("rows", TEST));
    assertThat(sparkFilters(test)).as("the partition filter is decided by the scan").isFalse();
    assertThat(test.queryExecution().executedPlan().toString()).contains("files=1 of 5");

    Dataset<Row> all = load("rows");
    all.collectAsList();
    assertThat(metric(all, "filesRead")).isEqualTo(5);
    assertThat(metric(all, "bytesRead")).isGreaterThan(4 * bytesOfFileAlone("rows", TEST));
  }

  @Test
  void dateRangesNullsAndInListsPrune() {
    Dataset<Row> day2 = load("rows").where("day > DATE'2024-01-01'");
    assertThat(day2.collectAsList()).hasSize(3);
    assertThat(metric(day2, "filesRead")).isEqualTo(1);
    Dataset<Row> nulls = load("rows").where("day IS NULL");
    assertThat(nulls.collectAsList()).extracting(r -> r.getString(r.fieldIndex("split"))).containsOnly("a=b c");
    assertThat(metric(nulls, "filesRead")).isEqualTo(1);
    // Null days are neither in nor out of a list: the Hive default partition is pruned by both.
    Dataset<Row> in = load("rows").where("day IN (DATE'2024-01-01') AND split <> 'train'");
    assertThat(in.collectAsList()).hasSize(4);
    assertThat(metric(in, "filesRead")).isEqualTo(1);
    Dataset<Row> notIn = load("rows").where("NOT (day IN (DATE'2024-01-01'))");
    assertThat(notIn.collectAsList()).hasSize(3);
    assertThat(metric(notIn, "filesRead")).isEqualTo(1);
  }

  @Test
  void tensorColumnFiltersStayWithSpark() {
    Dataset<Row> df = load("rows").where("split = 'train' AND labels > 500");
    List<Row> rows = df.collectAsList();
    assertThat(sparkFilters(df)).isTrue();
    assertThat(metric(df, "filesRead")).isEqualTo(3);
    assertThat(rows).isNotEmpty().allSatisfy(r -> {
      assertThat(r.getLong(r.fieldIndex("labels"))).isGreaterThan(500);
      assertThat(r.getString(r.fieldIndex("split"))).isEqualTo("train");
    });
    Dataset<Row> or = load("rows").where("split = 'test' OR labels > 500");
    or.collectAsList();
    assertThat(metric(or, "filesRead")).isEqualTo(5);
  }

  @Test
  void partitionColumnsAloneReadNoTensorBytes() {
    Dataset<Row> count = load("rows").where("split = 'train'").groupBy().count();
    assertThat(count.collectAsList().get(0).getLong(0)).isEqualTo(15);
    assertThat(metric(count, "tensorsRead")).isZero();
    assertThat(metric(count, "filesRead")).isEqualTo(3);
    Dataset<Row> days = load("rows").select("day", "split");
    assertThat(days.collectAsList()).hasSize(21);
    assertThat(metric(days, "tensorsRead")).isZero();
    Dataset<Row> limited = load("rows").where("split = 'train'").select("split", "labels").limit(2);
    assertThat(limited.collectAsList()).hasSize(2).extracting(r -> r.getString(0)).containsOnly("train");
  }

  @Test
  void rowRangesOfSplitFilesKeepTheirFilesValues() {
    Dataset<Row> whole = load("rows").where("split = 'train'").select("labels", "day");
    Dataset<Row> split = spark().read().format("torchtensor").option("maxPartitionBytes", "700")
        .option("openCostInBytes", "0").load(data("partitioned")).where("split = 'train'").select("labels", "day");
    List<Row> rows = split.collectAsList();
    assertThat(split.rdd().getNumPartitions()).isGreaterThan(3);
    assertThat(rows).containsExactlyInAnyOrderElementsOf(whole.collectAsList());
    assertThat(rows).hasSize(15);
  }

  @Test
  void tensorsLayoutHasThePartitionColumnsAndPrunes() {
    Dataset<Row> df = load("tensors");
    assertThat(df.schema().fieldNames()).endsWith("data", "split", "day");
    Dataset<Row> test = df.where("split = 'test'").select("key", "split", "day", "data");
    List<Row> rows = test.collectAsList();
    assertThat(rows).extracting(r -> r.getString(0)).containsExactlyInAnyOrder("features", "labels");
    assertThat(rows).allSatisfy(r -> assertThat(r.getDate(2).toString()).isEqualTo("2024-01-01"));
    assertThat(metric(test, "filesRead")).isEqualTo(1);
    assertThat(metric(test, "bytesRead")).isEqualTo(bytesOfFileAlone("tensors", TEST, "key", "data"));
    assertThat(df.where("day IS NULL").count()).isEqualTo(2);
  }
}
