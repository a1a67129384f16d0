package io.torchtensor.python;

import io.torchtensor.source.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.torchtensor.source.TorchTensorMetrics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.ui.SQLAppStatusStore;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The scan metrics of a hand-off are what was read, whichever way a partition went: copied file to
 * file ({@code writeColumns}, every partition direct), read as Arrow batches for IPC files
 * ({@code write}) or for {@code collect()}. Each way runs on a fresh DataFrame, so each plan's
 * metrics hold one run. Uses {@code build/testdata/python/shards} (4 torch files, 100 rows of
 * {@code features} float32 [3, 8, 8] and {@code labels} int64) and the tensor sizes torch recorded
 * for them in {@code expected.jsonl}; {@code spark/mixed} for a partition read both ways.
 */
class HandoffMetricsTest {
  private static final String[] FILES = {"part-00000.pt", "part-00001.pt", "part-00002.pt", "part-00003.pt"};
  private static SparkSession spark;
  private static Path root;

  @BeforeAll
  static void start() {
    root = SparkTestSupport.testdata("python/shards");
    spark = SparkTestSupport.spark(); // local[2], AQE off: executed plans keep their scan node
  }

  private static DataFrameReader reader() {
    return spark.read().format("torchtensor");
  }

  private static String shards() {
    return root.resolve("python/shards").toString();
  }

  private static BatchScanExec scan(Dataset<Row> df) {
    for (SparkPlan p : CollectionConverters.asJava(df.queryExecution().executedPlan().collectLeaves())) {
      if (p instanceof BatchScanExec bs) {
        return bs;
      }
    }
    throw new AssertionError("no scan in " + df.queryExecution().executedPlan());
  }

