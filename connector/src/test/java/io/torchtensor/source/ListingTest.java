package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.SparkException;
import org.apache.spark.sql.DataFrameReader;
import org.junit.jupiter.api.Test;

/** Which files a load reads: directories, globs, hidden files, pathGlobFilter, recursion. */
class ListingTest extends SparkTestSupport {

  private static DataFrameReader read() {
    return spark().read().format("torchtensor");
  }

  @Test
  void directoryReadsItsOwnVisibleFiles() {
    assertThat(read().option("pathGlobFilter", "*.pt").load(data("listing")).count()).isEqualTo(2 + 3);
  }

  @Test
  void recursiveFileLookupReadsSubdirectories() {
    assertThat(read().option("pathGlobFilter", "*.pt").option("recursiveFileLookup", "true").load(data("listing"))
        .count()).isEqualTo(2 + 3 + 4);
  }

  @Test
  void withoutAFilterForeignFilesFailByName() {
    assertThatThrownBy(() -> read().load(data("listing")))
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("listing/notes.txt");
  }

  @Test
  void globsAndSeveralPaths() {
    assertThat(read().load(data("listing") + "/*.pt").count()).isEqualTo(2 + 3);
    assertThat(read().load(data("listing/a.pt"), data("listing/sub/c.pt")).count()).isEqualTo(2 + 4);
  }
}
