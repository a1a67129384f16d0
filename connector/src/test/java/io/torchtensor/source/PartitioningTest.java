package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Splitting a big rows-layout file into row ranges and packing small files, as Spark's file sources
 * plan: every row exactly once whatever the split size and batch size.
 */
class PartitioningTest extends SparkTestSupport {

  private static final int BIG_ROWS = 10007;

  private static Dataset<Row> big(String maxPartitionBytes, String batchRows, String batchBytes) {
    return spark().read().format("torchtensor")
        .option("maxPartitionBytes", maxPartitionBytes)
        .option("batchRows", batchRows)
        .option("batchBytes", batchBytes)
        .load(data("big"));
  }

  @ParameterizedTest(name = "maxPartitionBytes={0} batchRows={1} batchBytes={2}")
  @CsvSource({
      "300000, 4096, 64m",
      "300000, 1, 64m",
      "300000, 7, 64m",
      "299999, 1000, 64m",
      "100003, 100000, 64m",
      "1000003, 4096, 1000",
      "128m, 4096, 64m",
      "128m, 2147483647, 100g",
  })
  void everyRowExactlyOnce(String maxPartitionBytes, String batchRows, String batchBytes) {
    Dataset<Row> df = big(maxPartitionBytes, batchRows, batchBytes);
    List<Row> rows = df.orderBy("idx").collectAsList();
    assertThat(rows).hasSize(BIG_ROWS);
    for (int i = 0; i < BIG_ROWS; i++) {
      assertThat(rows.get(i).getLong(rows.get(i).fieldIndex("idx"))).isEqualTo(i);
    }
    assertThat(Values.columnSha(rows, "x"))
        .isEqualTo(expected("spark/big/big.pt").get("spark_sha256").get("x").asText());
  }

  @Test
  void bigFileIsSplitAtMaxPartitionBytes() {
    long len = expectedFileLength();
    assertThat(big("300000", "4096", "64m").rdd().getNumPartitions()).isEqualTo((int) ((len + 299999) / 300000));
    assertThat(big("128m", "4096", "64m").rdd().getNumPartitions()).isEqualTo(1);
  }

  @Test
  void batchesHoldBatchRowsOrBatchBytesRows() {
    Dataset<Row> byRows = big("128m", "4096", "64m");
    byRows.collectAsList();
    assertThat(metric(byRows, "batches")).isEqualTo((BIG_ROWS + 4095) / 4096);
    // A row of x (61 floats) and idx is over 250 bytes: a 1000-byte budget allows at most 3 rows.
    Dataset<Row> byBytes = big("128m", "4096", "1000");
    byBytes.collectAsList();
    assertThat(metric(byBytes, "batches")).isGreaterThanOrEqualTo(BIG_ROWS / 3);
    // At most one read call per column per batch beyond the header reads (small reads may share
    // the format reader's read-ahead window, so fewer is fine).
    Dataset<Row> count = big("128m", "4096", "64m").groupBy().count();
    count.collectAsList();
    long headerCalls = metric(count, "readCalls");
    assertThat(headerCalls).isPositive();
    assertThat(metric(byRows, "readCalls")).isLessThanOrEqualTo(headerCalls + 2L * metric(byRows, "batches"));
    assertThat(metric(byBytes, "readCalls")).isLessThanOrEqualTo(headerCalls + 2L * metric(byBytes, "batches"));
  }

  @Test
  void smallFilesArePackedIntoFewPartitions() {
    // Four files of at most 52 KB, each costing 4 MB to open: Spark's split size is the total over
    // the minimum partition count (2 in local[2]), so they pack into 2 tasks; 1 with minPartitionNum=1.
    Dataset<Row> rows = spark().read().format("torchtensor").load(data("shards"));
    assertThat(rows.rdd().getNumPartitions()).isEqualTo(2);
    assertThat(rows.count()).isEqualTo(119);
    spark().conf().set("spark.sql.files.minPartitionNum", "1");
    try {
      Dataset<Row> one = spark().read().format("torchtensor").load(data("shards"));
      assertThat(one.rdd().getNumPartitions()).isEqualTo(1);
      assertThat(one.count()).isEqualTo(119);
    } finally {
      spark().conf().unset("spark.sql.files.minPartitionNum");
    }
    Dataset<Row> tensors = spark().read().format("torchtensor").option("layout", "tensors")
        .option("maxPartitionBytes", "1").option("openCostInBytes", "0").load(data("shards"));
    assertThat(tensors.rdd().getNumPartitions()).isEqualTo(4);
    assertThat(tensors.count()).isEqualTo(8);
  }

  /** Huge batch settings still read correctly (their memory is measured in RowsFileBatchesTest). */
  @Test
  void hugeBatchSettingsAllocateOnlyWhatTheSliceNeeds() {
    Dataset<Row> df = spark().read().format("torchtensor").option("batchRows", "2147483647")
        .option("batchBytes", "100g").load(data("shards/part-3.pt"));
    assertThat(Values.columnSha(df.collectAsList(), "features"))
        .isEqualTo(expected("spark/shards/part-3.pt").get("spark_sha256").get("features").asText());
    assertThat(metric(df, "batches")).isEqualTo(1);
  }

  @Test
  void limitStopsReadingEarly() {
    Dataset<Row> df = big("128m", "100", "64m").limit(250);
    assertThat(df.collectAsList()).hasSize(250);
    assertThat(metric(df, "batches")).isEqualTo(3);
  }

  private static long expectedFileLength() {
    return new java.io.File(data("big/big.pt")).length();
  }
}
