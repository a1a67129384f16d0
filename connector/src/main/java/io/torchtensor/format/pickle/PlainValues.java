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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a value tree that holds no globals, calls or persistent ids into plain Java values, for
 * {@link PickleMachine#loadPlain}. Depth is capped by {@link ReadLimits#maxDepth()} (which also stops
 * a list that contains itself) and the number of nodes visited by {@link ReadLimits#maxElements()}
 * (which stops memo references from fanning a small pickle out into a huge tree).
 */
final class PlainValues {

  private final String file;
  private final String entry;
  private final ReadLimits limits;
  private long visited;

  private PlainValues(String file, String entry, ReadLimits limits) {
    this.file = file;
    this.entry = entry;
    this.limits = limits;
  }

  static Object convert(Object tree, String file, String entry, ReadLimits limits) throws TensorFormatException {
    return new PlainValues(file, entry, limits).plain(tree, 0);
  }

  private Object plain(Object v, int depth) throws TensorFormatException {
    if (depth > limits.maxDepth()) {
      throw fail(Reason.LIMIT_EXCEEDED, "values nest deeper than " + limits.maxDepth());
    }
    if (++visited > limits.maxElements()) {
      throw fail(Reason.LIMIT_EXCEEDED, "more than " + limits.maxElements() + " values");
    }
    if (v == null || v instanceof String || v instanceof Long || v instanceof BigInteger
        || v instanceof Double || v instanceof Boolean || v instanceof byte[]) {
      return v;
    }
    if (v instanceof PyList) {
      return list(((PyList) v).items, depth);
    }
    if (v instanceof PyTuple) {
      return Collections.unmodifiableList(list(((PyTuple) v).items, depth));
    }
    if (v instanceof PySet) {
      return list(((PySet) v).items, depth);
    }
    if (v instanceof PyDict) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<Object, Object> e : ((PyDict) v).items.entrySet()) {
        out.put(plain(e.getKey(), depth + 1), plain(e.getValue(), depth + 1));
      }
      return out;
    }
    throw fail(Reason.BAD_PICKLE, "a " + PickleTree.describe(v) + " where only plain values may appear");
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
