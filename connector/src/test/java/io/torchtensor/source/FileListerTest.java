package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link FileLister} lists a local directory: without {@code listLocatedStatus}, whose inherited
 * implementation makes RawLocalFileSystem fork {@code ls -ld} per entry, and still with every file's
 * length and its one local block.
 */
class FileListerTest {

  /** The local file system under scheme {@code nolocated:}; listing it with listLocatedStatus fails. */
  public static class NoLocatedStatusFileSystem extends RawLocalFileSystem {
    @Override
    public URI getUri() {
      return URI.create("nolocated:///");
    }

    @Override
    public RemoteIterator<LocatedFileStatus> listLocatedStatus(Path f) throws IOException {
      throw new AssertionError("listLocatedStatus called for " + f);
    }
  }

  @Test
  void localDirectoryIsListedWithoutLocatedStatusAndKeepsLengthsAndBlocks() {
    Configuration conf = new Configuration();
    conf.set("fs.nolocated.impl", NoLocatedStatusFileSystem.class.getName());
    conf.setBoolean("fs.nolocated.impl.disable.cache", true);
    String dir = SparkTestSupport.data("listing");
    List<ListedFile> files = FileLister.list(List.of("nolocated://" + dir), conf, "*.pt", true);

    assertThat(files).extracting(f -> new Path(f.path()).getName()).containsExactly("a.pt", "b.pt", "c.pt");
    for (ListedFile f : files) {
      long onDisk = new File(new Path(f.path()).toUri().getPath()).length();
      assertThat(onDisk).isPositive();
      assertThat(f.length()).as(f.path()).isEqualTo(onDisk);
      assertThat(f.hostsFor(0, f.length())).as(f.path()).containsExactly("localhost");
    }
  }

  /** Spark's file index skips a file that {@code hadoop fs -put} is still copying. */
  @Test
  void filesBeingCopiedAreSkippedAsSparkSkipsThem(@TempDir java.nio.file.Path dir) throws IOException {
    java.nio.file.Path a = java.nio.file.Paths.get(SparkTestSupport.data("listing/a.pt"));
    java.nio.file.Files.copy(a, dir.resolve("a.pt"));
    java.nio.file.Files.copy(a, dir.resolve("b.pt._COPYING_"));
    List<ListedFile> files = FileLister.list(List.of(dir.toString()), new Configuration(), null, false);
    assertThat(files).extracting(f -> new Path(f.path()).getName()).containsExactly("a.pt");
  }
}
