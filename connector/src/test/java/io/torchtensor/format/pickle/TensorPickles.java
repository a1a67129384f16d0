package io.torchtensor.format.pickle;

import static io.torchtensor.format.pickle.PickleBytes.global;
import static io.torchtensor.format.pickle.PickleBytes.of;
import static io.torchtensor.format.pickle.PickleBytes.str;

/**
 * Byte-literal fragments of torch.save object pickles (protocol 2, as the C pickler writes them, minus
 * the memo), for building small test pickles: FORMAT.md §4's worked example.
 */
final class TensorPickles {

  private TensorPickles() {
  }

  static byte[] bint(long v) {
    if (v >= 0 && v < 256) {
      return of('K', (int) v);
    }
    int i = (int) v;
    return of('J', i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, (i >>> 24) & 0xff);
  }

  /** LONG1 with 8 bytes, for values beyond BININT. */
  static byte[] long8(long v) {
    byte[] b = new byte[10];
    b[0] = (byte) 0x8a;
    b[1] = 8;
    for (int i = 0; i < 8; i++) {
      b[2 + i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  /** GLOBAL module name, MARK, args..., TUPLE, REDUCE. */
  static byte[] call(String module, String name, byte[]... args) {
    return of(global(module, name), '(', of((Object[]) args), 't', 'R');
  }

  static byte[] tuple(long... v) {
    byte[][] parts = new byte[v.length][];
    for (int i = 0; i < v.length; i++) {
      parts[i] = bint(v[i]);
    }
    return of('(', of((Object[]) parts), 't');
  }

  /** MARK 'storage' GLOBAL torch <cls> key location numel [extra] TUPLE BINPERSID. */
  static byte[] persid(String module, String cls, String key, long numel, byte[] extra) {
    return of('(', str("storage"), global(module, cls), str(key), str("cpu"), bint(numel), extra, 't', 'Q');
  }

  static byte[] storage(String cls, String key, long numel) {
    return persid("torch", cls, key, numel, new byte[0]);
  }

  static byte[] emptyHooks() {
    return of(global("collections", "OrderedDict"), ')', 'R');
  }

  /** _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()[, extraArgs]). */
  static byte[] v2(byte[] storage, long offset, long[] size, long[] stride, byte[] extraArgs) {
    return of(global("torch._utils", "_rebuild_tensor_v2"), '(', storage, bint(offset), tuple(size),
        tuple(stride), 0x89, emptyHooks(), extraArgs, 't', 'R');
  }

  static byte[] v2(String cls, String key, long numel, long offset, long[] size, long[] stride) {
    return v2(storage(cls, key, numel), offset, size, stride, new byte[0]);
  }

  /** A float32 vector of n elements on storage {@code key}. */
  static byte[] vector(String key, long n) {
    return v2("FloatStorage", key, n, 0, new long[] {n}, new long[] {1});
  }

  /** PROTO 2, the object, STOP. */
  static byte[] pickle(byte[] obj) {
    return of(0x80, 2, obj, '.');
  }

  /** PROTO 2, a dict of key → fragment, STOP. */
  static byte[] dict(Object... keyAndFragment) {
    byte[][] parts = new byte[keyAndFragment.length][];
    for (int i = 0; i < keyAndFragment.length; i++) {
      Object o = keyAndFragment[i];
      parts[i] = o instanceof String ? str((String) o) : (byte[]) o;
    }
    return pickle(of('}', '(', of((Object[]) parts), 'u'));
  }
}
