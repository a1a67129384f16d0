package io.torchtensor.format;

import java.nio.ByteBuffer;

/** An in-memory file: every parser is testable from a {@code byte[]}. */
public final class ByteArrayInput implements RandomAccessInput {

  private final String name;
  private final byte[] bytes;

  public ByteArrayInput(String name, byte[] bytes) {
    this.name = name;
    this.bytes = bytes;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long length() {
    return bytes.length;
  }

  @Override
  public void readFully(long position, ByteBuffer dst) throws TensorFormatException {
    int n = dst.remaining();
    RandomAccessInput.checkRange(name, bytes.length, position, n);
    dst.put(bytes, (int) position, n);
  }

  @Override
  public void close() {
  }
}
