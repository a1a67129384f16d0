package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleMachine;
import io.torchtensor.format.pickle.PickledStorage;
import io.torchtensor.format.pickle.PickledTensor;
import io.torchtensor.format.pickle.TorchPickle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Indexes a legacy {@code torch.save} stream (PyTorch 0.1.10 to 1.5, and
 * {@code _use_new_zipfile_serialization=False}) [torch/serialization.py _legacy_save, _legacy_load]:
 * five pickles (magic number, protocol version 1001, sys_info, the object, the sorted storage keys),
 * then per key in that list's order an int64 LE element count and the storage's bytes, always
 * little-endian: the C writer swaps on big-endian hosts [torch/csrc/serialization.cpp
 * THPStorage_writeFileRaw]. A block's offset is known only after walking the blocks before it.
 */
final class LegacyReader {

  static final long PROTOCOL_VERSION = 1001;
  /** First window over the pickles; grown fourfold while a pickle runs past it. */
  private static final long FIRST_WINDOW = 1L << 20;
  /** The four small pickles around the object pickle are a few hundred bytes; allow generous slack. */
  private static final long HEADER_SLACK = 1L << 20;

  private record Header(TorchPickle.Result result, List<String> keys, long end) {
  }

  private LegacyReader() {
  }

  static TensorIndex read(RandomAccessInput in, ReadLimits limits) throws IOException {
    String file = in.name();
    long length = in.length();
    long cap = Math.min(length, Math.min(Bytes.MAX_ARRAY, Bytes.add(limits.maxPickleBytes(), HEADER_SLACK,
        Reason.LIMIT_EXCEEDED, file, "pickle window")));
    long window = Math.min(cap, FIRST_WINDOW);
    ByteBuffer buf;
    Header h;
    while (true) {
      buf = Bytes.read(in, 0, window);
      try {
        h = header(buf, file, limits);
        break;
      } catch (TensorFormatException e) {
        // The pickles are self-delimiting: one that runs off the window needs a larger window, unless
        // the window already holds everything we are willing to read.
        if (e.reason() != Reason.TRUNCATED || window >= cap) {
          if (e.reason() == Reason.TRUNCATED && cap < length) {
            throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file, "legacy pickles do not end within "
                + cap + " bytes (maxPickleBytes " + limits.maxPickleBytes() + ")", e);
          }
          throw e;
        }
        window = Math.min(cap, window * 4);
      }
    }

