package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.RandomAccessInput;
import io.torchtensor.format.TensorFormatException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which input a path gets, and that the FileChannel input reads, bounds and counts like HadoopInput. */
class LocalFileInputTest {
  @TempDir
  Path dir;

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  @Test
  void aLocalFileWithoutChecksumIsReadThroughAFileChannel() throws Exception {
    byte[] data = bytes((3 << 20) + 11);
    Path f = Files.write(dir.resolve("t.pt"), data);
    LocalFileSystem fs = FileSystem.getLocal(new Configuration());
    ReadCounters counters = new ReadCounters();
    try (RandomAccessInput in = LocalFileInput.open(fs, new org.apache.hadoop.fs.Path(f.toUri()), data.length,
        counters)) {
      assertThat(in).isInstanceOf(LocalFileInput.class);
      ByteBuffer direct = ByteBuffer.allocateDirect((2 << 20) + 5);
      in.readFully(1000, direct);
      assertThat(direct.hasRemaining()).isFalse();
      direct.flip();
      for (int i = 0; i < direct.limit(); i += 997) {
        assertThat(direct.get(i)).isEqualTo(data[1000 + i]);
      }
      assertThat(counters.bytesRead).isEqualTo((2 << 20) + 5);
      assertThat(counters.readCalls).isEqualTo(1);
      assertThatThrownBy(() -> in.readFully(data.length - 3, ByteBuffer.allocate(4)))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining("read of 4 bytes at offset " + (data.length - 3) + " runs past the end");
    }
  }

  @Test
  void aFileShorterThanListedIsTruncated() throws Exception {
    Path f = Files.write(dir.resolve("short.pt"), bytes(100));
    try (RandomAccessInput in = LocalFileInput.open(FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(f.toUri()), 200, null)) {
      assertThatThrownBy(() -> in.readFully(90, ByteBuffer.allocate(20)))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining("file ends at offset 100 before offset 110");
    }
  }

  /** A file written through Hadoop's local file system has a .crc sidecar: Hadoop still verifies it. */
  @Test
  void aChecksummedLocalFileIsReadThroughHadoop() throws Exception {
    LocalFileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve("c.pt").toUri());
    try (OutputStream out = fs.create(p)) {
      out.write(bytes(5000));
    }
    assertThat(fs.exists(fs.getChecksumFile(p))).isTrue();
    try (RandomAccessInput in = LocalFileInput.open(fs, p, 5000, null)) {
      assertThat(in).isInstanceOf(HadoopInput.class);
    }
    // The file-to-file copy's entry point applies the same rule: a file with a sidecar is not plain.
    assertThat(LocalFileInput.openPlain(dir.resolve("c.pt"), "c.pt", 5000, null)).isNull();
    Path plain = Files.write(dir.resolve("d.pt"), bytes(10));
    try (RandomAccessInput in = LocalFileInput.openPlain(plain, "d.pt", 10, null)) {
      assertThat(in).isInstanceOf(LocalFileInput.class);
    }
  }

  /** A subclass of the local file system (here one that fails chosen ranges) keeps its own streams. */
  @Test
  void aSubclassOfTheLocalFileSystemIsReadThroughHadoop() throws Exception {
    Path f = Files.write(dir.resolve("s.pt"), bytes(5000));
    Configuration conf = new Configuration();
    conf.set("fs.failrange.impl", FailingRangeFileSystem.class.getName());
    conf.setBoolean("fs.failrange.impl.disable.cache", true);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(FailingRangeFileSystem.SCHEME + "://" + f);
    try (RandomAccessInput in = LocalFileInput.open(p.getFileSystem(conf), p, 5000, null)) {
      assertThat(in).isInstanceOf(HadoopInput.class);
    }
  }
}
