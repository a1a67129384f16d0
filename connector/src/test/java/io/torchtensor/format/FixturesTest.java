package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.TensorFormatException.Reason;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every fixture file reads with the dtypes, shapes, first values and SHA-256 prefixes of
 * {@code EXPECTED.jsonl} (computed by a torch-free decoder and cross-checked against torch 1.13), or
 * is refused with the reason it must be refused for.
 */
class FixturesTest {

  private static final Map<String, DType> STORAGE_DTYPES = Map.ofEntries(
      Map.entry("DoubleStorage", DType.FLOAT64), Map.entry("FloatStorage", DType.FLOAT32),
      Map.entry("HalfStorage", DType.FLOAT16), Map.entry("BFloat16Storage", DType.BFLOAT16),
      Map.entry("LongStorage", DType.INT64), Map.entry("IntStorage", DType.INT32),
      Map.entry("ShortStorage", DType.INT16), Map.entry("CharStorage", DType.INT8),
      Map.entry("ByteStorage", DType.UINT8), Map.entry("BoolStorage", DType.BOOL),
      Map.entry("ComplexFloatStorage", DType.COMPLEX64), Map.entry("ComplexDoubleStorage", DType.COMPLEX128),
      Map.entry("QInt8Storage", DType.QINT8), Map.entry("QUInt8Storage", DType.QUINT8),
      Map.entry("QInt32Storage", DType.QINT32));