    Map<String, PickledStorage> storages = new HashMap<>();
    for (PickledTensor t : h.result.tensors()) {
      PickledStorage s = t.storage();
      PickledStorage first = storages.putIfAbsent(s.key(), s);
      if (first != null && (first.dtype() != s.dtype() || first.numel() != s.numel())) {
        throw new TensorFormatException(Reason.BAD_STORAGE, file, "storage " + s.key() + " is named as "
            + first.dtype().torchName() + "[" + first.numel() + "] and as " + s.dtype().torchName()
            + "[" + s.numel() + "]");
      }
    }
    Map<String, StorageRef> refs = locate(in, buf, h, storages, file, length);
    TensorIndex.checkCount(file, h.result.tensors().size(), limits);
    List<TensorInfo> tensors = new ArrayList<>(h.result.tensors().size());
    for (PickledTensor t : h.result.tensors()) {
      StorageRef ref = refs.get(t.storage().key());
      if (ref == null) {
        throw new TensorFormatException(Reason.MISSING_RECORD, file, "storage " + t.storage().key()
            + " of tensor " + t.key() + " is not in the storage key list");
      }
      tensors.add(TensorIndex.torchTensor(file, t, ref, ByteOrder.LITTLE_ENDIAN, limits));
    }
    return new TensorIndex(FileFormat.TORCH_LEGACY, List.copyOf(tensors), h.result.metadata());
  }

  /** Parses the five pickles from the start of {@code buf}. */
  private static Header header(ByteBuffer buf, String file, ReadLimits limits) throws TensorFormatException {
    Object magic = PickleMachine.loadPlain(buf, file, "magic number", limits);
    if (!FormatDetector.isMagic(magic)) {
      throw new TensorFormatException(Reason.NOT_A_TENSOR_FILE, file,
          "first pickle is not the legacy torch magic number");
    }
    Object version = PickleMachine.loadPlain(buf, file, "protocol version", limits);
    if (!(version instanceof Long) || (Long) version != PROTOCOL_VERSION) {
      throw new TensorFormatException(Reason.UNSUPPORTED_CONTAINER, file,
          "legacy protocol version " + version + ", expected " + PROTOCOL_VERSION);
    }
    Object sysInfo = PickleMachine.loadPlain(buf, file, "sys_info", limits);
    if (!(sysInfo instanceof Map)) {
      throw new TensorFormatException(Reason.BAD_PICKLE, file, "sys_info is not a dict");
    }
    TorchPickle.Result result = TorchPickle.read(buf, file, "object pickle", limits, true);
    Object keys = PickleMachine.loadPlain(buf, file, "storage key list", limits);
    if (!(keys instanceof List)) {
      throw new TensorFormatException(Reason.BAD_PICKLE, file, "storage key list is not a list");
    }
    List<String> out = new ArrayList<>();
    for (Object k : (List<?>) keys) {
      if (!(k instanceof String)) {
        throw new TensorFormatException(Reason.BAD_PICKLE, file, "storage key " + k + " is not a string");
      }
      out.add((String) k);
    }
    return new Header(result, out, buf.position());
  }

  /**
   * Walks the storage blocks in key-list order: each is an int64 LE count (the pickled numel, or
   * for an {@code UntypedStorage} its byte count) and then the storage's bytes, ending at or before
   * the end of the file.
   */
  private static Map<String, StorageRef> locate(RandomAccessInput in, ByteBuffer window, Header h,
      Map<String, PickledStorage> storages, String file, long length) throws IOException {
    Map<String, StorageRef> refs = new HashMap<>();
    Set<String> listed = new HashSet<>();
    long p = h.end;
    for (String key : h.keys) {
      if (!listed.add(key)) {
        throw new TensorFormatException(Reason.BAD_STORAGE, file, "storage key " + key + " is listed twice");
      }
      PickledStorage s = storages.get(key);
      if (s == null) {
        throw new TensorFormatException(Reason.BAD_STORAGE, file, "storage " + key + " at offset " + p
            + " is listed but no tensor views it, so its element size is unknown");
      }
      long count = p <= window.limit() - 8 ? window.getLong((int) p) : Bytes.read(in, p, 8).getLong(0);
      // An UntypedStorage (the _rebuild_tensor_v3 dtypes: uint16, float8...) is written with uint8 as
      // element size, so its prefix counts bytes [torch/serialization.py _legacy_save]. Either way
      // the block holds exactly the storage's byteCount bytes.
      if (s.byteCount() != Bytes.mul(s.numel(), s.dtype().itemSize(), Reason.BAD_STORAGE, file, "storage " + key)) {
        throw new TensorFormatException(Reason.BAD_STORAGE, file, "storage " + key + ": " + s.byteCount()
            + " bytes is not " + s.numel() + " x " + s.dtype().torchName());
      }
      if (count != s.legacyCount()) {
        throw new TensorFormatException(Reason.BAD_STORAGE, file, "storage " + key + " at offset " + p
            + " holds " + count + (s.untyped() ? " bytes" : " elements") + ", expected "
            + s.legacyCount() + " (" + s.dtype().torchName() + ")");
      }
      long data = Bytes.add(p, 8, Reason.TRUNCATED, file, "storage " + key);
      long bytes = s.byteCount();
      long end = Bytes.add(data, bytes, Reason.BAD_STORAGE, file, "storage " + key);
      if (end > length) {
        throw new TensorFormatException(Reason.TRUNCATED, file, "storage " + key + " of " + bytes
            + " bytes at offset " + data + " runs past the end of the file (" + length + ")");
      }
      refs.put(key, new StorageRef(key, "storage " + key, data, bytes));
      p = end;
    }
    return refs;
  }
}
