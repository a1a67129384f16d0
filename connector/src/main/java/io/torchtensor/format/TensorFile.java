package io.torchtensor.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An opened tensor file: its index, built from headers only, and lazy reads of tensor bytes.
 *
 * <pre>{@code
 * try (TensorFile f = TensorFile.open(Path.of("shard-0.pt"))) {
 *   TensorInfo x = f.tensor("features");
 *   ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(x.nbytes()));
 *   f.read(x, buf);                  // C order, little-endian
 * }
 * }</pre>
 *
 * <p>Opening reads headers only: the zip directory and {@code data.pkl}, the legacy pickles and block
 * headers, or the safetensors JSON. Tensor bytes are read on {@link #read} / {@link #readRows}.
 * Memory held between reads is the index, a bounded cache of storages shared by several views
 * (at most 64 MiB) and a 1 MiB read-ahead window for small reads; a strided read also uses a span
 * buffer of at most 64 MiB (see {@link StridedReader}).
 *
 * <p>Not thread-safe; one per task. Closing it closes the input.
 */
public final class TensorFile implements Closeable {

  private final RandomAccessInput in;
  private final TensorIndex index;
  private final Map<String, TensorInfo> byKey;
  private final Map<String, Object> metadata;
  private final StridedReader reader;

  private TensorFile(RandomAccessInput in, TensorIndex index) {
    this.in = in;
    this.index = index;
    this.metadata = Collections.unmodifiableMap(
        index.metadata() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(index.metadata()));
    Map<String, TensorInfo> keys = new HashMap<>();
    Map<StorageRef, Integer> views = new HashMap<>();
    for (TensorInfo t : index.tensors()) {
      // Keys are dot-joined paths, so {'a.b': x, 'a': {'b': y}} can collide; the first one wins.
      keys.putIfAbsent(t.key(), t);
      views.merge(t.storage(), 1, Integer::sum);
    }
    Set<StorageRef> shared = new HashSet<>();
    views.forEach((ref, n) -> {
      if (n > 1) {
        shared.add(ref);
      }
    });
    this.byKey = keys;
    this.reader = new StridedReader(in, shared);
  }

  /** Opens a file with default {@link ReadLimits}. Closes {@code in} if opening fails. */
  public static TensorFile open(RandomAccessInput in) throws IOException {
    return open(in, ReadLimits.DEFAULT);
  }

  /** Opens a file, detecting its kind from content. Closes {@code in} if opening fails. */
  public static TensorFile open(RandomAccessInput in, ReadLimits limits) throws IOException {
    try {
      RandomAccessInput headers = new PrefetchedInput(in);
      FormatDetector.Detected d = FormatDetector.detect(headers, limits);
      TensorIndex index;
      switch (d.format()) {
        case TORCH_ZIP:
          index = TorchZipReader.read(headers, d.zip(), limits);
          break;
        case TORCH_LEGACY:
          index = LegacyReader.read(headers, limits);
          break;
        default:
          index = SafetensorsReader.read(headers, limits);
      }
      return new TensorFile(in, index);
    } catch (IOException | RuntimeException | Error e) {
      try {
        in.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  public static TensorFile open(Path path) throws IOException {
    return open(new FileInput(path));
  }

  public String name() {
    return in.name();
  }

  public FileFormat format() {
    return index.format();
  }

  /** Tensors in file order (pickle order for torch files, header order for safetensors). */
  public List<TensorInfo> tensors() {
    return index.tensors();
  }

  /** The tensor with this key; {@link TensorFormatException.Reason#NO_SUCH_TENSOR} otherwise. */
  public TensorInfo tensor(String key) throws TensorFormatException {
    TensorInfo t = byKey.get(key);
    if (t == null) {
      throw new TensorFormatException(TensorFormatException.Reason.NO_SUCH_TENSOR, in.name(),
          "no tensor with key '" + key + "' (" + byKey.size() + " tensors)");
    }
    return t;
  }

  /**
   * Non-tensor leaves by key, in file order: {@code epoch -> 42L}. Values are {@code Long},
   * {@code java.math.BigInteger}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]},
   * {@code List<Object>} (tuples, lists, {@code torch.Size}), {@code null} (None), or a {@code String}
   * such as {@code torch.float16} for dtypes and devices. safetensors {@code __metadata__} entries
   * appear as strings.
   */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /**
   * Reads the whole tensor into {@code dst} in C order, little-endian, advancing its position by
   * {@code t.nbytes()}. Non-contiguous views are gathered; big-endian storages are swapped.
   */
  public void read(TensorInfo t, ByteBuffer dst) throws IOException {
    readRows(t, 0, t.rank() == 0 ? 1 : t.dim(0), dst);
  }

  /**
   * Reads rows {@code [firstRow, firstRow + rowCount)} along dim 0 into {@code dst} in C order,
   * little-endian, advancing its position by {@code rowCount * t.rowBytes()}. A 0-dim tensor has
   * one row. Contiguous little-endian ranges are one positioned read straight into {@code dst}
   * (ranges of at most 64 KiB are copied from a 1 MiB read-ahead window instead, so neighbouring
   * small tensors share one file read). {@link TensorFormatException.Reason#BAD_REQUEST} when the rows are outside dim 0 or {@code dst}
   * has less room than they need or is read-only.
   */
  public void readRows(TensorInfo t, long firstRow, long rowCount, ByteBuffer dst) throws IOException {
    reader.readRows(t, firstRow, rowCount, dst);
  }

  @Override
  public void close() throws IOException {
    reader.clear();
    in.close();
  }
}
