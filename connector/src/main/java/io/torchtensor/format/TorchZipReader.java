package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickledStorage;
import io.torchtensor.format.pickle.PickledTensor;
import io.torchtensor.format.pickle.TorchPickle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Indexes a {@code torch.save} zip archive (PyTorch 1.6 and later) [torch/serialization.py _save,
 * _load]: {@code <prefix>/data.pkl} holds the object tree, each storage is the STORED record
 * {@code <prefix>/data/<key>}, and {@code <prefix>/byteorder} names the storages' byte order.
 * Only headers are read; storages stay where they are, as (offset, length) ranges.
 */
final class TorchZipReader {

  private TorchZipReader() {
  }

  static TensorIndex read(RandomAccessInput in, ZipDirectory zip, ReadLimits limits) throws IOException {
    String file = in.name();
    String prefix = zip.prefix();
    ByteOrder order = byteOrder(zip, prefix, file);

    String pklName = prefix + "/data.pkl";
    ZipDirectory.Entry pkl = zip.find(pklName);
    if (pkl == null) {
      throw new TensorFormatException(Reason.MISSING_RECORD, file, "no " + pklName + " record in the archive");
    }
    ByteBuffer pickle = zip.readEntry(pkl, limits.maxPickleBytes(), "pickle");
    TorchPickle.Result parsed = TorchPickle.read(pickle, file, pklName, limits, false);
    TensorIndex.checkCount(file, parsed.tensors().size(), limits);

    // One StorageRef per key, shared by every view of it. torch refuses to save views of one storage
    // as different dtypes [torch/serialization.py _save], so a second dtype for a key is corrupt.
    Map<String, PickledStorage> storages = new LinkedHashMap<>();
    Map<String, ZipDirectory.Entry> records = new LinkedHashMap<>();
    for (PickledTensor t : parsed.tensors()) {
      PickledStorage s = t.storage();
      PickledStorage first = storages.putIfAbsent(s.key(), s);
      if (first == null) {
        records.put(s.key(), record(zip, prefix, s, file));
      } else if (first.dtype() != s.dtype() || first.numel() != s.numel()) {
        throw new TensorFormatException(Reason.BAD_STORAGE, file, "storage " + s.key() + " is named as "
            + first.dtype().torchName() + "[" + first.numel() + "] and as " + s.dtype().torchName()
            + "[" + s.numel() + "]");
      }
    }
    Map<String, Long> offsets = zip.dataOffsets(new ArrayList<>(records.values()));
    Map<String, StorageRef> refs = new HashMap<>();
    records.forEach((key, e) -> refs.put(key, new StorageRef(key, e.name(), offsets.get(e.name()), e.size())));
    List<TensorInfo> tensors = new ArrayList<>(parsed.tensors().size());
    for (PickledTensor t : parsed.tensors()) {
      tensors.add(TensorIndex.torchTensor(file, t, refs.get(t.storage().key()), order, limits));
    }
    return new TensorIndex(FileFormat.TORCH_ZIP, List.copyOf(tensors), parsed.metadata());
  }

  /** Finds {@code data/<key>} and checks that it holds exactly {@code numel * itemSize} bytes. */
  private static ZipDirectory.Entry record(ZipDirectory zip, String prefix, PickledStorage s, String file)
      throws IOException {
    String name = prefix + "/data/" + s.key();
    ZipDirectory.Entry e = zip.find(name);
    if (e == null) {
      throw new TensorFormatException(Reason.MISSING_RECORD, file,
          "no record " + name + " for storage " + s.key() + " (" + s.dtype().torchName() + ")");
    }
    long expected = Bytes.mul(s.numel(), s.dtype().itemSize(), Reason.BAD_STORAGE, file, "storage " + name);
    if (s.numel() < 0 || e.size() != expected) {
      throw new TensorFormatException(Reason.BAD_STORAGE, file, "record " + name + " holds " + e.size()
          + " bytes, expected " + expected + " (" + s.numel() + " x " + s.dtype().torchName() + ")");
    }
    return e;
  }

  /**
   * The {@code byteorder} record: {@code little} or {@code big}; when absent (1.x files, or
   * {@code _disable_byteorder_record}) torch 2.1+ assumes little [torch/serialization.py _load].
   */
  private static ByteOrder byteOrder(ZipDirectory zip, String prefix, String file) throws IOException {
    ZipDirectory.Entry e = zip.find(prefix + "/byteorder");
    if (e == null) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    ByteBuffer b = zip.readEntry(e, 16, "record");
    String v = StandardCharsets.US_ASCII.decode(b).toString();
    switch (v) {
      case "little":
        return ByteOrder.LITTLE_ENDIAN;
      case "big":
        return ByteOrder.BIG_ENDIAN;
      default:
        throw new TensorFormatException(Reason.BAD_ZIP, file,
            "record " + e.name() + " holds '" + v + "', expected 'little' or 'big'");
    }
  }
}