  /** EXPECTED.jsonl by fixture name (relative to the fixture folder). */
  private static Map<String, List<Map<String, Object>>> expected() throws IOException {
    Map<String, List<Map<String, Object>>> out = new HashMap<>();
    try (Stream<String> lines = Files.lines(Fixtures.dir().resolve("EXPECTED.jsonl"))) {
      for (String line : (Iterable<String>) lines::iterator) {
        // Python's json writes NaN/Infinity bare; quote them so the strict parser takes them.
        String json = line.replaceAll("(?<![\"\\w])(-?Infinity|NaN)(?![\"\\w])", "\"$1\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> rec = (Map<String, Object>) StrictJson.parse(json, "EXPECTED.jsonl", 100, 1_000_000);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tensors = (List<Map<String, Object>>) rec.get("tensors");
        out.put(((String) rec.get("file")).replaceFirst("^fixtures/", ""), tensors);
      }
    }
    return out;
  }

  /**
   * EXPECTED paths to our keys: {@code /a/b -> a.b}, {@code [0][1] -> 0.1}, {@code [2]/a[0] -> 2.a.0},
   * {@code <root> -> tensor}; sparse components {@code /coo<1>[0]} and {@code [1]} become
   * {@code coo.indices} and {@code coo.values}, CSR's three become {@code crow_indices},
   * {@code col_indices} and {@code values}.
   */
  static String key(String path, int sparseComponents) {
    if (path.equals("<root>")) {
      return "tensor";
    }
    Matcher m = Pattern.compile("^(.*)<1>\\[(\\d)]$").matcher(path);
    if (m.matches()) {
      String[] names = sparseComponents == 3 ? new String[] {"crow_indices", "col_indices", "values"}
          : new String[] {"indices", "values"};
      return key(m.group(1), 0) + "." + names[Integer.parseInt(m.group(2))];
    }
    return String.join(".", Stream.of(path.replaceAll("\\[(\\d+)]", "/$1").split("/"))
        .filter(s -> !s.isEmpty()).toArray(String[]::new));
  }

  static Stream<String> readable() throws IOException {
    return Fixtures.all().stream().filter(n -> !Fixtures.refusedByDesign(n));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readable")
  void readsAsExpected(String name) throws Exception {
    List<Map<String, Object>> want = expected().get(name);
    try (TensorFile f = TensorFile.open(Fixtures.dir().resolve(name))) {
      if (want == null || want.isEmpty()) {
        assertThat(name).as("only candle_config.pt holds no tensors").isEqualTo("candle_config.pt");
        assertThat(f.tensors()).isEmpty();
        return;
      }
      Map<String, Integer> components = new HashMap<>();
      for (Map<String, Object> w : want) {
        String p = (String) w.get("path");
        if (p.contains("<1>")) {
          components.merge(p.substring(0, p.indexOf("<1>")), 1, Integer::sum);
        }
      }
      Map<String, TensorInfo> got = new LinkedHashMap<>();
      f.tensors().forEach(t -> got.put(t.key(), t));
      for (Map<String, Object> w : want) {
        String p = (String) w.get("path");
        String key = key(p, p.contains("<1>") ? components.get(p.substring(0, p.indexOf("<1>"))) : 0);
        assertThat(got).as(name + ": keys").containsKey(key);
        check(f, got.get(key), w, name + " " + key);
      }
      // Beyond EXPECTED only the parts a tensor names in its attributes (per-channel quantization
      // scales and zero points, emitted as tensors of their own).
      java.util.Set<Object> named = new java.util.HashSet<>();
      got.values().forEach(t -> named.addAll(t.attributes().values()));
      assertThat(got.size() - want.size()).as(name + ": tensors beyond EXPECTED")
          .isEqualTo((int) got.keySet().stream().filter(named::contains).count());
    }
  }

  private static void check(TensorFile f, TensorInfo t, Map<String, Object> w, String what) throws IOException {
    String storage = (String) w.get("storage");
    DType dtype = STORAGE_DTYPES.containsKey(storage) ? STORAGE_DTYPES.get(storage) : DType.fromSafetensorsName(storage);
    assertThat(t.dtype()).as(what + " dtype").isEqualTo(dtype);
    long[] shape = ((List<?>) w.get("shape")).stream().mapToLong(x -> ((BigInteger) x).longValue()).toArray();
    assertThat(t.shape()).as(what + " shape").containsExactly(shape);
    ByteBuffer b = ByteBuffer.allocate((int) t.nbytes()).order(ByteOrder.LITTLE_ENDIAN);
    f.read(t, b);
    assertThat(b.position()).isEqualTo(b.capacity());
    assertThat(sha256x16(t.dtype(), b.array())).as(what + " sha256_16").isEqualTo(w.get("sha256_16"));
    List<?> first = (List<?>) w.get("first");
    for (int i = 0; i < first.size(); i++) {
      assertValue(t.dtype(), b, i, first.get(i), what + " [" + i + "]");
    }
  }

  /** SHA-256 of the C-order little-endian bytes, bfloat16 widened to float32 first (as EXPECTED was made). */
  static String sha256x16(DType dtype, byte[] bytes) throws IOException {
    byte[] in = bytes;
    if (dtype == DType.BFLOAT16) {
      in = new byte[bytes.length * 2];
      for (int i = 0; i < bytes.length / 2; i++) {
        in[4 * i + 2] = bytes[2 * i];
        in[4 * i + 3] = bytes[2 * i + 1];
      }
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in)).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }

  private static void assertValue(DType dt, ByteBuffer b, int i, Object want, String what) {
    switch (dt) {
      case BOOL:
        assertThat(b.get(i) != 0).as(what).isEqualTo(want);
        return;
      case COMPLEX64:
      case COMPLEX128: {
        double[] c = complex((String) want);
        double re = dt == DType.COMPLEX64 ? b.getFloat(8 * i) : b.getDouble(16 * i);
        double im = dt == DType.COMPLEX64 ? b.getFloat(8 * i + 4) : b.getDouble(16 * i + 8);
        assertThat(new double[] {re, im}).as(what).containsExactly(c);
        return;
      }
      default:
    }
    Number got;
    switch (dt) {
      case FLOAT64: got = b.getDouble(8 * i); break;
      case FLOAT32: got = (double) b.getFloat(4 * i); break;
      case FLOAT16: got = (double) halfToFloat(b.getShort(2 * i)); break;
      case BFLOAT16: got = (double) Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16); break;
      case INT64: got = b.getLong(8 * i); break;
      case INT32: case QINT32: got = (long) b.getInt(4 * i); break;
      case UINT32: got = Integer.toUnsignedLong(b.getInt(4 * i)); break;
      case INT16: got = (long) b.getShort(2 * i); break;
      case UINT16: got = (long) Short.toUnsignedInt(b.getShort(2 * i)); break;
      case INT8: case QINT8: got = (long) b.get(i); break;
      case UINT8: case QUINT8: got = (long) Byte.toUnsignedInt(b.get(i)); break;
      default: throw new AssertionError(what + ": no decoder for " + dt);
    }
    if (want instanceof BigInteger) {
      assertThat(got.longValue()).as(what).isEqualTo(((BigInteger) want).longValue());
      if (got instanceof Double) {
        assertThat(got.doubleValue()).as(what).isEqualTo(((BigInteger) want).doubleValue());
      }
    } else {
      double w = want instanceof String ? Double.parseDouble((String) want) : (Double) want;
      assertThat(Double.compare(got.doubleValue(), w)).as(what + ": " + got + " vs " + w).isZero();
    }
  }

