package io.torchtensor.source;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.connector.read.InputPartition;

/** One task's work: file slices (whole small files, or row ranges of a big file). */
final class TorchTensorInputPartition implements InputPartition {

  private static final long serialVersionUID = 1L;

  private final int index;
  private final FileSlice[] slices;

  TorchTensorInputPartition(int index, FileSlice[] slices) {
    this.index = index;
    this.slices = slices.clone();
  }

  int index() {
    return index;
  }

  FileSlice[] slices() {
    return slices.clone();
  }

  /** The hosts holding the most bytes of this partition's slices, best first (at most three). */
  @Override
  public String[] preferredLocations() {
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (FileSlice s : slices) {
      for (String h : s.hosts()) {
        if (!h.isEmpty() && !h.equals("localhost")) {
          bytes.merge(h, s.length(), Long::sum);
        }
      }
    }
    return bytes.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(3).map(Map.Entry::getKey).toArray(String[]::new);
  }
}
