package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Indexes a safetensors file: {@code u64 LE N}, {@code N} bytes of UTF-8 JSON, then the data buffer
 * (little-endian, C order, never strided) [huggingface/safetensors safetensors/src/tensor.rs].
 *
 * <p>Validation runs in the reference order: bounded length prefix, checked addition, bounded slice,
 * UTF-8, JSON, typed entries, then (sorted by offsets) contiguous non-overlapping ranges whose sizes
 * are {@code numel * bits / 8} by checked multiplication, and exact coverage of the buffer.
 */
final class SafetensorsReader {

  static final String METADATA_KEY = "__metadata__";
  /** dtypes of the format that have no {@link DType}: the sub-byte floats. */
  private static final Set<String> KNOWN_UNSUPPORTED = Set.of("F4", "F6_E2M3", "F6_E3M2");

  /** A header entry after typing, before the offset checks. */
  private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
  }

  private SafetensorsReader() {
  }

  static TensorIndex read(RandomAccessInput in, ReadLimits limits) throws IOException {
    String file = in.name();
    long size = in.length();
    if (size < 8) {
      throw new TensorFormatException(Reason.TRUNCATED, file, "safetensors file of " + size + " bytes has no header length");
    }
    long n = Bytes.read(in, 0, 8).getLong(0);
    if (n < 0 || n > limits.maxHeaderBytes()) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file, "safetensors header of "
          + Long.toUnsignedString(n) + " bytes, limit " + limits.maxHeaderBytes());
    }
    if (n > size - 8) {
      throw new TensorFormatException(Reason.TRUNCATED, file,
          "safetensors header of " + n + " bytes but the file has " + size + " bytes");
    }
    ByteBuffer raw = Bytes.read(in, 8, n);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(raw).toString();
    } catch (CharacterCodingException e) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, "safetensors header is not valid UTF-8", e);
    }
    if (!text.startsWith("{")) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, "safetensors header does not start with '{'");
    }
    Object json = StrictJson.parse(text, file, limits.maxDepth(), limits.maxElements());
    if (!(json instanceof Map)) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, "safetensors header is not a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> header = (Map<String, Object>) json;

    Map<String, Object> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, Object> kv : header.entrySet()) {
      if (kv.getKey().equals(METADATA_KEY)) {
        metadata(file, kv.getValue(), metadata);
      } else {
        entries.add(entry(file, kv.getKey(), kv.getValue()));
      }
    }
    TensorIndex.checkCount(file, entries.size(), limits);

    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.<Entry>comparingLong(e -> e.begin).thenComparingLong(e -> e.end));
    long prevEnd = 0;
    for (Entry e : sorted) {
      if (e.begin != prevEnd || e.end < e.begin) {
        throw new TensorFormatException(Reason.BAD_HEADER, file, "tensor " + e.name + ": data_offsets ["
            + e.begin + ", " + e.end + ") do not start where the previous tensor ends (" + prevEnd
            + "): ranges must be contiguous and non-overlapping");
      }
      long numel = 1;
      for (long d : e.shape) {
        numel = Bytes.mul(numel, d, Reason.BAD_HEADER, file, "tensor " + e.name + " element count");
      }
      long bytes = Bytes.mul(numel, e.dtype.itemSize(), Reason.BAD_HEADER, file, "tensor " + e.name + " bytes");
      if (e.end - e.begin != bytes) {
        throw new TensorFormatException(Reason.BAD_HEADER, file, "tensor " + e.name + ": data_offsets span "
            + (e.end - e.begin) + " bytes, expected " + bytes + " (" + numel + " x " + e.dtype.safetensorsName() + ")");
      }
      if (bytes > limits.maxTensorBytes()) {
        throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file,
            "tensor " + e.name + " of " + bytes + " bytes exceeds the limit of " + limits.maxTensorBytes() + " bytes");
      }
      prevEnd = e.end;
    }
    long dataStart = 8 + n;
    if (prevEnd != size - dataStart) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, "tensors cover " + prevEnd
          + " bytes of the data buffer but it holds " + (size - dataStart) + " bytes");
    }

    List<TensorInfo> tensors = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      long[] strides = new long[e.shape.length];
      long s = 1;
      for (int i = e.shape.length - 1; i >= 0; i--) {
        strides[i] = s;
        s *= e.shape[i]; // cannot overflow: the product was checked above
      }
      StorageRef ref = new StorageRef(e.name, e.name, dataStart + e.begin, e.end - e.begin);
      tensors.add(new TensorInfo(e.name, e.dtype, e.shape, strides, 0, ref, ByteOrder.LITTLE_ENDIAN,
          "cpu", false, Map.of()));
    }
    return new TensorIndex(FileFormat.SAFETENSORS, List.copyOf(tensors), metadata);
  }

  /** {@code __metadata__}: string to string only, as the reference's {@code HashMap<String, String>}. */
  private static void metadata(String file, Object v, Map<String, Object> out) throws TensorFormatException {
    if (v == null) {
      return;
    }
    if (!(v instanceof Map)) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, METADATA_KEY + " is not a JSON object");
    }
    for (Map.Entry<?, ?> kv : ((Map<?, ?>) v).entrySet()) {
      if (!(kv.getValue() instanceof String)) {
        throw new TensorFormatException(Reason.BAD_HEADER, file,
            METADATA_KEY + " entry \"" + kv.getKey() + "\" is not a string");
      }
      out.put((String) kv.getKey(), kv.getValue());
    }
  }

  private static Entry entry(String file, String name, Object v) throws TensorFormatException {
    if (!(v instanceof Map)) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, "tensor " + name + ": entry is not a JSON object");
    }
    Map<?, ?> m = (Map<?, ?>) v;
    Object dt = m.get("dtype");
    if (!(dt instanceof String)) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, "tensor " + name + ": dtype missing or not a string");
    }
    DType dtype = DType.fromSafetensorsName((String) dt);
    if (dtype == null) {
      throw new TensorFormatException(Reason.UNSUPPORTED_DTYPE, file, "tensor " + name + ": dtype " + dt
          + (KNOWN_UNSUPPORTED.contains(dt) ? " is not supported (sub-byte type)" : " is unknown"));
    }
    long[] shape = longs(file, name, "shape", m.get("shape"), -1);
    long[] offsets = longs(file, name, "data_offsets", m.get("data_offsets"), 2);
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  /** A JSON array of non-negative integers that fit a long; of exactly {@code len} elements unless -1. */
  private static long[] longs(String file, String name, String field, Object v, int len)
      throws TensorFormatException {
    if (!(v instanceof List) || (len >= 0 && ((List<?>) v).size() != len)) {
      throw new TensorFormatException(Reason.BAD_HEADER, file, "tensor " + name + ": " + field
          + " is not an array" + (len >= 0 ? " of " + len + " integers" : ""));
    }
    List<?> l = (List<?>) v;
    long[] out = new long[l.size()];
    for (int i = 0; i < out.length; i++) {
      Object x = l.get(i);
      if (!(x instanceof BigInteger) || ((BigInteger) x).signum() < 0 || ((BigInteger) x).bitLength() > 63) {
        throw new TensorFormatException(Reason.BAD_HEADER, file, "tensor " + name + ": " + field + "[" + i
            + "] = " + x + " is not a non-negative integer below 2^63");
      }
      out[i] = ((BigInteger) x).longValue();
    }
    return out;
  }
}
