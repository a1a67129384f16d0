package io.torchtensor.format;

import static io.torchtensor.format.TestFiles.safetensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.TensorFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** safetensors headers from byte literals: what is accepted, and one refusal per validation step. */
class SafetensorsReaderTest {

  private static TensorFile open(byte[] bytes) throws Exception {
    return TensorFile.open(new ByteArrayInput("t.safetensors", bytes));
  }

  private static void refused(byte[] bytes, Reason reason, String... message) {
    assertThatThrownBy(() -> open(bytes)).isInstanceOfSatisfying(TensorFormatException.class, e -> {
      assertThat(e.reason()).isEqualTo(reason);
      assertThat(e.getMessage()).contains("t.safetensors").contains(message);
    });
  }

  @Test
  void readsTensorsInHeaderOrderWithMetadataAndNewDtypes() throws Exception {
    byte[] data = new byte[] {
        1, 0, 0, 0, 0, 0, (byte) 0x80, 0x3f, // c: C64 [1] = (1, 0)? re=1.4e-45 bits, im=1.0f
        (byte) 0xff, (byte) 0xff,             // u: U16 [1] = 65535
        0x38, 1, 0,                           // f8: F8_E4M3 [1] = 1.0 ; b: BOOL [2] = true, false
    };
    String json = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"c\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]},"
        + "\"u\":{\"dtype\":\"U16\",\"shape\":[],\"data_offsets\":[8,10]},"
        + "\"f8\":{\"dtype\":\"F8_E4M3\",\"shape\":[1,1],\"data_offsets\":[10,11]},"
        + "\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[11,13]}}   ";
    try (TensorFile f = open(safetensors(json, data))) {
      assertThat(f.format()).isEqualTo(FileFormat.SAFETENSORS);
      assertThat(f.metadata()).containsExactly(java.util.Map.entry("format", "pt"));
      assertThat(f.tensors()).extracting(TensorInfo::key).containsExactly("c", "u", "f8", "b");
      assertThat(f.tensors()).extracting(t -> t.dtype().torchName())
          .containsExactly("complex64", "uint16", "float8_e4m3fn", "bool");
      TensorInfo u = f.tensor("u");
      assertThat(u.rank()).isZero();
      ByteBuffer buf = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
      f.read(u, buf);
      assertThat(Short.toUnsignedInt(buf.getShort(0))).isEqualTo(65535);
      TensorInfo b = f.tensor("b");
      assertThat(b.storage().dataOffset()).isEqualTo(8 + json.length() + 11);
      ByteBuffer bb = ByteBuffer.allocate(2);
      f.read(b, bb);
      assertThat(bb.array()).containsExactly(1, 0);
    }
  }

  @Test
  void emptyFileOfTensorsIsFine() throws Exception {
    try (TensorFile f = open(safetensors("{}", new byte[0]))) {
      assertThat(f.tensors()).isEmpty();
      assertThatThrownBy(() -> f.tensor("x")).isInstanceOfSatisfying(TensorFormatException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.NO_SUCH_TENSOR));
    }
  }

  @Test
  void headerLongerThanTheLimit() {
    byte[] b = safetensors("{}", new byte[0]);
    ReadLimits small = new ReadLimits(1 << 20, 1000, 100, 1000, 1 << 20, 1);
    assertThatThrownBy(() -> TensorFile.open(new ByteArrayInput("t.safetensors", b), small))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
          assertThat(e.getMessage()).contains("header of 2 bytes, limit 1");
        });
  }

  @Test
  void headerLongerThanTheFile() {
    byte[] b = safetensors("{\"a\":1}", new byte[0]);
    byte[] cut = java.util.Arrays.copyOf(b, b.length - 2);
    // Detection needs 8 + N <= size, so a cut header is not recognised as safetensors at all.
    refused(cut, Reason.NOT_A_TENSOR_FILE, "no zip, safetensors header");
    assertThatThrownBy(() -> SafetensorsReader.read(new ByteArrayInput("t.safetensors", cut), ReadLimits.DEFAULT))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
          assertThat(e.getMessage()).contains("header of 7 bytes but the file has 13 bytes");
        });
  }

  @Test
  void headerNotUtf8() {
    byte[] b = safetensors("{\"\u00e9\":1}", new byte[0]);
    b[10] = (byte) 0xC3;
    b[11] = (byte) 0x28;
    refused(b, Reason.BAD_HEADER, "not valid UTF-8");
  }

  @Test
  void headerNotJson() {
    refused(safetensors("{\"a\" 1}", new byte[0]), Reason.BAD_HEADER, "expected ':'");
    refused(safetensors("{\"a\":1} x", new byte[0]), Reason.BAD_HEADER, "after the JSON value");
    refused(safetensors("{\"a\":01}", new byte[0]), Reason.BAD_HEADER, "expected ',' or '}'");
  }

  @Test
  void duplicateKeys() {
    String t = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
    refused(safetensors("{\"a\":" + t + ",\"a\":" + t + "}", new byte[1]), Reason.BAD_HEADER,
        "duplicate key \"a\"");
  }

  @Test
  void deepNestingIsCapped() {
    String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    refused(safetensors(deep, new byte[0]), Reason.LIMIT_EXCEEDED, "nests deeper than");
  }

  @Test
  void entryFieldsAreTyped() {
    refused(safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", new byte[1]),
        Reason.BAD_HEADER, "tensor a: shape[0] = -1 is not a non-negative integer");
    refused(safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[1]),
        Reason.BAD_HEADER, "tensor a: data_offsets is not an array of 2 integers");
    refused(safetensors("{\"a\":{\"dtype\":8,\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
        Reason.BAD_HEADER, "tensor a: dtype missing or not a string");
    refused(safetensors("{\"__metadata__\":{\"k\":1}}", new byte[0]), Reason.BAD_HEADER,
        "__metadata__ entry \"k\" is not a string");
  }

  @Test
  void unsupportedDtypesNameTheTensor() {
    refused(safetensors("{\"q\":{\"dtype\":\"F6_E2M3\",\"shape\":[4],\"data_offsets\":[0,3]}}", new byte[3]),
        Reason.UNSUPPORTED_DTYPE, "tensor q: dtype F6_E2M3 is not supported (sub-byte type)");
    refused(safetensors("{\"q\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", new byte[1]),
        Reason.UNSUPPORTED_DTYPE, "tensor q: dtype F4");
  }

  @Test
  void offsetsMustBeContiguousAndSized() {
    // a hole before the first tensor
    refused(safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", new byte[2]),
        Reason.BAD_HEADER, "tensor a: data_offsets [1, 2) do not start where the previous tensor ends (0)");
    // two tensors overlapping
    refused(safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
        + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", new byte[3]),
        Reason.BAD_HEADER, "tensor b: data_offsets [1, 3)");
    // size disagrees with shape x dtype
    refused(safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]),
        Reason.BAD_HEADER, "tensor a: data_offsets span 4 bytes, expected 8 (2 x F32)");
    // shape product overflows
    refused(safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
        new byte[4]), Reason.BAD_HEADER, "tensor a element count");
    // buffer longer than the tensors
    refused(safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[2]),
        Reason.BAD_HEADER, "tensors cover 1 bytes of the data buffer but it holds 2 bytes");
  }
}
