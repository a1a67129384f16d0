package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.TensorFormatException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Positioned reads through Hadoop: both read paths, counters, and the end-of-file error. */
class HadoopInputTest {

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void readsRangesIntoHeapAndDirectBuffers(boolean byteBuffers, @TempDir Path dir) throws Exception {
    byte[] bytes = new byte[3 << 20];
    new Random(1).nextBytes(bytes);
    Path file = dir.resolve("f.bin");
    Files.write(file, bytes);
    Configuration conf = new Configuration();
    conf.set("fs.failrange.impl", FailingRangeFileSystem.class.getName());
    conf.setBoolean("fs.failrange.impl.disable.cache", true);
    conf.setBoolean("failrange.bytebuffer", byteBuffers);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(FailingRangeFileSystem.SCHEME + "://" + file);
    FileSystem fs = p.getFileSystem(conf);
    ReadCounters counters = new ReadCounters();
    try (HadoopInput in = HadoopInput.open(fs, p, bytes.length, counters)) {
      assertThat(in.readsIntoByteBuffers()).isEqualTo(byteBuffers);
      assertThat(in.length()).isEqualTo(bytes.length);
      ByteBuffer direct = ByteBuffer.allocateDirect((5 << 19) + 3);
      in.readFully(100, direct);
      assertThat(direct.hasRemaining()).isFalse();
      direct.flip();
      for (int i = 0; i < direct.limit(); i += 4099) {
        assertThat(direct.get(i)).isEqualTo(bytes[100 + i]);
      }
      ByteBuffer heap = ByteBuffer.allocate(10);
      heap.position(2);
      in.readFully(bytes.length - 8, heap);
      assertThat(java.util.Arrays.copyOfRange(heap.array(), 2, 10))
          .isEqualTo(java.util.Arrays.copyOfRange(bytes, bytes.length - 8, bytes.length));
      assertThat(counters.readCalls).isEqualTo(2);
      assertThat(counters.bytesRead).isEqualTo((5 << 19) + 3 + 8);
      assertThatThrownBy(() -> in.readFully(bytes.length - 4, ByteBuffer.allocate(8)))
          .isInstanceOf(TensorFormatException.class)
          .hasMessage("TRUNCATED: " + p + ": read of 8 bytes at offset " + (bytes.length - 4)
              + " runs past the end (length " + bytes.length + ")");
    }
  }

  @Test
  void fileShorterThanListedIsTruncated(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("short.bin");
    Files.write(file, new byte[10]);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file.toUri());
    FileSystem fs = p.getFileSystem(new Configuration());
    try (HadoopInput in = HadoopInput.open(fs, p, 100, null)) {
      assertThatThrownBy(() -> in.readFully(0, ByteBuffer.allocate(50)))
          .isInstanceOf(TensorFormatException.class)
          .hasMessageContaining("TRUNCATED")
          .hasMessageContaining("file ends before offset 50 (listed length 100)");
    }
  }
}
