package io.torchtensor.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The input as the container readers see it while indexing: the first and last {@link #EDGE} bytes
 * of the file are read once, on first use, and every header read that falls inside them is served
 * from memory. Headers cluster at both ends (zip end records and central directory at the end,
 * data.pkl, legacy pickles and the safetensors header at the start), so a typical open costs two or
 * three positioned reads instead of about ten, which is what counts on object stores. Closing it
 * does not close the underlying input; tensor reads go to the underlying input directly.
 */
final class PrefetchedInput implements RandomAccessInput {

  /** Bytes kept from each end: the zip end-record search needs the last 64 KiB + 22 anyway. */
  static final int EDGE = (64 << 10) + 64;

  private final RandomAccessInput in;
  private final long length;
  private ByteBuffer head;
  private ByteBuffer tail;
  private long tailStart;

  PrefetchedInput(RandomAccessInput in) throws IOException {
    this.in = in;
    this.length = in.length();
  }

  @Override
  public String name() {
    return in.name();
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void readFully(long position, ByteBuffer dst) throws IOException {
    int n = dst.remaining();
    if (position >= 0 && n <= EDGE) {
      if (position + n <= Math.min(EDGE, length)) {
        if (head == null) {
          head = Bytes.read(in, 0, Math.min(EDGE, length));
        }
        dst.put(head.duplicate().position((int) position).limit((int) position + n));
        return;
      }
      long start = Math.max(0, length - EDGE);
      if (position >= start && position + n <= length) {
        if (tail == null) {
          tail = Bytes.read(in, start, length - start);
          tailStart = start;
        }
        int at = (int) (position - tailStart);
        dst.put(tail.duplicate().position(at).limit(at + n));
        return;
      }
    }
    in.readFully(position, dst);
  }

  @Override
  public void close() {
  }
}
