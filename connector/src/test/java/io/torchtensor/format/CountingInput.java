package io.torchtensor.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/** An in-memory file that counts positioned reads, so tests can see how often the reader goes to the file. */
class CountingInput implements RandomAccessInput {
  final byte[] bytes;
  private final ByteArrayInput in;
  int reads;

  CountingInput(String name, byte[] b) {
    bytes = b;
    in = new ByteArrayInput(name, b);
  }

  CountingInput(byte[] b) {
    this("mem", b);
  }

  @Override
  public String name() {
    return in.name();
  }

  @Override
  public long length() {
    return in.length();
  }

  @Override
  public void readFully(long position, ByteBuffer dst) throws IOException {
    reads++;
    in.readFully(position, dst);
  }

  @Override
  public void close() {
  }
}
