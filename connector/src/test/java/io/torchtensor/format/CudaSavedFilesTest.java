package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchtensor.testdata.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Files saved by torch from a real CUDA device (an NVIDIA H200, torch 2.11+cu130, by
 * {@code testdata/cuda/make_cuda_saved.py}), read here without a GPU or torch. The expected values
 * were computed by torch on that machine after reloading each file with {@code map_location='cpu'}.
 */
class CudaSavedFilesTest {

  @TestFactory
  Stream<DynamicTest> everyCudaSavedFile() throws IOException {
    String jsonl;
    try (InputStream in = CudaSavedFilesTest.class.getResourceAsStream("/cuda-saved/expected.jsonl")) {
      assertThat(in).as("test resource cuda-saved/expected.jsonl").isNotNull();
      jsonl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return jsonl.lines().filter(l -> !l.isBlank()).map(Json::parseObject)
        .map(row -> DynamicTest.dynamicTest((String) row.get("file"), () -> check(row)));
  }

  @SuppressWarnings("unchecked")
  private static void check(Map<String, Object> row) throws Exception {
    Path path = resource((String) row.get("file"));
    try (TensorFile f = TensorFile.open(path)) {
      List<Map<String, Object>> expected = (List<Map<String, Object>>) row.get("tensors");
      assertThat(f.tensors()).extracting(TensorInfo::key)
          .containsExactlyElementsOf(expected.stream().map(t -> (String) t.get("key")).toList());
      for (Map<String, Object> e : expected) {
        TensorInfo t = f.tensor((String) e.get("key"));
        assertThat(t.dtype().torchName()).isEqualTo(e.get("dtype"));
        assertThat(t.shape()).containsExactly(((List<Object>) e.get("shape")).stream()
            .mapToLong(v -> ((Number) v).longValue()).toArray());
        assertThat(t.device()).as("saved device of %s", t.key()).isEqualTo(e.get("device"));
        assertThat(t.requiresGrad()).isEqualTo(e.get("requires_grad"));
        assertThat(t.nbytes()).isEqualTo(((Number) e.get("nbytes")).longValue());
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(t.nbytes()));
        f.read(t, buf);
        buf.flip();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(buf);
        assertThat(HexFormat.of().formatHex(sha.digest())).as("sha256 of %s", t.key())
            .isEqualTo(e.get("sha256"));
      }
    }
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(CudaSavedFilesTest.class.getResource("/cuda-saved/" + name).toURI());
  }
}
