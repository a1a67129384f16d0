package io.torchtensor.source;

import io.torchtensor.format.RandomAccessInput;
import io.torchtensor.format.TensorFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A file of Hadoop's local file system ({@code file:} paths) read through a {@link FileChannel}:
 * each positioned read goes from the page cache straight into the caller's buffer, usually an Arrow
 * data buffer, in one copy.
 *
 * <p>Why not through Hadoop: {@code LocalFileSystem} is a {@code ChecksumFileSystem}, whose
 * positioned read builds a new {@code ChecksumFSInputChecker} (a fresh open of the file) on every
 * call ({@code ChecksumFileSystem.ChecksumFSInputChecker#read(long, byte[], int, int)}), and
 * {@code RawLocalFileSystem}'s stream reads positions into a heap array only
 * ({@code LocalFSFileInputStream#read(long, byte[], int, int)}), which {@link HadoopInput} then copies
 * into the direct buffer. On 1 GiB of shards that made the reader 3-4 times slower than the file
 * read itself (bench/RESULTS.md, "Spark scan").
 *
 * <p>Used only when nothing is lost: the path's file system is a plain local one (see
 * {@link #PLAIN_LOCAL}) and the file has no {@code .crc} sidecar (torch never writes one; a file
 * written through Hadoop's local file system has one, and is then read through Hadoop so that its
 * checksums are still verified). Bytes and read calls are counted like {@link HadoopInput}'s.
 */
final class LocalFileInput implements RandomAccessInput {

  private final String name;
  private final FileChannel channel;
  private final long length;
  private final ReadCounters counters;

  private LocalFileInput(String name, FileChannel channel, long length, ReadCounters counters) {
    this.name = name;
    this.channel = channel;
    this.length = length;
    this.counters = counters == null ? new ReadCounters() : counters;
  }

  /**
   * Opens {@code path} through a FileChannel when it is a local file without a checksum sidecar,
   * else through {@link HadoopInput}. {@code length} is the listed file length.
   */
  static RandomAccessInput open(FileSystem fs, Path path, long length, ReadCounters counters) throws IOException {
    if (PLAIN_LOCAL.contains(fs.getClass().getName())) {
      Path qualified = fs.makeQualified(path);
      if ("file".equals(qualified.toUri().getScheme()) && !fs.exists(checksumFile(qualified))) {
        java.nio.file.Path file = java.nio.file.Path.of(qualified.toUri());
        return new LocalFileInput(path.toString(), FileChannel.open(file, StandardOpenOption.READ), length, counters);
      }
    }
    return HadoopInput.open(fs, path, length, counters);
  }

  /**
   * Opens a local file through a FileChannel, or null when it has a checksum sidecar (only Hadoop's
   * local file system verifies it). The file-to-file copy of {@link DirectRowCopy} reads its headers
   * through this, so that they are read and counted exactly as the partition reader reads and
   * counts them, and leaves a file with a sidecar to that reader.
   */
  static RandomAccessInput openPlain(java.nio.file.Path file, String name, long length, ReadCounters counters)
      throws IOException {
    java.nio.file.Path fileName = file.getFileName();
    if (fileName != null && Files.exists(file.resolveSibling(checksumName(fileName.toString())))) {
      return null;
    }
    return new LocalFileInput(name, FileChannel.open(file, StandardOpenOption.READ), length, counters);
  }

  /**
   * File systems that read {@code file:} paths as the local file system does. Hadoop's two, and
   * Hive's {@code ProxyLocalFileSystem} (a LocalFileSystem that only maps other schemes onto local
   * paths): hive-exec registers it for {@code file:} through ServiceLoader, so a Spark distribution
   * built with Hive (pyspark's is) hands it out for every local path. Named, not subclass-checked: a
   * subclass may change what {@code open} returns (a test file system that fails ranges does).
   */
  private static final Set<String> PLAIN_LOCAL = Set.of(LocalFileSystem.class.getName(),
      RawLocalFileSystem.class.getName(), "org.apache.hadoop.hive.ql.io.ProxyLocalFileSystem");

  /** Where {@code ChecksumFileSystem.getChecksumFile} keeps a file's checksums: {@code .<name>.crc}. */
  private static Path checksumFile(Path file) {
    return new Path(file.getParent(), checksumName(file.getName()));
  }

  private static String checksumName(String fileName) {
    return "." + fileName + ".crc";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void readFully(long position, ByteBuffer dst) throws IOException {
    int n = dst.remaining();
    RandomAccessInput.checkRange(name, length, position, n);
    counters.readCalls++;
    long pos = position;
    while (dst.hasRemaining()) {
      int got = channel.read(dst, pos);
      if (got < 0) {
        throw new TensorFormatException(TensorFormatException.Reason.TRUNCATED, name,
            "file ends at offset " + pos + " before offset " + (position + n) + " (listed length " + length + ")");
      }
      pos += got;
    }
    counters.bytesRead += n;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
