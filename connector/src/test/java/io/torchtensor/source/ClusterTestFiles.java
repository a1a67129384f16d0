package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The files {@code testdata/cases_cluster.py} writes with PyTorch into {@code cluster/} of the test
 * folder, what torch recorded for them in {@code expected.jsonl}, and the check that rows read back
 * through Spark hold exactly torch's bytes (SHA-256 of the C-order little-endian data).
 * Static only: usable from a test with its own session (the standalone cluster test).
 */
final class ClusterTestFiles {
  static final String HOW_TO_MAKE = "make them with: \"$(bin/python-env)/bin/python\" testdata/make_testdata.py"
      + " build/testdata (bin/test does this first)";

  private ClusterTestFiles() {
  }

  /** The test folder ({@code torchtensor.testdata}); fails with how to make it when absent. */
  static Path root() {
    String dir = System.getProperty("torchtensor.testdata");
    if (dir == null || dir.isBlank()) {
      fail("system property torchtensor.testdata is not set (run the tests through Maven); " + HOW_TO_MAKE);
    }
    Path root = Path.of(dir).toAbsolutePath();
    if (!Files.isRegularFile(root.resolve("expected.jsonl")) || !Files.isDirectory(root.resolve("cluster/shards"))) {
      fail("the generated test files are missing (no " + root.resolve("cluster/shards") + "); " + HOW_TO_MAKE);
    }
    return root;
  }

  /** Records of the files under {@code prefix} (e.g. {@code cluster/shards/}), by relative path, sorted. */
  static Map<String, JsonNode> recorded(String prefix) {
    Path jsonl = root().resolve("expected.jsonl");
    // The generator's JSON writes non-finite values of other test files as NaN / Infinity.
    ObjectMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    Map<String, JsonNode> out = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          JsonNode row = json.readTree(line);
          if (row.get("file").asText().startsWith(prefix)) {
            out.put(row.get("file").asText(), row);
          }
        }
      }
    } catch (IOException e) {
      fail("cannot read " + jsonl + ": " + e + "; " + HOW_TO_MAKE);
    }
    if (out.isEmpty()) {
      fail(jsonl + " records no file under " + prefix + "; " + HOW_TO_MAKE);
    }
    return out;
  }

  /** The record of tensor {@code key} in a file's record. */
  static JsonNode tensor(JsonNode file, String key) {
    for (JsonNode t : file.get("tensors")) {
      if (t.get("key").asText().equals(key)) {
        return t;
      }
    }
    throw new AssertionError(file.get("file").asText() + " records no tensor " + key);
  }

  /**
   * Checks that {@code rows[from, from + n)} of {@code column} hold the tensor torch recorded: its
   * SHA-256 over C-order little-endian bytes ({@link Values}). {@code rows} must be in file row order.
   */
  static void assertColumnBytes(List<Row> rows, int from, String column, JsonNode recordedTensor, String file) {
    int n = Math.toIntExact(recordedTensor.get("shape").get(0).asLong());
    assertThat(rows.size()).as("%s: rows read", file).isGreaterThanOrEqualTo(from + n);
    assertThat(Values.columnSha(rows.subList(from, from + n), column))
        .as("%s %s: SHA-256 of the values read through Spark vs torch's", file, recordedTensor.get("key"))
        .isEqualTo(recordedTensor.get("sha256").asText());
  }
}
