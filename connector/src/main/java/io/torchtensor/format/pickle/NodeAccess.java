package io.torchtensor.format.pickle;

import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.PyCall;
import io.torchtensor.format.pickle.PickleTree.PyGlobal;
import io.torchtensor.format.pickle.PickleTree.PyList;
import io.torchtensor.format.pickle.PickleTree.PyPersistentId;
import io.torchtensor.format.pickle.PickleTree.PyTuple;
import java.math.BigInteger;
import java.util.List;

/**
 * Typed accessors over value-tree nodes for the matcher. Each names, on mismatch, what was expected
 * and the node that was found, with the key being matched and the byte offset of the call it sits
 * in, as a {@link TensorFormatException}.
 */
final class NodeAccess {

  private final String file;
  private final String entry;

  NodeAccess(String file, String entry) {
    this.file = file;
    this.entry = entry;
  }

  TensorFormatException fail(Reason reason, String key, Object at, String detail) {
    StringBuilder sb = new StringBuilder();
    if (entry != null) {
      sb.append(entry).append(": ");
    }
    if (key != null) {
      sb.append("key '").append(key.isEmpty() ? "<root>" : key).append("': ");
    }
    sb.append(detail);
    long offset = offsetOf(at);
    if (offset >= 0) {
      String what = at instanceof PyCall ? describeCall((PyCall) at)
          : (at instanceof PyGlobal ? "GLOBAL" : "BINPERSID") + " at byte " + offset;
      sb.append(" (").append(what).append(')');
    }
    return new TensorFormatException(reason, file, sb.toString());
  }

  private static String describeCall(PyCall c) {
    String what = c.callable instanceof PyGlobal ? ((PyGlobal) c.callable).qualified() : "call";
    return c.kind + " of " + what + " at byte " + c.offset;
  }

  private static long offsetOf(Object at) {
    if (at instanceof PyCall) {
      return ((PyCall) at).offset;
    }
    if (at instanceof PyGlobal) {
      return ((PyGlobal) at).offset;
    }
    if (at instanceof PyPersistentId) {
      return ((PyPersistentId) at).offset;
    }
    return -1;
  }

  /** The arguments of a call, checked to number one of {@code counts}. */
  PyTuple args(PyCall call, String key, String fn, int... counts) throws TensorFormatException {
    if (call.kwargs != null && !call.kwargs.items.isEmpty()) {
      throw fail(Reason.BAD_PICKLE, key, call, fn + " called with keyword arguments");
    }
    for (int c : counts) {
      if (call.args.size() == c) {
        return call.args;
      }
    }
    StringBuilder want = new StringBuilder();
    for (int i = 0; i < counts.length; i++) {
      want.append(i == 0 ? "" : " or ").append(counts[i]);
    }
    throw fail(Reason.BAD_PICKLE, key, call, fn + " takes " + want + " arguments, got " + call.args.size());
  }

  long asLong(Object v, String key, Object at, String what) throws TensorFormatException {
    if (v instanceof Long) {
      return (Long) v;
    }
    if (v instanceof BigInteger) {
      throw fail(Reason.BAD_SHAPE, key, at, what + " " + v + " does not fit in a long");
    }
    throw fail(Reason.BAD_PICKLE, key, at, what + " must be an int, got " + PickleTree.describe(v));
  }

  /** A non-negative int: shapes, strides, offsets, counts. */
  long asCount(Object v, String key, Object at, String what) throws TensorFormatException {
    long n = asLong(v, key, at, what);
    if (n < 0) {
      throw fail(Reason.BAD_SHAPE, key, at, what + " is negative (" + n + ")");
    }
    return n;
  }

  boolean asBool(Object v, String key, Object at, String what) throws TensorFormatException {
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    throw fail(Reason.BAD_PICKLE, key, at, what + " must be a bool, got " + PickleTree.describe(v));
  }

  double asDouble(Object v, String key, Object at, String what) throws TensorFormatException {
    if (v instanceof Double) {
      return (Double) v;
    }
    if (v instanceof Long) {
      return (Long) v;
    }
    if (v instanceof BigInteger) {
      return ((BigInteger) v).doubleValue();
    }
    throw fail(Reason.BAD_PICKLE, key, at, what + " must be a number, got " + PickleTree.describe(v));
  }

  String asString(Object v, String key, Object at, String what) throws TensorFormatException {
    if (v instanceof String) {
      return (String) v;
    }
    if (v instanceof byte[]) {
      // py2 strings loaded as bytes: torch's _maybe_decode_ascii.
      byte[] b = (byte[]) v;
      for (byte x : b) {
        if (x < 0) {
          throw fail(Reason.BAD_PICKLE, key, at, what + " is bytes that are not ASCII");
        }
      }
      return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }
    throw fail(Reason.BAD_PICKLE, key, at, what + " must be a str, got " + PickleTree.describe(v));
  }

  PyTuple asTuple(Object v, String key, Object at, String what) throws TensorFormatException {
    if (v instanceof PyTuple) {
      return (PyTuple) v;
    }
    throw fail(Reason.BAD_PICKLE, key, at, what + " must be a tuple, got " + PickleTree.describe(v));
  }

  PyGlobal asGlobal(Object v, String key, Object at, String what) throws TensorFormatException {
    if (v instanceof PyGlobal) {
      return (PyGlobal) v;
    }
    throw fail(Reason.BAD_PICKLE, key, at, what + " must be a global, got " + PickleTree.describe(v));
  }

  /** Items of a tuple, a list, or a {@code torch.Size(tuple)} call. */
  List<Object> sequence(Object v, String key, Object at, String what) throws TensorFormatException {
    if (v instanceof PyTuple) {
      return ((PyTuple) v).items;
    }
    if (v instanceof PyList) {
      return ((PyList) v).items;
    }
    if (v instanceof PyCall && kindOf(((PyCall) v).callable) == TorchGlobals.Kind.SIZE) {
      PyCall c = (PyCall) v;
      PyTuple a = args(c, key, "torch.Size", 0, 1);
      return a.size() == 0 ? List.of() : sequence(a.get(0), key, c, what);
    }
    throw fail(Reason.BAD_PICKLE, key, at, what + " must be a tuple of ints, got " + PickleTree.describe(v));
  }

  /** Non-negative longs from a tuple / list / torch.Size: sizes, strides. */
  long[] counts(Object v, String key, Object at, String what) throws TensorFormatException {
    List<Object> items = sequence(v, key, at, what);
    long[] out = new long[items.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = asCount(items.get(i), key, at, what + "[" + i + "]");
    }
    return out;
  }

  /** A device: a str, or {@code torch.device(type[, index])} written as Python's str(device), "cuda:0". */
  String device(Object node, String key, Object at) throws TensorFormatException {
    if (node instanceof PyCall && kindOf(((PyCall) node).callable) == TorchGlobals.Kind.DEVICE) {
      PyCall d = (PyCall) node;
      PyTuple a = args(d, key, "torch.device", 1, 2);
      String type = asString(a.get(0), key, d, "device type");
      return a.size() == 2 && a.get(1) != null ? type + ":" + asCount(a.get(1), key, d, "device index") : type;
    }
    return asString(node, key, at, "device");
  }

  /** The allow-list kind of a callable node, or null when it is not an allowed global. */
  static TorchGlobals.Kind kindOf(Object callable) {
    if (!(callable instanceof PyGlobal)) {
      return null;
    }
    PyGlobal g = (PyGlobal) callable;
    return TorchGlobals.classify(g.module, g.name);
  }
}
