package io.torchtensor.source;

import io.torchtensor.format.RandomAccessInput;
import io.torchtensor.format.TensorFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * A file of any Hadoop {@link FileSystem} as a {@link RandomAccessInput}: positioned reads only, so
 * the stream keeps no cursor that scattered reads would have to seek back and forth.
 *
 * <p>When the stream declares {@code in:preadbytebuffer} (HDFS, and wrappers that pass it through),
 * {@code readFully(long, ByteBuffer)} reads straight into the caller's buffer, which is usually an
 * Arrow data buffer. Otherwise bytes go through a reused heap chunk of at most 1 MiB
 * ({@code PositionedReadable.readFully(long, byte[], int, int)} is the one positioned read every
 * Hadoop stream supports). Bytes and read calls are counted for the Spark UI.
 */
final class HadoopInput implements RandomAccessInput {

  private static final int CHUNK = 1 << 20;

  private final String name;
  private final FSDataInputStream in;
  private final long length;
  private final ReadCounters counters;
  private final boolean byteBufferReads;
  private byte[] chunk;

  HadoopInput(String name, FSDataInputStream in, long length, ReadCounters counters) {
    this.name = name;
    this.in = in;
    this.length = length;
    this.counters = counters == null ? new ReadCounters() : counters;
    this.byteBufferReads = in.hasCapability(StreamCapabilities.PREADBYTEBUFFER);
  }

  /** Opens {@code path}; {@code length} is the listed file length (no extra status call). */
  static HadoopInput open(FileSystem fs, Path path, long length, ReadCounters counters) throws IOException {
    return new HadoopInput(path.toString(), fs.open(path), length, counters);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long length() {
    return length;
  }

  /** Whether reads go straight into the caller's buffer (the stream supports ByteBuffer preads). */
  boolean readsIntoByteBuffers() {
    return byteBufferReads;
  }

  @Override
  public void readFully(long position, ByteBuffer dst) throws IOException {
    int n = dst.remaining();
    RandomAccessInput.checkRange(name, length, position, n);
    counters.readCalls++;
    try {
      if (byteBufferReads) {
        in.readFully(position, dst);
      } else if (dst.hasArray()) {
        in.readFully(position, dst.array(), dst.arrayOffset() + dst.position(), n);
        dst.position(dst.position() + n);
      } else {
        long pos = position;
        while (dst.hasRemaining()) {
          int len = Math.min(dst.remaining(), CHUNK);
          if (chunk == null || chunk.length < len) {
            chunk = new byte[Math.min(CHUNK, Math.max(len, 64 << 10))];
          }
          in.readFully(pos, chunk, 0, len);
          dst.put(chunk, 0, len);
          pos += len;
        }
      }
    } catch (EOFException e) {
      throw new TensorFormatException(TensorFormatException.Reason.TRUNCATED, name,
          "file ends before offset " + (position + n) + " (listed length " + length + ")", e);
    }
    counters.bytesRead += n;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
