package io.torchtensor.format.pickle;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.PyDict;
import io.torchtensor.format.pickle.PickleTree.PyList;
import io.torchtensor.format.pickle.PickleTree.PySet;
import io.torchtensor.format.pickle.PickleTree.PyTuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a value tree that holds no globals, calls or persistent ids into plain Java values, for
 * {@link PickleMachine#loadPlain}. A node the memo shares is converted once and shared in the result
 * too (as unpickling shares it), so memo references cannot fan a small pickle out into a huge one; a
 * container that contains itself is refused. Depth is capped by {@link ReadLimits#maxDepth()}.
 */
final class PlainValues {

  private final String file;
  private final String entry;
  private final ReadLimits limits;
  private final Map<Object, Object> done = new IdentityHashMap<>();
  private final Map<Object, Boolean> inProgress = new IdentityHashMap<>();

  private PlainValues(String file, String entry, ReadLimits limits) {
    this.file = file;
    this.entry = entry;
    this.limits = limits;
  }

  static Object convert(Object tree, String file, String entry, ReadLimits limits) throws TensorFormatException {
    try {
      return new PlainValues(file, entry, limits).plain(tree, 0);
    } catch (StackOverflowError e) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file, (entry == null ? "" : entry + ": ")
          + "values nest too deeply");
    }
  }

  private Object plain(Object v, int depth) throws TensorFormatException {
    if (v == null || v instanceof String || v instanceof Long || v instanceof BigInteger
        || v instanceof Double || v instanceof Boolean || v instanceof byte[]) {
      return v;
    }
    if (depth >= limits.maxDepth()) {
      throw fail(Reason.LIMIT_EXCEEDED, "values nest deeper than " + limits.maxDepth());
    }
    Object known = done.get(v);
    if (known != null) {
      return known;
    }
    if (inProgress.put(v, Boolean.TRUE) != null) {
      throw fail(Reason.BAD_PICKLE, PickleTree.describe(v) + " contains itself");
    }
    Object out;
    if (v instanceof PyList) {
      out = list(((PyList) v).items, depth);
    } else if (v instanceof PyTuple) {
      out = Collections.unmodifiableList(list(((PyTuple) v).items, depth));
    } else if (v instanceof PySet) {
      out = list(((PySet) v).items, depth);
    } else if (v instanceof PyDict) {
      Map<Object, Object> m = new LinkedHashMap<>();
      for (Map.Entry<Object, Object> e : ((PyDict) v).items.entrySet()) {
        m.put(plain(e.getKey(), depth + 1), plain(e.getValue(), depth + 1));
      }
      out = m;
    } else {
      throw fail(Reason.BAD_PICKLE, "a " + PickleTree.describe(v) + " where only plain values may appear");
    }
    inProgress.remove(v);
    done.put(v, out);
    return out;
  }

  private List<Object> list(List<Object> items, int depth) throws TensorFormatException {
    List<Object> out = new ArrayList<>(items.size());
    for (Object o : items) {
      out.add(plain(o, depth + 1));
    }
    return out;
  }

  private TensorFormatException fail(Reason reason, String detail) {
    return new TensorFormatException(reason, file, (entry == null ? "" : entry + ": ") + detail);
  }
}
