package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchtensor.format.TestFiles.Out;
import io.torchtensor.format.TestFiles.T;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A torch zip past 4 GiB: a 4.5 GiB storage (a sparse hole on disk, so the test writes a few KiB)
 * followed by a small one whose local header lies beyond 2^32. Sizes and offsets then live only in
 * ZIP64 extra fields and records, as torch's writer produces them [inline_container.cc, miniz
 * MZ_ZIP_FLAG_WRITE_ZIP64].
 */
class LargeZipTest {

  private static final long BIG_FLOATS = (9L << 29) / 4; // 4.5 GiB of float32

  @Test
  void offsetsAndSizesBeyond4GiB(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("big.pt");
    Map<String, T> tensors = new LinkedHashMap<>();
    // 1,207,959,552 elements still fit the builder's BININT numel
    tensors.put("big", new T("FloatStorage", "0", BIG_FLOATS, 0, new long[] {BIG_FLOATS / 1024, 1024},
        new long[] {1024, 1}));
    tensors.put("small", new T("FloatStorage", "1", 4, 0, new long[] {4}, new long[] {1}));
    byte[] pickle = TestFiles.tensorPickle(tensors, false);

    List<long[]> central = new ArrayList<>(); // {lho, size}
    List<String> names = List.of("big/data.pkl", "big/data/0", "big/data/1");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.READ)) {
      long pos = 0;
      long[] sizes = {pickle.length, BIG_FLOATS * 4, 16};
      for (int i = 0; i < 3; i++) {
        byte[] name = names.get(i).getBytes(StandardCharsets.UTF_8);
        int pad = (int) ((64 - (pos + 30 + name.length + 4) % 64) % 64);
        Out h = new Out().i32(0x04034b50).i16(45).i16(0x0808).i16(0).i16(0).i16(0).i32(0).i32(0).i32(0)
            .i16(name.length).i16(4 + pad).bytes(name).i16(0x4246).i16(pad);
        for (int k = 0; k < pad; k++) {
          h.u8('Z');
        }
        central.add(new long[] {pos, sizes[i]});
        pos += write(ch, pos, h.toByteArray());
        if (i == 0) {
          pos += write(ch, pos, pickle);
        } else if (i == 1) {
          write(ch, pos + sizes[i] - 4, TestFiles.floats(42f)); // last element; the rest is a hole
          pos += sizes[i];
        } else {
          pos += write(ch, pos, TestFiles.floats(1, 2, 3, 4));
        }
        pos += write(ch, pos, new Out().i32(0x08074b50).i32(0).i64(sizes[i]).i64(sizes[i]).toByteArray());
      }
      long cdStart = pos;
      Out cd = new Out();
      for (int i = 0; i < 3; i++) {
        byte[] name = names.get(i).getBytes(StandardCharsets.UTF_8);
        cd.i32(0x02014b50).i16(45).i16(45).i16(0x0808).i16(0).i16(0).i16(0).i32(0).i32(-1).i32(-1)
            .i16(name.length).i16(28).i16(0).i16(0).i16(0).i32(0).i32(-1).bytes(name)
            .i16(0x0001).i16(24).i64(central.get(i)[1]).i64(central.get(i)[1]).i64(central.get(i)[0]);
      }
      pos += write(ch, pos, cd.toByteArray());
      long cdEnd = pos;
      Out end = new Out().i32(0x06064b50).i64(44).i16(45).i16(45).i32(0).i32(0).i64(3).i64(3)
          .i64(cdEnd - cdStart).i64(cdStart)
          .i32(0x07064b50).i32(0).i64(cdEnd).i32(1)
          .i32(0x06054b50).i16(0).i16(0).i16(0xFFFF).i16(0xFFFF).i32(-1).i32(-1).i16(0);
      write(ch, pos, end.toByteArray());
    }

    try (TensorFile f = TensorFile.open(file)) {
      TensorInfo small = f.tensor("small");
      assertThat(small.storage().dataOffset()).isGreaterThan(1L << 32);
      assertThat(small.storage().dataOffset() % 64).isZero();
      ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      f.read(small, b);
      assertThat(new float[] {b.getFloat(0), b.getFloat(12)}).containsExactly(1f, 4f);
      TensorInfo big = f.tensor("big");
      assertThat(big.storage().byteLength()).isEqualTo(BIG_FLOATS * 4);
      ByteBuffer last = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
      f.readRows(big, big.dim(0) - 1, 1, last);
      assertThat(last.getFloat(4092)).isEqualTo(42f);
      assertThat(last.getFloat(0)).isZero();
    }
  }

  private static long write(FileChannel ch, long pos, byte[] b) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b);
    while (buf.hasRemaining()) {
      ch.write(buf, pos + buf.position());
    }
    return b.length;
  }
}