  /** The scan node's metrics (driver side, merged from the tasks): the connector's and output rows. */
  private static Map<String, Long> metrics(Dataset<Row> df) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : List.of("filesRead", "tensorsRead", "bytesRead", "readCalls", "batches", "filesDropped",
        "numOutputRows")) {
      out.put(name, scan(df).metrics().apply(name).value());
    }
    return out;
  }

  /** Sum of the recorded byte sizes of the given tensors over the 4 shard files. */
  private static long tensorBytes(Set<String> keys) throws Exception {
    long sum = 0;
    for (String f : FILES) {
      sum = Math.addExact(sum, recordedBytes("python/shards/" + f, keys));
    }
    return sum;
  }

  private static long recordedBytes(String rel, Set<String> keys) throws Exception {
    long sum = 0;
    for (JsonNode t : SparkTestSupport.expected(rel).get("tensors")) {
      if (keys.contains(t.get("key").asText())) {
        sum = Math.addExact(sum, t.get("nbytes").asLong());
      }
    }
    return sum;
  }

  private static JsonNode json(String answer) throws Exception {
    return new ObjectMapper().readTree(answer);
  }

  /** Sum of the recorded byte sizes of the given tensors of {@code build/testdata/spark/big}. */
  private static long bigBytes(Set<String> keys) throws Exception {
    return recordedBytes("spark/big/big.pt", keys);
  }

  private static String big() {
    return root.resolve("spark/big").toString();
  }

  /** Metrics of a scan that reads no column: the files' headers only. */
  private static Map<String, Long> headersOnly(String path) {
    Dataset<Row> headers = reader().load(path).groupBy().count();
    headers.collectAsList();
    Map<String, Long> h = metrics(headers);
    assertThat(h.get("tensorsRead")).isZero();
    return h;
  }

  @Test
  void fileToFileCopyReadsHeadersAndTheSelectedTensors(@TempDir Path dir) throws Exception {
    // Whole files (far under maxPartitionBytes): every file is opened once whichever columns are
    // read, and its headers are read the same way each time.
    Map<String, Long> h = headersOnly(shards());
    assertThat(h.get("filesRead")).isEqualTo(FILES.length);

    Dataset<Row> direct = reader().load(shards());
    JsonNode answer = json(ArrowHandoff.writeColumns(direct, dir.resolve("direct").toString()));
    assertThat(answer.get("mode").asText()).isEqualTo("columns");
    assertThat(answer.get("direct_partitions").asLong()).isEqualTo(direct.rdd().getNumPartitions());
    Map<String, Long> d = metrics(direct);
    long data = tensorBytes(Set.of("features", "labels"));
    assertThat(data).isEqualTo(100L * (3 * 8 * 8 * 4 + 8));
    assertThat(d.get("bytesRead")).isEqualTo(h.get("bytesRead") + data);
    assertThat(d.get("filesRead")).isEqualTo(FILES.length);
    assertThat(d.get("tensorsRead")).isEqualTo(2L * FILES.length);
    // Per file and column one transferTo (each column is far under the 2 GiB a sendfile call moves).
    assertThat(d.get("readCalls")).isEqualTo(h.get("readCalls") + 2L * FILES.length);
    assertThat(d.get("batches")).isZero();
    assertThat(d.get("filesDropped")).isZero();
    assertThat(d.get("numOutputRows")).isEqualTo(100);

    // The partition reader serves reads of at most 64 KiB from a read-ahead window (StridedReader),
    // so on these small tensors it reads more than their bytes: same files and tensors, more bytes.
    Dataset<Row> ipc = reader().load(shards());
    assertThat(json(ArrowHandoff.write(ipc, dir.resolve("ipc").toString())).get("mode").asText()).isEqualTo("local");
    Map<String, Long> a = metrics(ipc);
    assertThat(a.get("filesRead")).isEqualTo(d.get("filesRead"));
    assertThat(a.get("tensorsRead")).isEqualTo(d.get("tensorsRead"));
    assertThat(a.get("bytesRead")).isGreaterThan(d.get("bytesRead"));
    assertThat(a.get("numOutputRows")).isEqualTo(100);
    assertThat(a.get("batches")).isGreaterThanOrEqualTo(FILES.length);
  }

  @Test
  void aDataFrameRunAgainReportsEachRunOnItsOwn(@TempDir Path dir) throws Exception {
    // One DataFrame, one executed plan: Spark's actions reset its metrics before they run
    // (Dataset.withAction), so a hand-off after collect() or after another hand-off reports its
    // own reads, not the sum of every run so far.
    Dataset<Row> df = reader().load(shards());
    assertThat(df.collectAsList()).hasSize(100);
    Map<String, Long> collected = metrics(df);
    assertThat(collected.get("batches")).isGreaterThanOrEqualTo(FILES.length);

    assertThat(json(ArrowHandoff.writeColumns(df, dir.resolve("a").toString())).get("mode").asText())
        .isEqualTo("columns");
    Map<String, Long> direct = metrics(df);
    assertThat(direct.get("filesRead")).isEqualTo(FILES.length);
    assertThat(direct.get("numOutputRows")).isEqualTo(100);
    assertThat(direct.get("batches")).isZero();

    ArrowHandoff.writeColumns(df, dir.resolve("b").toString());
    assertThat(metrics(df)).isEqualTo(direct);
    ArrowHandoff.write(df, dir.resolve("c").toString());
    assertThat(metrics(df)).isEqualTo(collected);
  }

  @Test
  void sameQueryReportsTheSameReadsEitherWay(@TempDir Path dir) throws Exception {
    // One batch per file (batchRows above its 10007 rows): each column is one read of over 64 KiB,
    // read directly by the partition reader, so both ways read exactly the same bytes.
    Map<String, Long> h = headersOnly(big());
    long data = bigBytes(Set.of("x", "idx"));
    assertThat(data).isEqualTo(10007L * (61 * 4 + 8));

    Dataset<Row> direct = reader().option("batchRows", "20000").load(big());
    JsonNode answer = json(ArrowHandoff.writeColumns(direct, dir.resolve("direct").toString()));
    assertThat(answer.get("direct_partitions").asLong()).isEqualTo(1);
    Dataset<Row> ipc = reader().option("batchRows", "20000").load(big());
    ArrowHandoff.write(ipc, dir.resolve("ipc").toString());
    Dataset<Row> collected = reader().option("batchRows", "20000").load(big());
    assertThat(collected.collectAsList()).hasSize(10007);

    Map<String, Long> d = metrics(direct);
    assertThat(d.get("bytesRead")).isEqualTo(h.get("bytesRead") + data);
    assertThat(d.get("filesRead")).isEqualTo(1);
    assertThat(d.get("tensorsRead")).isEqualTo(2);
    assertThat(d.get("readCalls")).isEqualTo(h.get("readCalls") + 2);
    assertThat(d.get("batches")).isZero();
    assertThat(d.get("numOutputRows")).isEqualTo(10007);
    for (Map<String, Long> a : List.of(metrics(ipc), metrics(collected))) {
      for (String name : List.of("filesRead", "tensorsRead", "bytesRead", "readCalls", "filesDropped",
          "numOutputRows")) {
        assertThat(a.get(name)).as(name).isEqualTo(d.get(name));
      }
      assertThat(a.get("batches")).isEqualTo(1);
    }
  }

  @Test
  void slicesOfASplitFileCountTheSameEitherWay(@TempDir Path dir) throws Exception {
    // The file cut into slices, each opened (its headers read) by its own partition; x only, whose
    // rows of a slice (over 1000 rows of 244 bytes) are one direct read for the partition reader.
    long fileHeaders = headersOnly(big()).get("bytesRead");
    Dataset<Row> direct = split(big()).select("x");
    int parts = direct.rdd().getNumPartitions();
    assertThat(parts).isGreaterThan(4);
    JsonNode answer = json(ArrowHandoff.writeColumns(direct, dir.resolve("direct").toString()));
    assertThat(answer.get("direct_partitions").asLong()).isEqualTo(parts);
    Dataset<Row> ipc = split(big()).select("x");
    ArrowHandoff.write(ipc, dir.resolve("ipc").toString());
    Map<String, Long> d = metrics(direct);
    Map<String, Long> a = metrics(ipc);
    assertThat(d.get("filesRead")).isEqualTo(parts).isEqualTo(a.get("filesRead"));
    assertThat(d.get("tensorsRead")).isEqualTo(parts).isEqualTo(a.get("tensorsRead"));
    assertThat(d.get("bytesRead")).isEqualTo(parts * fileHeaders + bigBytes(Set.of("x")))
        .isEqualTo(a.get("bytesRead"));
    assertThat(d.get("numOutputRows")).isEqualTo(a.get("numOutputRows")).isEqualTo(10007);
    assertThat(d.get("batches")).isZero();
    assertThat(a.get("batches")).isEqualTo(parts);
  }

  @Test
  void aMixedPartitionCountsTheCopyAndTheReaderOfItsOtherColumns(@TempDir Path dir) throws Exception {
    // spark/mixed: features float32 [N, 16] copied file to file, label uint8 and mask bool read as
    // batches. Each half opens every file and reads its headers, so both opens are counted; the
    // reader's half reads exactly what a scan of label and mask alone reads.
    String mixed = root.resolve("spark/mixed").toString();
    Map<String, Long> h = headersOnly(mixed);
    assertThat(h.get("filesRead")).isEqualTo(3);
    Dataset<Row> direct = reader().load(mixed);
    JsonNode answer = json(ArrowHandoff.writeColumns(direct, dir.resolve("direct").toString()));
    assertThat(answer.get("mixed_partitions").asLong()).isEqualTo(direct.rdd().getNumPartitions());
    Dataset<Row> left = reader().load(mixed).select("label", "mask");
    assertThat(json(ArrowHandoff.write(left, dir.resolve("left").toString())).get("mode").asText()).isEqualTo("local");
    Map<String, Long> d = metrics(direct);
    Map<String, Long> l = metrics(left);
    long features = 0;
    for (int i = 0; i < 3; i++) {
      features = Math.addExact(features, recordedBytes("spark/mixed/part-" + i + ".pt", Set.of("features")));
    }
    assertThat(features).isEqualTo((300L + 517 + 1001) * 16 * 4);
    assertThat(d.get("filesRead")).isEqualTo(h.get("filesRead") + l.get("filesRead")).isEqualTo(6);
    assertThat(d.get("tensorsRead")).isEqualTo(3 + l.get("tensorsRead")).isEqualTo(9);
    assertThat(d.get("bytesRead")).isEqualTo(h.get("bytesRead") + features + l.get("bytesRead"));
    assertThat(d.get("readCalls")).isEqualTo(h.get("readCalls") + 3 + l.get("readCalls"));
    assertThat(d.get("batches")).isEqualTo(l.get("batches")).isGreaterThanOrEqualTo(3);
    assertThat(d.get("filesDropped")).isZero();
    assertThat(d.get("numOutputRows")).isEqualTo(l.get("numOutputRows")).isEqualTo(300 + 517 + 1001);
  }

  private static Dataset<Row> split(String path) {
    return reader().option("maxPartitionBytes", "300000").option("openCostInBytes", "0").load(path);
  }

  @Test
  void sqlTabShowsTheHandoffAsAQueryWithItsScanMetrics(@TempDir Path dir) throws Exception {
    Dataset<Row> direct = reader().load(shards());
    ArrowHandoff.writeColumns(direct, dir.toString());
    spark.sparkContext().listenerBus().waitUntilEmpty();
    BatchScanExec scan = scan(direct);
    SQLMetric bytes = scan.metrics().apply("bytesRead");
    SQLMetric files = scan.metrics().apply("filesRead");
    SQLAppStatusStore store = ((org.apache.spark.sql.classic.SparkSession) spark).sharedState().statusStore();
    Map<Object, String> shown = null;
    for (SQLExecutionUIData e : CollectionConverters.asJava(store.executionsList())) {
      Map<Object, String> m = CollectionConverters.asJava(store.executionMetrics(e.executionId()));
      if (m.containsKey(bytes.id())) {
        shown = m;
      }
    }
    assertThat(shown).as("an SQL execution showing the scan of the hand-off").isNotNull();
    assertThat(bytes.value()).isGreaterThan(tensorBytes(Set.of("features", "labels")));
    assertThat(shown.get(bytes.id()))
        .isEqualTo(new TorchTensorMetrics.BytesRead().aggregateTaskMetrics(new long[] {bytes.value()}));
    assertThat(shown.get(files.id())).isEqualTo(String.valueOf(FILES.length));
  }
}
