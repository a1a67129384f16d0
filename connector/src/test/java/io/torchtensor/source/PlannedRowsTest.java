package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The rows each planned partition yields, known on the driver from the headers schema inference
 * read, against the rows the same scan's tasks actually emit: split files, packed files, a pushed
 * limit, selected keys and pruned columns; and no answer where rows are not known ahead.
 */
class PlannedRowsTest extends SparkTestSupport {

  private static DataFrameReader reader() {
    return spark().read().format("torchtensor");
  }

  private static BatchScanExec scan(Dataset<Row> df) {
    SparkPlan plan = df.queryExecution().executedPlan();
    for (SparkPlan p : CollectionConverters.asJava(plan.collectLeaves())) {
      if (p instanceof BatchScanExec b) {
        return b;
      }
    }
    throw new AssertionError("no torchtensor scan in plan " + plan);
  }

  private static long[] planned(Dataset<Row> df) {
    BatchScanExec b = scan(df);
    List<InputPartition> parts = CollectionConverters.asJava(b.inputPartitions());
    return PlannedRows.perPartition(b.scan(), parts);
  }

  /** Rows per partition as the scan's tasks emit them. */
  private static long[] emitted(Dataset<Row> df) {
    List<long[]> counted = scan(df).executeColumnar().toJavaRDD().mapPartitionsWithIndex((index, it) -> {
      long n = 0;
      while (it.hasNext()) {
        n += it.next().numRows();
      }
      return Collections.singletonList(new long[] {index, n}).iterator();
    }, false).collect();
    long[] out = new long[counted.size()];
    for (long[] c : counted) {
      out[(int) c[0]] = c[1];
    }
    return out;
  }

  @Test
  void splitFileRowsMatchTheTasks() {
    Dataset<Row> df = reader().option("maxPartitionBytes", "300000").load(data("big"));
    long[] planned = planned(df);
    assertThat(planned).hasSizeGreaterThan(1).isEqualTo(emitted(df));
    assertThat(java.util.Arrays.stream(planned).sum()).isEqualTo(10007);
  }

  @Test
  void packedAndSplitShardsMatchTheTasks() {
    String shards = testdata().resolve("python/shards").toString();
    Dataset<Row> df = reader().option("maxPartitionBytes", "9000").option("openCostInBytes", "0").load(shards);
    long[] planned = planned(df);
    assertThat(planned).hasSizeGreaterThan(4).isEqualTo(emitted(df));
    assertThat(java.util.Arrays.stream(planned).sum()).isEqualTo(100);
    Dataset<Row> packed = reader().load(shards);
    assertThat(planned(packed)).isEqualTo(emitted(packed));
  }

  @Test
  void pushedLimitCapsEveryPartition() {
    Dataset<Row> df = reader().option("maxPartitionBytes", "300000").load(data("big")).limit(400);
    long[] planned = planned(df);
    assertThat(planned).hasSizeGreaterThan(1).containsOnly(400).isEqualTo(emitted(df));
  }

  @Test
  void selectedKeysAndPrunedColumnsCountTheSameRows() {
    String shards = testdata().resolve("python/shards").toString();
    Dataset<Row> keyed = reader().option("keys", "labels").option("maxPartitionBytes", "9000")
        .option("openCostInBytes", "0").load(shards);
    assertThat(planned(keyed)).isEqualTo(emitted(keyed));
    Dataset<Row> pruned = reader().option("maxPartitionBytes", "9000").option("openCostInBytes", "0")
        .load(shards).select("features");
    assertThat(planned(pruned)).isEqualTo(emitted(pruned));
  }

  @Test
  void unknownWhereFilesMayBeSkippedOrTheRowsAreNotInferred() {
    String shards = testdata().resolve("python/shards").toString();
    assertThat(planned(reader().option("mode", "DROPMALFORMED").load(shards))).isNull();
    assertThat(planned(reader().option("ignoreCorruptFiles", "true").load(shards))).isNull();
    assertThat(planned(reader().option("ignoreMissingFiles", "true").load(shards))).isNull();
    assertThat(planned(reader().schema(reader().load(shards).schema()).load(shards))).isNull();
    assertThat(planned(reader().option("layout", "tensors").load(shards))).isNull();
    assertThat(planned(reader().load(shards))).isNotNull();
  }
}
