package io.torchtensor.source;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.StorageStatistics;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS (one NameNode, one DataNode, in this JVM) for tests, from Hadoop's
 * {@code hadoop-client-minicluster}: the same RPC and data-transfer protocols as a production
 * cluster, so {@code hdfs://} paths go through {@code DistributedFileSystem} and {@code DFSInputStream}
 * exactly as on a cluster.
 *
 * <p>The block size is 1 MiB (the NameNode's minimum, {@code dfs.namenode.fs-limits.min-block-size})
 * so that tensors of a few MiB span several blocks and reads cross block boundaries. Everything binds
 * to 127.0.0.1 (MiniDFSCluster's defaults) and lives under {@code target/}.
 */
final class MiniHdfs implements AutoCloseable {
  static final long BLOCK_SIZE = 1L << 20;

  private final MiniDFSCluster cluster;
  private final FileSystem fs;

  MiniHdfs() throws IOException {
    File base = new File("target/minidfs/" + UUID.randomUUID()).getAbsoluteFile();
    Configuration conf = new Configuration();
    conf.setLong("dfs.blocksize", BLOCK_SIZE);
    // No WebHDFS, one replica (one DataNode): a small footprint on a test machine.
    conf.setBoolean("dfs.webhdfs.enabled", false);
    conf.setInt("dfs.replication", 1);
    cluster = new MiniDFSCluster.Builder(conf, base).numDataNodes(1).format(true).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
  }

  /** {@code hdfs://localhost:port}: the NameNode's RPC address, bound to the loopback interface. */
  URI uri() {
    return fs.getUri();
  }

  FileSystem fileSystem() {
    return fs;
  }

  /** Copies a local file or folder to {@code dst} (an absolute HDFS path) and returns its full URI. */
  String put(Path local, String dst) throws IOException {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dst);
    fs.mkdirs(target.getParent());
    fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
    return uri() + dst;
  }

  /**
   * Bytes handed to readers by every {@code hdfs} FileSystem instance of this JVM so far (Hadoop's
   * per-scheme {@code FileSystem.Statistics}, which {@code DFSInputStream} updates on every read,
   * positioned or not). With a {@code local[*]} Spark session the executors' reads count here too.
   */
  static long bytesRead() {
    StorageStatistics s = FileSystem.getGlobalStorageStatistics().get("hdfs");
    // FileSystemStorageStatistics exposes FileSystem.Statistics under these key names.
    Long v = s == null ? null : s.getLong("bytesRead");
    return v == null ? 0L : v;
  }

  @Override
  public void close() throws IOException {
    try {
      fs.close();
    } finally {
      cluster.shutdown(true);
    }
  }
}
