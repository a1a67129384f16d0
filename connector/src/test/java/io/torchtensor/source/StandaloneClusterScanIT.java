package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connector on a real Spark standalone cluster: a master and a worker in their own JVMs (from
 * the Spark distribution given as {@code torchtensor.sparkHome} or {@code SPARK_HOME}), one executor
 * JVM of 1 core and 1 GiB, everything on 127.0.0.1.
 *
 * <p>The driver is this JVM ({@code master = spark://127.0.0.1:port}, client mode) and the packaged
 * connector jar reaches the executor through {@code spark.jars}, which is exactly what
 * {@code spark-submit --jars} sets (SparkSubmit turns {@code --jars} into {@code spark.jars}, and
 * SparkContext serves those jars to executors). Keeping the driver here, rather than submitting an
 * example job, lets the test compare every value with torch's record and observe task placement with
 * a listener, instead of parsing a child's output. The executor's class path is the distribution's
 * jars plus the shipped jar only, so a class the connector needs but does not ship fails here.
 *
 * <p>Run it alone: {@code mvn -B -q -pl connector verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=StandaloneClusterScanIT -Dtorchtensor.sparkHome=...}. Logs: target/standalone-cluster/.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StandaloneClusterScanIT {
  private static final Duration LISTENER_WAIT = Duration.ofSeconds(30);
  private static StandaloneSparkCluster cluster;
  private static SparkSession spark;
  private static TaskPlacement placement;
  private static Path jar;

  @BeforeAll
  static void startCluster() throws Exception {
    Path sparkHome = StandaloneSparkCluster.sparkHome();
    ClusterTestFiles.root();
    jar = connectorJar();
    Path logs = Path.of("target", "standalone-cluster",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath();
    cluster = StandaloneSparkCluster.start(sparkHome, logs, 1, "1g");
    spark = SparkSession.builder()
        .appName("torchtensor-standalone-cluster-test")
        .master(cluster.masterUrl())
        .config("spark.jars", jar.toUri().toString())
        .config("spark.driver.host", StandaloneSparkCluster.HOST)
        .config("spark.driver.bindAddress", StandaloneSparkCluster.HOST)
        .config("spark.ui.enabled", "false")
        .config("spark.executor.memory", "1g")
        .config("spark.executor.cores", "1")
        .config("spark.cores.max", "1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    placement = new TaskPlacement();
    spark.sparkContext().addSparkListener(placement);
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (spark != null) {
        spark.stop();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  /** The connector jar Maven packaged before this phase ({@code torchtensor.connectorJar}). */
  private static Path connectorJar() {
    String p = System.getProperty("torchtensor.connectorJar", "");
    Path jar = Path.of(p.isBlank() ? "target/torchtensor-connector-0.1.0-SNAPSHOT.jar" : p).toAbsolutePath();
    assertThat(jar).as("the packaged connector jar; run this test through `mvn verify`, which packages it first")
        .isRegularFile();
    return jar;
  }

  /**
   * Rows of a folder of shards, read by the executor JVM: input partitions, the reader factory and
   * the read options (keys, batchRows, maxPartitionBytes) travel to it serialized, and the values
   * come back equal to torch's bytes.
   */
  @Test
  void executorsReadRowsWithTheDriversOptions() throws Exception {
    Map<String, JsonNode> files = ClusterTestFiles.recorded("cluster/shards/");
    Dataset<Row> df = spark.read().format("torchtensor")
        .option("keys", "id,x")          // w is not read: the option must reach the executor
        .option("batchRows", "256")      // several Arrow batches per partition
        .option("maxPartitionBytes", "65536")
        .load(ClusterTestFiles.root().resolve("cluster/shards").toString());
    assertThat(df.schema().fieldNames()).containsExactlyInAnyOrder("id", "x");

    spark.sparkContext().setJobGroup("rows", "rows of the shards", false);
    List<Row> rows = new ArrayList<>(df.select("id", "x").collectAsList());
    spark.sparkContext().clearJobGroup();
    List<TaskPlacement.Task> tasks = placement.await("rows", LISTENER_WAIT);

    rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
    long total = 0;
    for (JsonNode f : files.values()) {
      String name = f.get("file").asText();
      int start = f.get("row_start").asInt();
      assertThat(start).isEqualTo(total);
      total += ClusterTestFiles.tensor(f, "id").get("shape").get(0).asLong();
      ClusterTestFiles.assertColumnBytes(rows, start, "id", ClusterTestFiles.tensor(f, "id"), name);
      ClusterTestFiles.assertColumnBytes(rows, start, "x", ClusterTestFiles.tensor(f, "x"), name);
    }
    assertThat(rows).hasSize(Math.toIntExact(total));
    // 64 KiB splits cut every shard (84-242 KiB) into row ranges read by separate tasks.
    assertRanOnExecutors(tasks, files.size() + 1);
  }

  /** The tensors layout on the executor: per-tensor bytes hashed there by Spark's sha2. */
  @Test
  void executorsReadTensorsLayout() throws Exception {
    Map<String, JsonNode> files = ClusterTestFiles.recorded("cluster/shards/");
    spark.sparkContext().setJobGroup("tensors", "tensors layout of the shards", false);
    List<Row> rows = spark.read().format("torchtensor").option("layout", "tensors")
        .load(ClusterTestFiles.root().resolve("cluster/shards").toString())
        .selectExpr("path", "key", "dtype", "sha2(data, 256)").collectAsList();
    spark.sparkContext().clearJobGroup();
    List<TaskPlacement.Task> tasks = placement.await("tensors", LISTENER_WAIT);

    Map<String, Row> byFileAndKey = new HashMap<>();
    rows.forEach(r -> byFileAndKey.put(r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1)
        + "#" + r.getString(1), r));
    assertThat(byFileAndKey).hasSize(files.size() * 3);
    for (JsonNode f : files.values()) {
      String name = f.get("file").asText().substring("cluster/shards/".length());
      for (JsonNode t : f.get("tensors")) {
        Row r = byFileAndKey.get(name + "#" + t.get("key").asText());
        assertThat(r).as("%s %s", name, t.get("key")).isNotNull();
        assertThat(r.getString(2)).isEqualTo(t.get("dtype").asText());
        assertThat(r.getString(3)).as("%s %s SHA-256", name, t.get("key")).isEqualTo(t.get("sha256").asText());
      }
    }
    assertRanOnExecutors(tasks, 1);
  }

  /**
   * Every task ran on a registered executor on 127.0.0.1, never in the driver, and that executor is
   * a separate JVM that fetched the connector jar from the driver (its stderr in the worker's
   * work dir says so).
   */
  private static void assertRanOnExecutors(List<TaskPlacement.Task> tasks, int minTasks) throws IOException {
    Map<String, String> executors = placement.executors();
    assertThat(executors).as("executors registered with the driver").isNotEmpty()
        .doesNotContainKey("driver");
    assertThat(executors.values()).allMatch(StandaloneSparkCluster.HOST::equals);
    assertThat(tasks).hasSizeGreaterThanOrEqualTo(minTasks)
        .allSatisfy(t -> assertThat(t.executorId()).isNotEqualTo("driver").isIn(executors.keySet()));
    assertThat(executorStderr())
        .as("executor log under %s", cluster.logDir().resolve("work"))
        .contains("Fetching spark://")
        .contains(jar.getFileName().toString());
  }

  private static String executorStderr() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> s = Files.walk(cluster.logDir().resolve("work"))) {
      for (Path p : s.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        sb.append(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }
}
