package io.torchtensor.source;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ByteBufferPositionedReadable;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * The local file system under scheme {@code failrange:}, whose streams fail every read that touches
 * a configured byte range: {@code failrange.ranges} = {@code name:start-end;...} (file name, end
 * exclusive). Proves that a query never reads bytes it does not need. With
 * {@code failrange.bytebuffer=true} streams also take positioned reads into ByteBuffers.
 */
public class FailingRangeFileSystem extends RawLocalFileSystem {

  static final String SCHEME = "failrange";

  private String ranges = "";
  private boolean byteBuffers;

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    ranges = conf.get("failrange.ranges", "");
    byteBuffers = conf.getBoolean("failrange.bytebuffer", false);
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /**
   * Plain statuses: the local file system's own ones load permissions from a {@code file:} URI,
   * which this scheme's paths are not.
   */
  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] local = super.listStatus(f);
    FileStatus[] out = new FileStatus[local.length];
    for (int i = 0; i < local.length; i++) {
      out[i] = plain(local[i]);
    }
    return out;
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return plain(super.getFileStatus(f));
  }

  private static FileStatus plain(FileStatus s) {
    return new FileStatus(s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), s.getPath());
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    FSDataInputStream local = super.open(f, bufferSize);
    long[] range = rangeFor(f.getName());
    return new FSDataInputStream(byteBuffers ? new BufferStream(local, range) : new Stream(local, range));
  }

  private long[] rangeFor(String name) {
    for (String r : ranges.split(";")) {
      int colon = r.lastIndexOf(':');
      if (colon > 0 && r.substring(0, colon).equals(name)) {
        String[] se = r.substring(colon + 1).split("-");
        return new long[] {Long.parseLong(se[0]), Long.parseLong(se[1])};
      }
    }
    return null;
  }

  private static class Stream extends FSInputStream {
    final FSDataInputStream in;
    final long[] range;

    Stream(FSDataInputStream in, long[] range) {
      this.in = in;
      this.range = range;
    }

    void check(long pos, long len) throws IOException {
      if (range != null && pos < range[1] && pos + len > range[0]) {
        throw new IOException("failrange: read of [" + pos + ", " + (pos + len) + ") touches forbidden ["
            + range[0] + ", " + range[1] + ")");
      }
    }

    @Override
    public int read(long position, byte[] buffer, int offset, int length) throws IOException {
      check(position, length);
      return in.read(position, buffer, offset, length);
    }

    @Override
    public void readFully(long position, byte[] buffer, int offset, int length) throws IOException {
      check(position, length);
      in.readFully(position, buffer, offset, length);
    }

    @Override
    public void seek(long pos) throws IOException {
      in.seek(pos);
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos();
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public int read() throws IOException {
      check(in.getPos(), 1);
      return in.read();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static final class BufferStream extends Stream implements ByteBufferPositionedReadable, StreamCapabilities {
    BufferStream(FSDataInputStream in, long[] range) {
      super(in, range);
    }

    @Override
    public int read(long position, ByteBuffer buf) throws IOException {
      int n = buf.remaining();
      byte[] b = new byte[n];
      int got = read(position, b, 0, n);
      if (got > 0) {
        buf.put(b, 0, got);
      }
      return got;
    }

    @Override
    public void readFully(long position, ByteBuffer buf) throws IOException {
      int n = buf.remaining();
      byte[] b = new byte[n];
      try {
        readFully(position, b, 0, n);
      } catch (EOFException e) {
        throw e;
      }
      buf.put(b);
    }

    @Override
    public boolean hasCapability(String capability) {
      return StreamCapabilities.PREADBYTEBUFFER.equals(capability);
    }
  }
}