  /** Python's complex repr: {@code (1+2j)}, {@code (-3.5+0.25j)}, {@code (0.5-1j)}. */
  private static double[] complex(String s) {
    Matcher m = Pattern.compile("^\\(?([-+]?[0-9.e]+(?:e[-+]?\\d+)?)([-+][0-9.e]+(?:e[-+]?\\d+)?)j\\)?$").matcher(s);
    assertThat(m.matches()).as("complex literal " + s).isTrue();
    return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
  }

  /** IEEE binary16 to float, by hand (Float.float16ToFloat is JDK 20+). */
  static float halfToFloat(short h) {
    int s = (h >>> 15) & 1;
    int e = (h >>> 10) & 0x1F;
    int m = h & 0x3FF;
    float v;
    if (e == 0) {
      v = m * 0x1p-24f;
    } else if (e == 31) {
      v = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
    } else {
      v = Float.intBitsToFloat(((e - 15 + 127) << 23) | (m << 13));
    }
    return s == 1 ? -v : v;
  }

  @Test
  void torchScriptArchivesAreRefused() {
    for (String name : Fixtures.TORCHSCRIPT) {
      assertThatThrownBy(() -> TensorFile.open(Fixtures.dir().resolve(name)))
          .as(name).isInstanceOfSatisfying(TensorFormatException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.TORCHSCRIPT);
            assertThat(e.getMessage()).contains("TorchScript archive (torch.jit.save): has constants.pkl; "
                + "load it with torch.jit.load");
          });
    }
  }

  @Test
  void negativeFilesAreRefusedWithoutRunningAnything() {
    assertThatThrownBy(() -> TensorFile.open(Fixtures.dir().resolve("negative/picklescan_bad_pytorch.pt")))
        .isInstanceOfSatisfying(TensorFormatException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_TENSOR_FILE));
    assertThatThrownBy(() -> TensorFile.open(Fixtures.dir().resolve("negative/picklescan_pytorch_magic_bypass.pt")))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_GLOBAL);
          assertThat(e.getMessage()).contains("builtins.eval").doesNotContain("posix.system");
        });
  }

  @Test
  void classesOutsideTheAllowListAreRefusedByName() {
    Map<String, String> cls = Map.of("generated/gen_whole_module.pt", "torch.nn.modules.linear.Linear",
        "generated/gen_tensor_subclass.pt", "__main__.MyTensor");
    cls.forEach((name, className) -> assertThatThrownBy(() -> TensorFile.open(Fixtures.dir().resolve(name)))
        .as(name).isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_GLOBAL);
          assertThat(e.getMessage()).contains(className);
        }));
  }

  @Test
  void bigEndianFilesEqualTheirLittleEndianTwin() throws IOException {
    try (TensorFile be = TensorFile.open(Fixtures.dir().resolve("pytorch_tensor.double.BE.BOM.pt"));
        TensorFile le = TensorFile.open(Fixtures.dir().resolve("pytorch_tensor.double.LE.BOM.pt"))) {
      TensorInfo b = be.tensor("tensor");
      TensorInfo l = le.tensor("tensor");
      assertThat(b.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
      assertThat(l.byteOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer bb = ByteBuffer.allocate((int) b.nbytes());
      ByteBuffer lb = ByteBuffer.allocate((int) l.nbytes());
      be.read(b, bb);
      le.read(l, lb);
      assertThat(bb.array()).isEqualTo(lb.array());
      assertThat(ByteBuffer.wrap(lb.array()).order(ByteOrder.LITTLE_ENDIAN).getDouble(0)).isEqualTo(0.19819605333843945);
    }
  }

  @Test
  void configWithoutTensorsKeepsItsMetadata() throws IOException {
    try (TensorFile f = TensorFile.open(Fixtures.dir().resolve("candle_config.pt"))) {
      assertThat(f.format()).isEqualTo(FileFormat.TORCH_ZIP);
      assertThat(f.tensors()).isEmpty();
      assertThat(f.metadata()).containsExactly(Map.entry("some_float", 0.1), Map.entry("some_int", 1L),
          Map.entry("some_bool", true), Map.entry("some_str", "hello"));
    }
  }

  @Test
  void parametersKeepTheirRequiresGradAndDevice() throws IOException {
    try (TensorFile f = TensorFile.open(Fixtures.dir().resolve("generated/gen_parameters_grad.pt"))) {
      assertThat(f.tensor("param").requiresGrad()).isTrue();
      assertThat(f.tensor("frozen_param").requiresGrad()).isFalse();
      assertThat(f.tensor("leaf_requires_grad").requiresGrad()).isTrue();
      assertThat(f.tensor("scalar_i64").requiresGrad()).isFalse();
      assertThat(f.tensors()).allSatisfy(t -> assertThat(t.device()).isEqualTo("cpu"));
    }
  }

  @Test
  void quantizedTensorsCarryTheirParameters() throws IOException {
    try (TensorFile f = TensorFile.open(Fixtures.dir().resolve("generated/gen_quantized.pt"))) {
      TensorInfo perTensor = f.tensor("per_tensor_quint8");
      assertThat(perTensor.attributes()).containsEntry("qscheme", "torch.per_tensor_affine")
          .containsEntry("scale", 0.1).containsEntry("zero_point", 10L);
      TensorInfo perChannel = f.tensor("per_channel_qint8");
      assertThat(perChannel.attributes()).containsEntry("qscheme", "torch.per_channel_affine")
          .containsEntry("axis", 0L);
      TensorInfo scales = f.tensor((String) perChannel.attributes().get("q_scales"));
      ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      f.read(scales, b);
      assertThat(new double[] {b.getDouble(0), b.getDouble(8)}).containsExactly(0.1, 0.2);
      TensorInfo zeros = f.tensor((String) perChannel.attributes().get("q_zero_points"));
      b.clear();
      f.read(zeros, b);
      assertThat(new long[] {b.getLong(0), b.getLong(8)}).containsExactly(0, 1);
    }
  }

  @Test
  void formatsAreDetectedFromContent() throws IOException {
    Map<String, FileFormat> want = Map.of("gopickle_tensor_float32_proto1.pt", FileFormat.TORCH_LEGACY,
        "gopickle_tensor_bool_proto4.pt", FileFormat.TORCH_LEGACY,
        "picklescan_pytorch_model.bin", FileFormat.TORCH_LEGACY,
        "picklescan_new_pytorch_model.bin", FileFormat.TORCH_ZIP,
        "generated/gen_bytesio_archive_prefix.pt", FileFormat.TORCH_ZIP,
        "candle_jfk-codes.safetensors", FileFormat.SAFETENSORS);
    for (Map.Entry<String, FileFormat> e : want.entrySet()) {
      try (TensorFile f = TensorFile.open(Fixtures.dir().resolve(e.getKey()))) {
        assertThat(f.format()).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void pathMappingFollowsTheKeyGrammar() {
    assertThat(key("/a/b", 0)).isEqualTo("a.b");
    assertThat(key("[0][1]", 0)).isEqualTo("0.1");
    assertThat(key("[2]/a[0]", 0)).isEqualTo("2.a.0");
    assertThat(key("<root>", 0)).isEqualTo("tensor");
    assertThat(key("/coo<1>[0]", 2)).isEqualTo("coo.indices");
    assertThat(key("/csr<1>[1]", 3)).isEqualTo("csr.col_indices");
    assertThat(key("norm1.num_batches_tracked", 0)).isEqualTo("norm1.num_batches_tracked");
  }
}
