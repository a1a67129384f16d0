package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Planning without Spark: row ranges of split files, packing, block locality. */
class PartitionPlannerTest {

  private static ListedFile file(String path, long length, ListedFile.Block... blocks) {
    return new ListedFile(path, length, blocks);
  }

  @Test
  void sliceRowRangesCoverEveryRowOnce() {
    Random rnd = new Random(42);
    long[] lengths = {1, 2, 7, 4096, 2_523_461, 10_000_000_019L, Long.MAX_VALUE / 2};
    long[] rowCounts = {0, 1, 2, 3, 10_007, 1L << 40, Long.MAX_VALUE / 3};
    for (long len : lengths) {
      for (long rows : rowCounts) {
        for (int k = 0; k < 5; k++) {
          long split = 1 + Math.floorMod(rnd.nextLong(), Math.max(1, len));
          List<TorchTensorInputPartition> parts =
              PartitionPlanner.plan(List.of(file("f", len)), true, split, 0);
          List<FileSlice> slices = new ArrayList<>();
          parts.forEach(p -> slices.addAll(Arrays.asList(p.slices())));
          slices.sort(Comparator.comparingLong(FileSlice::start));
          long next = 0;
          for (FileSlice s : slices) {
            assertThat(s.firstRow(rows)).as("len %d rows %d split %d", len, rows, split).isEqualTo(next);
            assertThat(s.endRow(rows)).isGreaterThanOrEqualTo(next);
            next = s.endRow(rows);
          }
          assertThat(next).as("len %d rows %d split %d", len, rows, split).isEqualTo(rows);
        }
      }
    }
  }

  @Test
  void splitSizeFollowsSparksFormula() {
    List<ListedFile> files = List.of(file("a", 100), file("b", 300));
    // min(maxPartitionBytes, max(openCost, (100 + 10 + 300 + 10) / 2))
    assertThat(PartitionPlanner.maxSplitBytes(files, 1000, 10, 2)).isEqualTo(210);
    assertThat(PartitionPlanner.maxSplitBytes(files, 150, 10, 2)).isEqualTo(150);
    assertThat(PartitionPlanner.maxSplitBytes(files, 1000, 500, 4)).isEqualTo(500);
  }

  @Test
  void smallFilesArePackedLargestFirst() {
    List<ListedFile> files = List.of(file("a", 10), file("b", 60), file("c", 30), file("d", 50));
    List<TorchTensorInputPartition> parts = PartitionPlanner.plan(files, false, 100, 5);
    List<List<String>> paths = new ArrayList<>();
    for (TorchTensorInputPartition p : parts) {
      paths.add(Arrays.stream(p.slices()).map(FileSlice::path).toList());
    }
    // 60 (+5) then 50 would exceed 100: new partition; 50 (+5) + 30 = 85 fits; +5 +10 = 100 fits.
    assertThat(paths).containsExactly(List.of("b"), List.of("d", "c", "a"));
    assertThat(parts).extracting(TorchTensorInputPartition::index).containsExactly(0, 1);
  }

  @Test
  void unsplittableFilesStayWhole() {
    List<TorchTensorInputPartition> parts = PartitionPlanner.plan(List.of(file("big", 1000)), false, 100, 0);
    assertThat(parts).hasSize(1);
    assertThat(parts.get(0).slices()[0].wholeFile()).isTrue();
  }

  @Test
  void slicesPreferTheHostsOfTheirBlock() {
    ListedFile f = file("f", 300,
        new ListedFile.Block(0, 128, new String[] {"h1", "h2"}),
        new ListedFile.Block(128, 128, new String[] {"h3"}),
        new ListedFile.Block(256, 44, new String[] {"h4"}));
    assertThat(f.hostsFor(0, 100)).containsExactly("h1", "h2");
    assertThat(f.hostsFor(100, 100)).containsExactly("h3");
    assertThat(f.hostsFor(250, 50)).containsExactly("h4");
    List<TorchTensorInputPartition> parts = PartitionPlanner.plan(List.of(f), true, 100, 1000);
    assertThat(parts).hasSize(3); // [200, 300) shares 56 bytes with the second block, 44 with the third
    assertThat(parts.stream().map(p -> p.preferredLocations()[0]).toList()).containsExactlyInAnyOrder("h1", "h3", "h3");
    assertThat(file("local", 10).hostsFor(0, 10)).isEmpty();
  }
}
