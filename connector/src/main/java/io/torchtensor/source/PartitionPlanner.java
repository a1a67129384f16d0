package io.torchtensor.source;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Packs files into input partitions the way Spark's file sources do
 * [sql/core/.../execution/datasources/FilePartition.scala, {@code maxSplitBytes} and
 * {@code getFilePartitions}]: the split size is
 * {@code min(maxPartitionBytes, max(openCostInBytes, totalBytes / minPartitionNum))}, where each file
 * counts its length plus {@code openCostInBytes}; splittable files are cut at that size; slices are
 * sorted largest first and packed next-fit, each adding {@code openCostInBytes} to its partition.
 *
 * <p>Only {@code rows}-layout files are splittable (a slice is a row range); in the {@code tensors}
 * layout a file is one slice. An empty file still gets a slice so that its reader reports it.
 */
final class PartitionPlanner {

  private PartitionPlanner() {
  }

  static long maxSplitBytes(List<ListedFile> files, long maxPartitionBytes, long openCost, int minPartitionNum) {
    long total = 0;
    for (ListedFile f : files) {
      total = Math.addExact(total, Math.addExact(f.length(), openCost));
    }
    long perCore = total / Math.max(1, minPartitionNum);
    return Math.max(1, Math.min(maxPartitionBytes, Math.max(openCost, perCore)));
  }

  static List<TorchTensorInputPartition> plan(List<ListedFile> files, boolean splittable, long maxSplitBytes,
      long openCost) {
    return plan(files, PartitionDiscovery.Spec.EMPTY, splittable, maxSplitBytes, openCost);
  }

  /** As above; each slice carries its file's partition values from {@code partitions}. */
  static List<TorchTensorInputPartition> plan(List<ListedFile> files, PartitionDiscovery.Spec partitions,
      boolean splittable, long maxSplitBytes, long openCost) {
    List<FileSlice> slices = new ArrayList<>();
    for (ListedFile f : files) {
      Object[] values = partitions.valuesOf(f.path());
      if (!splittable || f.length() <= maxSplitBytes) {
        slices.add(new FileSlice(f.path(), f.length(), 0, f.length(), f.hostsFor(0, f.length()), values));
        continue;
      }
      for (long off = 0; off < f.length(); off += maxSplitBytes) {
        long len = Math.min(maxSplitBytes, f.length() - off);
        slices.add(new FileSlice(f.path(), f.length(), off, len, f.hostsFor(off, len), values));
      }
    }
    slices.sort(Comparator.comparingLong(FileSlice::length).reversed());
    List<TorchTensorInputPartition> out = new ArrayList<>();
    List<FileSlice> current = new ArrayList<>();
    long size = 0;
    for (FileSlice s : slices) {
      if (!current.isEmpty() && size + s.length() > maxSplitBytes) {
        out.add(new TorchTensorInputPartition(out.size(), current.toArray(new FileSlice[0])));
        current.clear();
        size = 0;
      }
      size += s.length() + openCost;
      current.add(s);
    }
    if (!current.isEmpty()) {
      out.add(new TorchTensorInputPartition(out.size(), current.toArray(new FileSlice[0])));
    }
    return out;
  }
}
