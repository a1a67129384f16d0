package io.torchtensor.source;

import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One file seen through the {@code rows} layout: the tensors the {@code keys} option selects, which
 * must all share their leading dimension N (the file's row count). Built from the file's index
 * only; used by schema inference on the driver and by the reader on executors.
 */
final class RowsFile {

  private final String path;
  private final long rows;
  private final Map<String, TensorInfo> tensors;

  private RowsFile(String path, long rows, Map<String, TensorInfo> tensors) {
    this.path = path;
    this.rows = rows;
    this.tensors = tensors;
  }

  static RowsFile of(String path, TensorFile file, KeyFilter keys) {
    Map<String, TensorInfo> selected = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    for (TensorInfo t : file.tensors()) {
      all.add(t.key());
      if (keys.accepts(t.key())) {
        selected.put(t.key(), t);
      }
    }
    if (selected.isEmpty()) {
      throw new TorchTensorSchemaException(all.isEmpty()
          ? "file " + path + " holds no tensors"
          : "file " + path + ": no tensor matches keys '" + keys + "'; the file holds " + all);
    }
    long n = -1;
    String first = null;
    for (TensorInfo t : selected.values()) {
      if (t.rank() == 0) {
        throw new TorchTensorSchemaException("file " + path + ": tensor " + t.key() + " is 0-dimensional and has no"
            + " rows; leave it out with option keys, or read the file with option layout=tensors");
      }
      if (n < 0) {
        n = t.dim(0);
        first = t.key();
      } else if (t.dim(0) != n) {
        throw new TorchTensorSchemaException("file " + path + ": tensors have different leading dimensions ("
            + first + " has " + n + " rows, " + t.key() + " has " + t.dim(0) + ", shape " + Arrays.toString(t.shape())
            + "); the rows layout needs one row count per file: pick tensors with option keys, or read the file"
            + " with option layout=tensors");
      }
    }
    return new RowsFile(path, n, selected);
  }

  String path() {
    return path;
  }

  /** N, the leading dimension shared by the selected tensors. */
  long rows() {
    return rows;
  }

  /** The selected tensor with this key, or null. */
  TensorInfo tensor(String key) {
    return tensors.get(key);
  }

  List<RowsSchema.Column> columns() {
    List<RowsSchema.Column> out = new ArrayList<>();
    for (TensorInfo t : tensors.values()) {
      out.add(RowsSchema.Column.of(t));
    }
    return out;
  }
}
