package io.torchtensor.source;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists the files to read on the driver, through the Hadoop {@link FileSystem} of each path, as
 * Spark's file sources do: a path may be a file, a directory or a glob; files and directories whose
 * names start with {@code _} or {@code .} inside a directory are skipped (Spark's
 * {@code _SUCCESS}, {@code .crc} and staging folders), as are files still being copied
 * ({@code ._COPYING_}); {@code pathGlobFilter} applies to file names;
 * sub-directories are read with {@code recursiveFileLookup}, and without it only partition directories
 * ({@code name=value}, see {@link PartitionDiscovery}), whose names may start with {@code _} as in
 * Spark ({@code InMemoryFileIndex.shouldFilterOutPathName}). Files are returned sorted by path.
 */
final class FileLister {

  private FileLister() {
  }

  static List<ListedFile> list(List<String> paths, Configuration conf, String pathGlobFilter, boolean recursive) {
    return list(paths, conf, pathGlobFilter, recursive, null);
  }

  /**
   * Also puts into {@code roots} (when not null) the paths loaded after glob expansion, qualified:
   * a directory as it is, a file as its directory (Spark's root paths of partition discovery).
   */
  static List<ListedFile> list(List<String> paths, Configuration conf, String pathGlobFilter, boolean recursive,
      List<String> roots) {
    try {
      GlobFilter filter = pathGlobFilter == null ? null : new GlobFilter(pathGlobFilter);
      List<ListedFile> out = new ArrayList<>();
      for (String p : paths) {
        Path path = new Path(p);
        FileSystem fs = path.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
          throw new IllegalArgumentException("path does not exist: " + fs.makeQualified(path));
        }
        boolean glob = p.matches(".*[*?\\[{].*");
        for (FileStatus st : matches) {
          if (glob && hidden(st.getPath().getName())) {
            continue; // a glob such as dir/*.pt skips hidden files as a directory listing does
          }
          if (roots != null) {
            roots.add((st.isDirectory() ? st.getPath() : st.getPath().getParent()).toString());
          }
          if (st.isDirectory()) {
            listDirectory(fs, st.getPath(), filter, recursive, out);
          } else if (filter == null || filter.accept(st.getPath())) {
            out.add(listed(fs, st));
          }
        }
      }
      out.sort(Comparator.comparing(ListedFile::path));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + paths + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A local directory is listed with {@code listStatus}: {@code FileSystem.listLocatedStatus}, which
   * the local file systems inherit, builds each {@code LocatedFileStatus} with the copy constructor,
   * which calls {@code getPermission()}; RawLocalFileSystem's lazy status
   * ({@code DeprecatedRawLocalFileStatus.loadPermissionInfo}) then forks {@code ls -ld} per entry
   * when Hadoop's native library is absent, as in Spark's distribution: about 6 ms per entry, most of a
   * query's planning over a few files (bench/RESULTS.md, "Spark scan"). Spark's own listing avoids it
   * the same way ({@code HadoopFSUtils.listLeafFiles}: {@code listStatus}, then
   * {@code getFileBlockLocations}, then a {@code LocatedFileStatus} without permission or owner).
   */
  private static void listDirectory(FileSystem fs, Path dir, GlobFilter filter, boolean recursive,
      List<ListedFile> out) throws IOException {
    List<FileStatus> children = new ArrayList<>();
    try {
      if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
        // See the method's doc: no process per file. Local block locations need no call.
        children.addAll(Arrays.asList(fs.listStatus(dir)));
      } else {
        // One call lists names, lengths and block locations (one RPC per directory on HDFS).
        RemoteIterator<LocatedFileStatus> it = fs.listLocatedStatus(dir);
        while (it.hasNext()) {
          children.add(it.next());
        }
      }
    } catch (FileNotFoundException e) {
      return; // deleted while listing
    }
    for (FileStatus st : children) {
      if (hidden(st.getPath().getName())) {
        continue;
      }
      if (st.isDirectory()) {
        if (recursive || partitionDirectory(st.getPath().getName())) {
          listDirectory(fs, st.getPath(), filter, recursive, out);
        }
      } else if (filter == null || filter.accept(st.getPath())) {
        out.add(listed(fs, st));
      }
    }
  }

  /**
   * Spark's {@code shouldFilterOutPathName}: {@code _} names (not partition directories), dot names,
   * and {@code ._COPYING_} files, which {@code hadoop fs -put} writes before renaming them into place.
   */
  static boolean hidden(String name) {
    return (name.startsWith("_") && !name.contains("=")) || name.startsWith(".") || name.endsWith("._COPYING_");
  }

  /** A Hive-style partition directory name: {@code name=value}, both non-empty. */
  static boolean partitionDirectory(String name) {
    int eq = name.indexOf('=');
    return eq > 0 && eq < name.length() - 1;
  }

  private static ListedFile listed(FileSystem fs, FileStatus st) throws IOException {
    BlockLocation[] locations = st instanceof LocatedFileStatus
        ? ((LocatedFileStatus) st).getBlockLocations()
        : fs.getFileBlockLocations(st, 0, st.getLen());
    List<ListedFile.Block> blocks = new ArrayList<>();
    if (locations != null) {
      for (BlockLocation b : locations) {
        blocks.add(new ListedFile.Block(b.getOffset(), b.getLength(), b.getHosts()));
      }
    }
    return new ListedFile(st.getPath().toString(), st.getLen(), blocks.toArray(new ListedFile.Block[0]));
  }
}
