package io.torchtensor.source;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.execution.metric.SQLMetric;

/**
 * One {@code local[2]} session for every Spark test in the JVM (UI off, AQE off so executed plans
 * keep their scan node), and the torch-written test files with what torch recorded about them.
 */
public abstract class SparkTestSupport {

  private static SparkSession session;
  private static Map<String, JsonNode> expected;

  public static synchronized SparkSession spark() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("torchtensor-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.sql.adaptive.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }

  public static Path testdata() {
    Path root = Paths.get(System.getProperty("torchtensor.testdata", "build/testdata"));
    if (!Files.isRegularFile(root.resolve("expected.jsonl")) || !Files.isDirectory(root.resolve("spark"))) {
      fail("test files missing in " + root.toAbsolutePath() + ": run "
          + "$(bin/python-env)/bin/python testdata/make_testdata.py build/testdata from the repository root");
    }
    return root;
  }

  /** The test data root, failing with how to make the files when any of {@code required} is missing. */
  public static Path testdata(String... required) {
    Path root = testdata();
    for (String r : required) {
      if (!Files.exists(root.resolve(r))) {
        fail("test files missing: " + root.resolve(r).toAbsolutePath() + "; run "
            + "$(bin/python-env)/bin/python testdata/make_testdata.py build/testdata from the repository root");
      }
    }
    return root;
  }

  /** A folder or file under {@code build/testdata/spark}, as a string path. */
  public static String data(String rel) {
    return testdata().resolve("spark").resolve(rel).toString();
  }

  /** What torch recorded for a file, by its path relative to the test data root ({@code spark/...}). */
  public static synchronized JsonNode expected(String rel) {
    if (expected == null) {
      Map<String, JsonNode> m = new LinkedHashMap<>();
      ObjectMapper om = com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build(); // NaN, Infinity in values
      try {
        for (String line : Files.readAllLines(testdata().resolve("expected.jsonl"))) {
          JsonNode n = om.readTree(line);
          m.put(n.get("file").asText(), n);
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      expected = m;
    }
    JsonNode n = expected.get(rel);
    if (n == null) {
      fail("expected.jsonl has no record of " + rel + ": regenerate the test files");
    }
    return n;
  }

  /** The recorded entry of one tensor of a file. */
  static JsonNode expectedTensor(String rel, String key) {
    for (JsonNode t : expected(rel).get("tensors")) {
      if (t.get("key").asText().equals(key)) {
        return t;
      }
    }
    throw new AssertionError(rel + " has no recorded tensor " + key);
  }

  /** A scan metric of an executed query (the plan must have run: collect it first). */
  static long metric(Dataset<Row> executed, String name) {
    SparkPlan plan = executed.queryExecution().executedPlan();
    List<SparkPlan> leaves = scala.jdk.javaapi.CollectionConverters.asJava(plan.collectLeaves());
    for (SparkPlan p : leaves) {
      if (p instanceof BatchScanExec) {
        scala.Option<SQLMetric> m = p.metrics().get(name);
        if (m.isEmpty()) {
          throw new AssertionError("scan has no metric " + name + ": " + p.metrics().keySet());
        }
        return m.get().value();
      }
    }
    throw new AssertionError("no torchtensor scan in plan " + plan);
  }
}
