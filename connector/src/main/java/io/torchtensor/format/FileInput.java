package io.torchtensor.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A local file through a {@link FileChannel}: positioned reads, no shared cursor. */
public final class FileInput implements RandomAccessInput {

  private final Path path;
  private final FileChannel channel;

  public FileInput(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public long length() throws IOException {
    return channel.size();
  }

  @Override
  public void readFully(long position, ByteBuffer dst) throws IOException {
    if (position < 0) {
      throw new TensorFormatException(TensorFormatException.Reason.BAD_REQUEST, name(),
          "negative read position " + position);
    }
    long pos = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new TensorFormatException(TensorFormatException.Reason.TRUNCATED, name(),
            "file ends at offset " + pos + ", " + dst.remaining() + " more bytes expected",
            new EOFException());
      }
      pos += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
