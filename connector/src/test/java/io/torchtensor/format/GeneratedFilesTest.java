package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.torchtensor.testdata.GeneratedFiles;
import io.torchtensor.testdata.GeneratedFiles.Expected;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads every file {@code testdata/make_testdata.py} wrote with real PyTorch and compares the reader
 * with what torch computed: format, keys, dtype, shape, saved device, requires_grad, byte count,
 * the SHA-256 of the C-order little-endian bytes (bf16/float8 as raw bits), metadata leaves, and
 * for refused files the {@link TensorFormatException.Reason}. One dynamic test per file, named by it.
 */
class GeneratedFilesTest {

  /** Rows per readRows call in the chunked pass: small and odd, so chunks straddle view strides. */
  private static final long CHUNK_ROWS = 3;

  @TestFactory
  Stream<DynamicTest> everyGeneratedFile() {
    return GeneratedFiles.all().stream()
        .map(e -> DynamicTest.dynamicTest(e.file(), () -> check(e)));
  }

  private static void check(Expected e) throws Exception {
    if (e.refusal() != null) {
      checkRefused(e);
    } else {
      checkReadable(e);
    }
  }

  private static void checkRefused(Expected e) {
    Throwable thrown = catchThrowable(() -> {
      try (TensorFile f = TensorFile.open(e.path())) {
        for (TensorInfo t : f.tensors()) {
          f.read(t, ByteBuffer.allocate(Math.toIntExact(t.nbytes())));
        }
        f.metadata();
      }
    });
    assertThat(thrown).as("%s must be refused with %s", e.file(), e.refusal())
        .isInstanceOf(TensorFormatException.class);
    TensorFormatException tfe = (TensorFormatException) thrown;
    assertThat(tfe.reason().name()).as("reason for %s (message: %s)", e.file(), tfe.getMessage())
        .isEqualTo(e.refusal());
    assertThat(tfe.getMessage()).as("the message names the file").contains(e.path().getFileName().toString());
  }

  private static void checkReadable(Expected e) throws Exception {
    try (TensorFile f = TensorFile.open(e.path())) {
      assertThat(f.format().label()).as("format of %s", e.file()).isEqualTo(e.format());
      List<String> keys = new ArrayList<>();
      for (TensorInfo t : f.tensors()) {
        keys.add(t.key());
      }
      List<String> want = new ArrayList<>();
      for (Map<String, Object> t : e.tensors()) {
        want.add((String) t.get("key"));
      }
      assertThat(keys).as("keys of %s", e.file()).containsExactlyInAnyOrderElementsOf(want);
      for (Map<String, Object> w : e.tensors()) {
        checkTensor(e, f, f.tensor((String) w.get("key")), w);
      }
      assertThat(normalize(f.metadata())).as("metadata of %s", e.file()).isEqualTo(e.metadata());
    }
  }

  private static void checkTensor(Expected e, TensorFile f, TensorInfo t, Map<String, Object> w)
      throws Exception {
    String what = e.file() + " " + t.key();
    assertThat(t.dtype().torchName()).as("dtype of %s", what).isEqualTo(w.get("dtype"));
    List<Long> shape = new ArrayList<>();
    for (long d : t.shape()) {
      shape.add(d);
    }
    assertThat(shape).as("shape of %s", what).isEqualTo(w.get("shape"));
    assertThat(t.device()).as("device of %s", what).isEqualTo(w.get("device"));
    assertThat(t.requiresGrad()).as("requires_grad of %s", what).isEqualTo(w.get("requires_grad"));
    assertThat(t.nbytes()).as("nbytes of %s", what).isEqualTo(w.get("nbytes"));
    assertThat(t.conjNeg()).as("conj/neg bits of %s", what)
        .isEqualTo(new ConjNegBits((Boolean) w.get("conj"), (Boolean) w.get("neg")));

    ByteBuffer whole = ByteBuffer.allocate(Math.toIntExact(t.nbytes()));
    f.read(t, whole);
    assertThat(whole.position()).as("bytes read for %s", what).isEqualTo(whole.capacity());
    whole.flip();
    assertThat(sha256(whole)).as("SHA-256 of %s (torch's C-order LE bytes)", what).isEqualTo(w.get("sha256"));

    // The same bytes again through row ranges, the path the data source takes.
    if (t.rank() >= 1 && t.dim(0) > 1) {
      MessageDigest md = digest();
      ByteBuffer chunk = ByteBuffer.allocate(Math.toIntExact(Math.multiplyExact(CHUNK_ROWS, t.rowBytes())));
      for (long row = 0; row < t.dim(0); row += CHUNK_ROWS) {
        long n = Math.min(CHUNK_ROWS, t.dim(0) - row);
        chunk.clear();
        f.readRows(t, row, n, chunk);
        assertThat(chunk.position()).as("bytes of rows %d+%d of %s", row, n, what).isEqualTo(n * t.rowBytes());
        chunk.flip();
        md.update(chunk);
      }
      assertThat(HexFormat.of().formatHex(md.digest())).as("SHA-256 of %s read in row chunks", what)
          .isEqualTo(w.get("sha256"));
    }
  }

  /** The reader's metadata values in the JSON shapes make_testdata.py records. */
  static Object normalize(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), normalize(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(normalize(x)));
      return out;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    if (v instanceof Float x) {
      return x.doubleValue();
    }
    if (v instanceof byte[] b) {
      return Map.of("bytes", HexFormat.of().formatHex(b));
    }
    return v;
  }

  private static String sha256(ByteBuffer b) {
    MessageDigest md = digest();
    md.update(b);
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
