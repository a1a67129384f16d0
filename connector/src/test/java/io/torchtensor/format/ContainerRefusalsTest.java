package io.torchtensor.format;

import static io.torchtensor.format.TestFiles.ascii;
import static io.torchtensor.format.TestFiles.floats;
import static io.torchtensor.format.TestFiles.hex;
import static io.torchtensor.format.TestFiles.legacy;
import static io.torchtensor.format.TestFiles.tensorPickle;
import static io.torchtensor.format.TestFiles.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.TestFiles.Rec;
import io.torchtensor.format.TestFiles.T;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One small hand-built file per reason the container readers raise (safetensors header reasons and
 * read requests are in {@link SafetensorsReaderTest} and {@link StridedReaderTest}), plus the
 * accepted counterparts they are mutated from.
 */
class ContainerRefusalsTest {

  private static final String F = "f.pt";

  private static TensorFile open(byte[] bytes) throws Exception {
    return TensorFile.open(new ByteArrayInput(F, bytes));
  }

  private static void refused(byte[] bytes, Reason reason, String... message) {
    refused(bytes, ReadLimits.DEFAULT, reason, message);
  }

  private static void refused(byte[] bytes, ReadLimits limits, Reason reason, String... message) {
    assertThatThrownBy(() -> TensorFile.open(new ByteArrayInput(F, bytes), limits))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(reason);
          assertThat(e.file()).isEqualTo(F);
          assertThat(e.getMessage()).contains(message);
        });
  }

  private static Map<String, T> oneTensor(String storageClass, long numel, long offset, long[] shape, long[] stride) {
    Map<String, T> m = new LinkedHashMap<>();
    m.put("w", new T(storageClass, "0", numel, offset, shape, stride));
    return m;
  }

  /** {@code torch.save({'w': <2x3 float32>})} with the records in torch 2.x order, under {@code prefix/}. */
  private static List<Rec> torchZip(String prefix, byte[] pickle, byte[] storage) {
    return List.of(new Rec(prefix + "/data.pkl", pickle), new Rec(prefix + "/byteorder", ascii("little")),
        new Rec(prefix + "/data/0", storage), new Rec(prefix + "/version", ascii("3\n")));
  }

  private static byte[] goodPickle() {
    return tensorPickle(oneTensor("FloatStorage", 6, 0, new long[] {2, 3}, new long[] {3, 1}), false);
  }

  @Test
  void acceptsAHandBuiltTorchZipWithAnyPrefix() throws Exception {
    byte[] f = zip(torchZip("my-model", goodPickle(), floats(1, 2, 3, 4, 5, 6)));
    try (TensorFile t = open(f)) {
      assertThat(t.format()).isEqualTo(FileFormat.TORCH_ZIP);
      TensorInfo w = t.tensor("w");
      assertThat(w.storage().dataOffset() % 64).isZero();
      assertThat(w.storage().entry()).isEqualTo("my-model/data/0");
      ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      t.readRows(w, 1, 1, b);
      assertThat(new float[] {b.getFloat(0), b.getFloat(4), b.getFloat(8)}).containsExactly(4, 5, 6);
    }
  }

  @Test
  void notATensorFile() {
    refused(hex("89504e470d0a1a0a0000000d49484452"), Reason.NOT_A_TENSOR_FILE,
        "not a torch.save or safetensors file", "first bytes 89 50 4e 47");
    refused(new byte[0], Reason.NOT_A_TENSOR_FILE, "not a torch.save or safetensors file");
  }

  @Test
  void torchScriptArchives() {
    List<Rec> recs = List.of(new Rec("foo/data.pkl", goodPickle()), new Rec("foo/constants.pkl", hex("80022e")),
        new Rec("foo/data/0", floats(1, 2, 3, 4, 5, 6)), new Rec("foo/version", ascii("3\n")));
    refused(zip(recs), Reason.TORCHSCRIPT,
        "TorchScript archive (torch.jit.save): has constants.pkl; load it with torch.jit.load");
    refused(zip(List.of(new Rec("m/code/__torch__.py", ascii("x"), 8), new Rec("m/data.pkl", goodPickle()))),
        Reason.TORCHSCRIPT, "has code/ records");
    refused(zip(List.of(new Rec("m/model.json", ascii("{}")))), Reason.TORCHSCRIPT, "has model.json");
  }

  @Test
  void unsupportedContainers() {
    byte[] tar = new byte[1024];
    System.arraycopy(ascii("storages"), 0, tar, 0, 8);
    System.arraycopy(ascii("ustar"), 0, tar, 257, 5);
    refused(tar, Reason.UNSUPPORTED_CONTAINER, "tar archive");
    byte[] preview = Arrays.copyOf(ascii("PYTORCH1"), 64);
    refused(preview, Reason.UNSUPPORTED_CONTAINER, "PYTORCH1 preview archive");
  }

  @Test
  void badZip() {
    byte[] good = zip(torchZip("a", goodPickle(), floats(1, 2, 3, 4, 5, 6)));
    refused(Arrays.copyOf(good, good.length - 1), Reason.BAD_ZIP, "no end of central directory record");
    byte[] compressed = zip(List.of(new Rec("a/data.pkl", goodPickle(), 8), new Rec("a/data/0", floats(1, 2, 3, 4, 5, 6))));
    refused(compressed, Reason.BAD_ZIP, "entry a/data.pkl is compressed (method 8)");
    refused(zip(List.of(new Rec("data.pkl", goodPickle()))), Reason.BAD_ZIP, "first entry 'data.pkl' is not inside a folder");
    byte[] renamed = good.clone();
    // the first local header's name, "a/data.pkl" at offset 30, no longer matches its central entry
    renamed[30] = 'b';
    refused(renamed, Reason.BAD_ZIP, "entry a/data.pkl: local header at offset 0 names a different record");
    refused(zipWithByteorder("middle"), Reason.BAD_ZIP, "a/byteorder holds 'middle', expected 'little' or 'big'");
  }

  private static byte[] zipWithByteorder(String order) {
    return zip(List.of(new Rec("a/data.pkl", goodPickle()), new Rec("a/byteorder", ascii(order)),
        new Rec("a/data/0", floats(1, 2, 3, 4, 5, 6))));
  }

  @Test
  void missingRecords() {
    refused(zip(List.of(new Rec("a/version", ascii("3\n")))), Reason.MISSING_RECORD, "no a/data.pkl record");
    refused(zip(List.of(new Rec("a/data.pkl", goodPickle()))), Reason.MISSING_RECORD,
        "no record a/data/0 for storage 0 (float32)");
  }

  @Test
  void limitsExceeded() {
    byte[] f = zip(torchZip("a", goodPickle(), floats(1, 2, 3, 4, 5, 6)));
    refused(f, new ReadLimits(1 << 20, 1000, 100, 3, 1 << 20, 1000), Reason.LIMIT_EXCEEDED,
        "central directory announces 4 entries, limit 3");
    refused(f, new ReadLimits(10, 1000, 100, 1000, 1 << 20, 1000), Reason.LIMIT_EXCEEDED,
        "pickle a/data.pkl has " + goodPickle().length + " bytes, limit 10");
    refused(f, new ReadLimits(1 << 20, 1000, 100, 1000, 20, 1000), Reason.LIMIT_EXCEEDED,
        "'w'", "exceeds the limit of 20 bytes");
  }

  @Test
  void badStorage() {
    refused(zip(torchZip("a", goodPickle(), floats(1, 2, 3, 4, 5))), Reason.BAD_STORAGE,
        "record a/data/0 holds 20 bytes, expected 24 (6 x float32)");
  }

  @Test
  void badShape() {
    // 2x3 at offset 1 needs 7 elements of a 6-element storage
    byte[] p = tensorPickle(oneTensor("FloatStorage", 6, 1, new long[] {2, 3}, new long[] {3, 1}), false);
    refused(zip(torchZip("a", p, floats(1, 2, 3, 4, 5, 6))), Reason.BAD_SHAPE,
        "w", "offset 1 reaches element 6 of a storage of 6 elements");
    byte[] neg = tensorPickle(oneTensor("FloatStorage", 6, 0, new long[] {2, -3}, new long[] {3, 1}), false);
    refused(zip(torchZip("a", neg, floats(1, 2, 3, 4, 5, 6))), Reason.BAD_SHAPE, "w", "-3");
  }

  private static byte[] legacyFile(long count, byte[] block) {
    byte[] p = tensorPickle(oneTensor("FloatStorage", 6, 0, new long[] {2, 3}, new long[] {3, 1}), true);
    return legacy(p, List.of("0"), List.of(count), List.of(block));
  }

  @Test
  void legacyFiles() throws Exception {
    try (TensorFile t = open(legacyFile(6, floats(1, 2, 3, 4, 5, 6)))) {
      assertThat(t.format()).isEqualTo(FileFormat.TORCH_LEGACY);
      TensorInfo w = t.tensor("w");
      ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      t.read(w, b);
      assertThat(b.getFloat(20)).isEqualTo(6f);
    }
    // an UntypedStorage (uint16 here) is written with a count of bytes, not elements
    Map<String, T> u16 = new LinkedHashMap<>();
    u16.put("u", new T("UntypedStorage:uint16", "7", 6, 0, new long[] {3}, new long[] {1}));
    byte[] untyped = legacy(tensorPickle(u16, true), List.of("7"), List.of(6L), List.of(hex("0100ffff0300")));
    try (TensorFile t = open(untyped)) {
      TensorInfo u = t.tensor("u");
      assertThat(u.dtype()).isEqualTo(DType.UINT16);
      ByteBuffer b = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
      t.read(u, b);
      assertThat(new int[] {b.getShort(0), Short.toUnsignedInt(b.getShort(2)), b.getShort(4)}).containsExactly(1, 65535, 3);
    }
    refused(legacyFile(5, floats(1, 2, 3, 4, 5)), Reason.BAD_STORAGE,
        "storage 0 at offset", "holds 5 elements, expected 6 (float32)");
    byte[] cut = legacyFile(6, floats(1, 2, 3, 4, 5, 6));
    refused(Arrays.copyOf(cut, cut.length - 1), Reason.TRUNCATED, "storage 0 of 24 bytes at offset",
        "runs past the end of the file");
  }

  @Test
  void legacyHeaderPickles() {
    byte[] obj = tensorPickle(oneTensor("FloatStorage", 6, 0, new long[] {2, 3}, new long[] {3, 1}), true);
    byte[] sys = hex("80027d2e");                           // {}
    byte[] keys = hex("80025d28580100000030652e");        // ['0']
    byte[] block = new TestFiles.Out().i64(6).bytes(floats(1, 2, 3, 4, 5, 6)).toByteArray();
    refused(TestFiles.legacyParts(hex("80024de8032e"), sys, obj, keys, block), Reason.UNSUPPORTED_CONTAINER,
        "legacy protocol version 1000, expected 1001");
    refused(TestFiles.legacyParts(hex("80024de9032e"), hex("80025d2e"), obj, keys, block), Reason.BAD_PICKLE,
        "sys_info is not a dict");
    refused(TestFiles.legacyParts(hex("80024de9032e"), sys, obj, hex("80027d2e"), block), Reason.BAD_PICKLE,
        "storage key list is not a list");
    refused(TestFiles.legacyParts(hex("80024de9032e"), sys, obj, hex("80025d284b00652e"), block),
        Reason.BAD_PICKLE, "storage key 0 is not a string");
    byte[] twice = hex("80025d28580100000030580100000030652e");
    refused(TestFiles.legacyParts(hex("80024de9032e"), sys, obj, twice, block), Reason.BAD_STORAGE,
        "storage key 0 is listed twice");
    byte[] other = hex("80025d28580100000031652e");       // ['1']: not the tensor's storage
    refused(TestFiles.legacyParts(hex("80024de9032e"), sys, obj, other, block), Reason.BAD_STORAGE,
        "storage 1 at offset", "is listed but no tensor views it");
    byte[] none = hex("80025d2e");                         // []
    refused(TestFiles.legacyParts(hex("80024de9032e"), sys, obj, none, new byte[0]), Reason.MISSING_RECORD,
        "storage 0 of tensor w is not in the storage key list");
  }

  @Test
  void forbiddenGlobalInTheMagicPickle() {
    // the picklescan magic bypass: the "magic number" is computed by __builtin__.eval
    byte[] b = TestFiles.hex("8002635f5f6275696c74696e5f5f0a6576616c0a710058040000003078313971018571025271032e");
    refused(b, Reason.FORBIDDEN_GLOBAL, "builtins.eval");
  }
}
