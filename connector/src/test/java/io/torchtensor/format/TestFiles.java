package io.torchtensor.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Byte-level builders for small test files: torch-style zips (STORED, 64-byte aligned through an
 * {@code FB} extra field in the local header only, data descriptors, ZIP64 end records, as
 * caffe2/serialize/inline_container.cc writes them), protocol-2 tensor pickles and safetensors.
 */
final class TestFiles {

  private TestFiles() {
  }

  /** One zip record; {@code method} 8 marks it DEFLATE without compressing (for refusal tests). */
  record Rec(String name, byte[] data, int method) {
    Rec(String name, byte[] data) {
      this(name, data, 0);
    }
  }

  static byte[] zip(List<Rec> recs) {
    return zip(recs, false);
  }

  /**
   * @param zip64Sizes write every central entry's sizes and local header offset as 0xFFFFFFFF with
   *                   the real values in a ZIP64 extra field, as writers do past 4 GiB
   */
  static byte[] zip(List<Rec> recs, boolean zip64Sizes) {
    Out o = new Out();
    List<long[]> central = new ArrayList<>();
    for (Rec r : recs) {
      byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
      long lho = o.size();
      int base = 30 + name.length;
      int pad = (int) ((64 - (lho + base + 4) % 64) % 64);
      CRC32 crc = new CRC32();
      crc.update(r.data());
      o.i32(0x04034b50).i16(0).i16(0x0808).i16(r.method()).i16(0).i16(0).i32(0).i32(0).i32(0)
          .i16(name.length).i16(4 + pad).bytes(name).i16(0x4246).i16(pad);
      for (int i = 0; i < pad; i++) {
        o.u8('Z');
      }
      o.bytes(r.data());
      o.i32(0x08074b50).i32((int) crc.getValue()).i32(r.data().length).i32(r.data().length);
      central.add(new long[] {lho, crc.getValue()});
    }
    long cdStart = o.size();
    for (int i = 0; i < recs.size(); i++) {
      Rec r = recs.get(i);
      byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
      int len = zip64Sizes ? -1 : r.data().length;
      int lho = zip64Sizes ? -1 : (int) central.get(i)[0];
      o.i32(0x02014b50).i16(0).i16(0).i16(0x0808).i16(r.method()).i16(0).i16(0)
          .i32((int) central.get(i)[1]).i32(len).i32(len)
          .i16(name.length).i16(zip64Sizes ? 28 : 0).i16(0).i16(0).i16(0).i32(0).i32(lho).bytes(name);
      if (zip64Sizes) {
        o.i16(0x0001).i16(24).i64(r.data().length).i64(r.data().length).i64(central.get(i)[0]);
      }
    }
    long cdEnd = o.size();
    long z64 = o.size();
    o.i32(0x06064b50).i64(44).i16(0).i16(0).i32(0).i32(0).i64(recs.size()).i64(recs.size())
        .i64(cdEnd - cdStart).i64(cdStart);
    o.i32(0x07064b50).i32(0).i64(z64).i32(1);
    o.i32(0x06054b50).i16(0).i16(0).i16(0xFFFF).i16(0xFFFF).i32(-1).i32(-1).i16(0);
    return o.toByteArray();
  }

