package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The shared public fixtures (torch zip of several vintages, legacy and big-endian files,
 * safetensors, views, quantized, complex) read through Spark in the tensors layout: one query over
 * every file the format reader opens. Each row must equal a direct {@code TensorFile} read, and every
 * tensor the fixtures' EXPECTED.jsonl lists must be among the file's rows by content hash (the
 * fixtures hash bfloat16 widened to float32).
 */
class FixturesThroughSparkTest extends SparkTestSupport {

  @Test
  void everyReadableFixtureMatchesTheFormatReaderAndTheExpectedHashes() throws Exception {
    Path shared = Paths.get(System.getProperty("torchtensor.shared", "../shared"));
    Path expectedFile = shared.resolve("fixtures/EXPECTED.jsonl");
    if (!Files.isRegularFile(expectedFile)) {
      fail("shared fixtures missing at " + shared.toAbsolutePath() + " (torchtensor.shared)");
    }
    JsonMapper om = JsonMapper.builder()
        .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    Map<String, JsonNode> expected = new HashMap<>();
    Map<String, Map<String, String>> direct = new HashMap<>();   // file -> key -> "dtype shape sha"
    List<String> paths = new ArrayList<>();
    for (String line : Files.readAllLines(expectedFile)) {
      JsonNode n = om.readTree(line);
      Path p = shared.resolve(n.get("file").asText()).toAbsolutePath().normalize();
      if (!Files.isRegularFile(p) || n.get("tensors").isEmpty()) {
        continue;
      }
      Map<String, String> byKey = new HashMap<>();
      try (TensorFile f = TensorFile.open(p)) {
        for (TensorInfo t : f.tensors()) {
          ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.nbytes()));
          f.read(t, b);
          byKey.put(t.key(), t.dtype().torchName() + " " + java.util.Arrays.toString(t.shape()) + " "
              + Values.sha256(b.array()));
        }
      } catch (java.io.IOException e) {
        continue;   // refused by the format reader by design; its own tests cover the reason
      }
      String uri = p.toUri().toString();
      expected.put(uri, n);
      direct.put(uri, byKey);
      paths.add(p.toString());
    }
    assertThat(paths).as("readable fixtures").hasSizeGreaterThan(30);

    List<Row> rows = spark().read().format("torchtensor").option("layout", "tensors")
        .load(paths.toArray(new String[0])).collectAsList();
    Map<String, Map<String, String>> viaSpark = new HashMap<>();
    Map<String, Set<String>> sha16 = new HashMap<>();
    for (Row r : rows) {
      String uri = new org.apache.hadoop.fs.Path(r.<String>getAs("path")).toUri().toString().replace("file:/", "file:///");
      byte[] data = r.getAs("data");
      List<Object> shape = r.getList(r.fieldIndex("shape"));
      viaSpark.computeIfAbsent(uri, k -> new HashMap<>()).put(r.getAs("key"),
          r.getAs("dtype") + " " + shape + " " + Values.sha256(data));
      Set<String> hashes = sha16.computeIfAbsent(uri, k -> new HashSet<>());
      hashes.add(Values.sha256(data).substring(0, 16));
      if ("bfloat16".equals(r.getAs("dtype"))) {
        hashes.add(Values.sha256(widenBf16(data)).substring(0, 16));
      }
    }
    for (String uri : direct.keySet()) {
      assertThat(viaSpark.get(uri)).as(uri).isEqualTo(direct.get(uri));
      for (JsonNode t : expected.get(uri).get("tensors")) {
        assertThat(sha16.get(uri)).as("%s %s", uri, t.get("path").asText()).contains(t.get("sha256_16").asText());
      }
    }
  }

  private static byte[] widenBf16(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      out.putInt((in.getShort() & 0xffff) << 16);
    }
    return out.array();
  }
}
