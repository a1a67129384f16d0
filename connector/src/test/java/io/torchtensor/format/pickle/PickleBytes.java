package io.torchtensor.format.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds tiny byte-literal pickles for tests: ints are single bytes, strings are written as Latin-1. */
final class PickleBytes {

  private PickleBytes() {
  }

  static byte[] of(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof Integer) {
        out.write((Integer) p);
      } else if (p instanceof Character) {
        out.write((Character) p);
      } else if (p instanceof String) {
        out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
      } else if (p instanceof byte[]) {
        out.writeBytes((byte[]) p);
      } else {
        throw new IllegalArgumentException(String.valueOf(p));
      }
    }
    return out.toByteArray();
  }

  static ByteBuffer buf(Object... parts) {
    return ByteBuffer.wrap(of(parts));
  }

  /** BINUNICODE of an ASCII string. */
  static byte[] str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return of('X', b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, b);
  }

  /** GLOBAL module\nname\n. */
  static byte[] global(String module, String name) {
    return of('c', module + "\n" + name + "\n");
  }
}