  static byte[] safetensors(String json, byte[] data) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    return new Out().i64(h.length).bytes(h).bytes(data).toByteArray();
  }

  /**
   * A tensor for {@link #tensorPickle}: storage class name ({@code FloatStorage}, or
   * {@code UntypedStorage:uint16} for the v3 form, whose {@code numel} is then a byte count), key, view.
   */
  record T(String storageClass, String key, long numel, long offset, long[] shape, long[] stride) {
  }

  /**
   * {@code torch.save({name: tensor, ...})} at protocol 2, as the C pickler writes it
   * [torch/serialization.py _save]; {@code legacy} adds the sixth persistent-id element (None).
   */
  static byte[] tensorPickle(Map<String, T> tensors, boolean legacy) {
    Out o = new Out().u8(0x80).u8(2).u8('}').u8('(');
    for (Map.Entry<String, T> e : tensors.entrySet()) {
      T t = e.getValue();
      unicode(o, e.getKey());
      // "UntypedStorage:<dtype>" writes the _rebuild_tensor_v3 form torch uses for dtypes without a
      // typed storage class; its persistent id counts bytes [torch/_tensor.py _reduce_ex_internal].
      String v3Dtype = t.storageClass().startsWith("UntypedStorage:") ? t.storageClass().substring(15) : null;
      o.u8('c').ascii("torch._utils\n_rebuild_tensor_v" + (v3Dtype != null ? 3 : 2) + "\n").u8('(');
      o.u8('(');
      unicode(o, "storage");
      o.u8('c').ascii(v3Dtype != null ? "torch.storage\nUntypedStorage\n" : "torch\n" + t.storageClass() + "\n");
      unicode(o, t.key());
      unicode(o, "cpu");
      o.u8('J').i32((int) t.numel());
      if (legacy) {
        o.u8('N');
      }
      o.u8('t').u8('Q');
      o.u8('J').i32((int) t.offset());
      ints(o, t.shape());
      ints(o, t.stride());
      o.u8(0x89).u8('c').ascii("collections\nOrderedDict\n").u8(')').u8('R');
      if (v3Dtype != null) {
        o.u8('c').ascii("torch\n" + v3Dtype + "\n");
      }
      o.u8('t').u8('R');
    }
    return o.u8('u').u8('.').toByteArray();
  }

  /** A legacy torch.save stream around {@code objectPickle}: magic, 1001, sys_info, keys, blocks. */
  static byte[] legacy(byte[] objectPickle, List<String> keys, List<Long> counts, List<byte[]> blocks) {
    Out sys = new Out().u8(0x80).u8(2).u8('}').u8('(');
    unicode(sys, "protocol_version");
    sys.u8('M').i16(1001);
    unicode(sys, "little_endian");
    sys.u8(0x88).u8('u').u8('.');
    Out keyList = new Out().u8(0x80).u8(2).u8(']').u8('(');
    for (String k : keys) {
      unicode(keyList, k);
    }
    keyList.u8('e').u8('.');
    Out data = new Out();
    for (int i = 0; i < blocks.size(); i++) {
      data.i64(counts.get(i)).bytes(blocks.get(i));
    }
    return legacyParts(hex("80024de9032e"), sys.toByteArray(), objectPickle, keyList.toByteArray(), data.toByteArray());
  }

  /** The magic number pickle, then the given pickles and storage blocks, as they are. */
  static byte[] legacyParts(byte[] version, byte[] sysInfo, byte[] objectPickle, byte[] keyList, byte[] blocks) {
    return new Out().bytes(hex("80028a0a6cfc9c46f9206aa850192e")).bytes(version).bytes(sysInfo).bytes(objectPickle)
        .bytes(keyList).bytes(blocks).toByteArray();
  }

  private static void unicode(Out o, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    o.u8('X').i32(b.length).bytes(b);
  }

  private static void ints(Out o, long[] v) {
    o.u8('(');
    for (long x : v) {
      o.u8('J').i32((int) x);
    }
    o.u8('t');
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A little-endian byte writer. */
  static final class Out {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    Out u8(int v) {
      b.write(v);
      return this;
    }

    Out i16(int v) {
      return u8(v & 0xFF).u8((v >>> 8) & 0xFF);
    }

    Out i32(int v) {
      return i16(v & 0xFFFF).i16((v >>> 16) & 0xFFFF);
    }

    Out i64(long v) {
      return i32((int) v).i32((int) (v >>> 32));
    }

    Out bytes(byte[] v) {
      b.writeBytes(v);
      return this;
    }

    Out ascii(String s) {
      return bytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    long size() {
      return b.size();
    }

    byte[] toByteArray() {
      return b.toByteArray();
    }
  }
}
