package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The files {@code testdata/cases_cluster.py} writes with PyTorch into {@code cluster/} of the test
 * folder, what torch recorded for them in {@code expected.jsonl}, and the check that rows read back
 * through Spark hold exactly torch's bytes (SHA-256 of the C-order little-endian data).
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
    ObjectMapper json = new ObjectMapper();
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
   * Checks that {@code rows[from, from + n)} of column {@code col} hold the tensor torch recorded:
   * its SHA-256 over C-order little-endian bytes. {@code rows} must be in file row order.
   */
  static void assertColumnBytes(List<Row> rows, int from, int col, JsonNode recordedTensor, String file) {
    long n = recordedTensor.get("shape").get(0).asLong();
    String dtype = recordedTensor.get("dtype").asText();
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(recordedTensor.get("nbytes").asLong()))
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int r = from; r < from + n; r++) {
      Row row = rows.get(r);
      Object v = row.get(col);
      if (v instanceof scala.collection.Seq<?> seq) {
        scala.jdk.javaapi.CollectionConverters.asJava(seq).forEach(e -> put(buf, dtype, e, file));
      } else if (v instanceof List<?> list) {
        list.forEach(e -> put(buf, dtype, e, file));
      } else {
        put(buf, dtype, v, file);
      }
    }
    assertThat(buf.remaining()).as("%s %s: bytes left unfilled", file, recordedTensor.get("key")).isZero();
    assertThat(sha256(buf.array()))
        .as("%s %s: SHA-256 of the values read through Spark vs torch's", file, recordedTensor.get("key"))
        .isEqualTo(recordedTensor.get("sha256").asText());
  }

  private static void put(ByteBuffer buf, String dtype, Object e, String file) {
    switch (dtype) {
      case "float32" -> buf.putFloat((Float) e);
      case "float64" -> buf.putDouble((Double) e);
      case "int64" -> buf.putLong((Long) e);
      case "int32" -> buf.putInt((Integer) e);
      default -> throw new AssertionError(file + ": no byte check for dtype " + dtype);
    }
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
