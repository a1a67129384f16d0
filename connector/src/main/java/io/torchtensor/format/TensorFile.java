package io.torchtensor.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
 * <p>Not thread-safe; one per task. Closing it closes the input.
 */
public final class TensorFile implements Closeable {

  private TensorFile() {
  }

  /** Opens a file with default {@link ReadLimits}. Closes {@code in} if opening fails. */
  public static TensorFile open(RandomAccessInput in) throws IOException {
    return open(in, ReadLimits.DEFAULT);
  }

  /** Opens a file, detecting its kind from content. Closes {@code in} if opening fails. */
  public static TensorFile open(RandomAccessInput in, ReadLimits limits) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  public static TensorFile open(Path path) throws IOException {
    return open(new FileInput(path));
  }

  public String name() {
    throw new UnsupportedOperationException("not built yet");
  }

  public FileFormat format() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Tensors in file order (pickle order for torch files, header order for safetensors). */
  public List<TensorInfo> tensors() {
    throw new UnsupportedOperationException("not built yet");
  }

  /** The tensor with this key; {@link TensorFormatException.Reason#NO_SUCH_TENSOR} otherwise. */
  public TensorInfo tensor(String key) throws TensorFormatException {
    throw new UnsupportedOperationException("not built yet");
  }

  /**
   * Non-tensor leaves by key, in file order: {@code epoch -> 42L}. Values are {@code Long},
   * {@code java.math.BigInteger}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]},
   * {@code List<Object>} (tuples, lists, {@code torch.Size}), {@code null} (None), or a {@code String}
   * such as {@code torch.float16} for dtypes and devices. safetensors {@code __metadata__} entries
   * appear as strings.
   */
  public Map<String, Object> metadata() {
    throw new UnsupportedOperationException("not built yet");
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
   * one row. Contiguous little-endian ranges are one positioned read straight into {@code dst}.
   */
  public void readRows(TensorInfo t, long firstRow, long rowCount, ByteBuffer dst) throws IOException {
    throw new UnsupportedOperationException("not built yet");
  }

  @Override
  public void close() throws IOException {
  }
}
