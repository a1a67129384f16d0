package io.torchtensor.format.pickle;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.PyCall;
import io.torchtensor.format.pickle.PickleTree.PyDict;
import io.torchtensor.format.pickle.PickleTree.PyGlobal;
import io.torchtensor.format.pickle.PickleTree.PyList;
import io.torchtensor.format.pickle.PickleTree.PyPersistentId;
import io.torchtensor.format.pickle.PickleTree.PySet;
import io.torchtensor.format.pickle.PickleTree.PyTuple;
import io.torchtensor.format.pickle.TorchGlobals.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks the value tree of a torch.save pickle and turns it into tensors and metadata.
 *
 * <p>Keys are the dot-joined path of dict keys and list/tuple indices from the root
 * ({@code model_state_dict.fc1.weight}, {@code 0.1}); a non-string dict key is written as Python's
 * {@code str()} would ({@link PyRepr}); a root tensor's key is {@code tensor} and a root non-tensor
 * value's key is {@code value}. Two leaves with the same key are {@link Reason#BAD_PICKLE}.
 *
 * <p>Dicts, {@code OrderedDict}s (their BUILD state, such as a state_dict's {@code _metadata}, is
 * dropped) and {@code Counter}s are always walked into. A list, tuple or set whose elements are all
 * plain values is one metadata leaf ({@code betas -> [0.9, 0.999]}); one that holds a tensor or a
 * dict is walked into by index. Values: see {@link #plain}.
 *
 * <p>Depth is capped by {@link ReadLimits#maxDepth()} (a list containing itself stops there), tensors
 * emitted by {@link ReadLimits#maxElements()}, and nodes visited by {@link #visitBudget} (memo
 * references cannot fan a small pickle out into a huge walk).
 */
final class TorchMatcher {

  /** Marker returned by {@link #plain} for a node that is not a plain value (a dict, a tensor). */
  private static final Object NOT_PLAIN = new Object();

  private final NodeAccess nodes;
  private final ReadLimits limits;
  private final TensorRebuilder rebuilder;
  private final List<PickledTensor> tensors = new ArrayList<>();
  private final Map<String, Object> metadata = new LinkedHashMap<>();
  private final Set<String> keys = new HashSet<>();
  private final long budget;
  private long visited;

  /**
   * Visits allowed per pickle byte. Without memo sharing a walk visits each node once and every node
   * costs at least one opcode byte; tied weights and shared sub-dicts revisit a few nodes. A pickle
   * whose memo references fan out (each level holding the previous one twice) would otherwise make a
   * few hundred bytes walk billions of nodes.
   */
  static final int VISITS_PER_BYTE = 64;

  /** The walk budget for a pickle of {@code pickleBytes} bytes: see {@link #VISITS_PER_BYTE}. */
  static long visitBudget(ReadLimits limits, long pickleBytes) {
    return Math.min(limits.maxElements(), Math.max(4096L, VISITS_PER_BYTE * pickleBytes));
  }

  TorchMatcher(String file, String entry, ReadLimits limits, boolean legacy, long budget) {
    this.nodes = new NodeAccess(file, entry);
    this.limits = limits;
    this.budget = budget;
    this.rebuilder = new TensorRebuilder(nodes, new StorageTable(nodes, legacy), limits);
  }

  TorchPickle.Result match(Object root) throws TensorFormatException {
    try {
      if (TensorRebuilder.isTensorCall(root)) {
        emit("tensor", rebuilder.rebuild(root, "tensor"));
      } else {
        walk(root, "", 0);
      }
    } catch (StackOverflowError e) {
      throw nodes.fail(Reason.LIMIT_EXCEEDED, null, null, "object tree nests too deeply");
    } catch (RuntimeException e) {
      // Second line of defence only: every argument is checked explicitly through NodeAccess.
      throw nodes.fail(Reason.BAD_PICKLE, null, null, "malformed pickle (" + e.getClass().getSimpleName() + ")");
    }
    return new TorchPickle.Result(Collections.unmodifiableList(tensors), Collections.unmodifiableMap(metadata));
  }

  private void walk(Object node, String key, int depth) throws TensorFormatException {
    visit(node, key, depth);
    Map<Object, Object> dict = null;
    if (node instanceof PyDict) {
      dict = ((PyDict) node).items;
    } else if (TensorRebuilder.isTensorCall(node)) {
      emit(key, rebuilder.rebuild(node, key));
      return;
    } else if (node instanceof PyCall) {
      Kind kind = NodeAccess.kindOf(((PyCall) node).callable);
      if (kind == Kind.ORDERED_DICT || kind == Kind.COUNTER) {
        dict = dictItems((PyCall) node, key);
      }
    }
    if (dict != null) {
      // Iterated here rather than in a helper: one stack frame per nesting level.
      for (Map.Entry<Object, Object> e : dict.entrySet()) {
        walk(e.getValue(), join(key, PyRepr.str(e.getKey())), depth + 1);
      }
      return;
    }
    Object v = plain(node, key, depth);
    if (v != NOT_PLAIN) {
      put(key.isEmpty() ? "value" : key, v, node);
      return;
    }
    List<Object> items = sequenceItems(node, key);
    for (int i = 0; i < items.size(); i++) {
      walk(items.get(i), join(key, Integer.toString(i)), depth + 1);
    }
  }

  /** OrderedDict() filled by SETITEMS [collections.OrderedDict.__reduce__], or Counter(dict). */
  private Map<Object, Object> dictItems(PyCall c, String key) throws TensorFormatException {
    String name = ((PyGlobal) c.callable).qualified();
    PyTuple a = nodes.args(c, key, name, 0, 1);
    if (!c.appended.isEmpty()) {
      throw nodes.fail(Reason.BAD_PICKLE, key, c, "items appended to a " + name);
    }
    if (a.size() == 0) {
      return c.setItems;
    }
    Object arg = a.get(0);
    Map<Object, Object> all = new LinkedHashMap<>();
    if (arg instanceof PyDict) {
      all.putAll(((PyDict) arg).items);
    } else if (arg instanceof PyList || arg instanceof PyTuple) {
      // Python 2's OrderedDict.__reduce__ passed its items as a list of [key, value] pairs.
      for (Object pair : sequenceItems(arg, key)) {
        List<Object> kv = pair instanceof PyList ? ((PyList) pair).items
            : pair instanceof PyTuple ? ((PyTuple) pair).items : null;
        if (kv == null || kv.size() != 2 || !isScalarKey(kv.get(0))) {
          throw nodes.fail(Reason.BAD_PICKLE, key, c, name + " items must be [key, value] pairs with scalar keys");
        }
        all.put(kv.get(0), kv.get(1));
      }
    } else {
      throw nodes.fail(Reason.BAD_PICKLE, key, c, name + " argument must be a dict or a list of pairs, got "
          + PickleTree.describe(arg));
    }
    all.putAll(c.setItems);
    return all;
  }

  private static boolean isScalarKey(Object k) {
    return k == null || k instanceof String || k instanceof Long || k instanceof java.math.BigInteger
        || k instanceof Double || k instanceof Boolean;
  }

  /** The elements of a list, tuple, set or set(...) call that is walked into by index. */
  private List<Object> sequenceItems(Object node, String key) throws TensorFormatException {
    if (node instanceof PyList) {
      return ((PyList) node).items;
    }
    if (node instanceof PyTuple) {
      return ((PyTuple) node).items;
    }
    if (node instanceof PySet) {
      return ((PySet) node).items;
    }
    PyCall c = (PyCall) node; // plain() returns NOT_PLAIN only for these and set(...) calls
    PyTuple a = c.args;
    return a.size() == 0 ? List.of() : sequenceItems(a.get(0), key);
  }

  /**
   * The plain Java value of a node, or {@link #NOT_PLAIN} for dicts, tensors and sequences holding
   * them. Values: Long, BigInteger, Double, Boolean, String, byte[] ({@code bytes} from
   * {@code _codecs.encode(str, 'latin1')}, BINBYTES, {@code bytearray}), List (tuples, lists, sets,
   * {@code torch.Size}; complex as [re, im] Doubles), null (None), and strings for dtypes and qschemes
   * ({@code "torch.float16"}), devices ({@code "cpu"}, {@code "cuda:0"}, Python's {@code str(device)})
   * and sparse layouts.
   */
  private Object plain(Object node, String key, int depth) throws TensorFormatException {
    visit(node, key, depth);
    if (node == null || node instanceof String || node instanceof Long || node instanceof java.math.BigInteger
        || node instanceof Double || node instanceof Boolean || node instanceof byte[]) {
      return node;
    }
    if (node instanceof PyList || node instanceof PyTuple || node instanceof PySet) {
      List<Object> out = new ArrayList<>();
      for (Object o : sequenceItems(node, key)) {
        Object v = plain(o, key, depth + 1);
        if (v == NOT_PLAIN) {
          return NOT_PLAIN;
        }
        out.add(v);
      }
      return Collections.unmodifiableList(out);
    }
    if (node instanceof PyDict) {
      return NOT_PLAIN;
    }
    if (node instanceof PyGlobal) {
      PyGlobal g = (PyGlobal) node;
      Kind k = NodeAccess.kindOf(g);
      if (k == Kind.DTYPE || k == Kind.QSCHEME) {
        return g.qualified();
      }
      throw nodes.fail(Reason.BAD_PICKLE, key, g, "global " + g.qualified() + " cannot stand as a value");
    }
    if (node instanceof PyPersistentId) {
      throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, node, "a bare storage (not inside a tensor) is not supported");
    }
    PyCall c = (PyCall) node;
    if (TensorRebuilder.isTensorCall(c)) {
      return NOT_PLAIN;
    }
    Kind kind = NodeAccess.kindOf(c.callable);
    if (kind == null) {
      throw nodes.fail(Reason.BAD_PICKLE, key, c, "call of " + PickleTree.describe(c.callable) + " cannot be a value");
    }
    return PlainCalls.value(nodes, c, kind, key, depth, (n, d) -> plain(n, key, d), NOT_PLAIN);
  }

  private void visit(Object node, String key, int depth) throws TensorFormatException {
    if (depth > limits.maxDepth()) {
      throw nodes.fail(Reason.LIMIT_EXCEEDED, key, node, "object tree nests deeper than " + limits.maxDepth());
    }
    if (++visited > budget) {
      throw nodes.fail(Reason.LIMIT_EXCEEDED, key, node, "object tree walk exceeds " + budget
          + " nodes (memo references fan out)");
    }
  }

  private void emit(String key, Rebuilt r) throws TensorFormatException {
    if (r.storage != null) {
      Map<String, Object> attrs = new LinkedHashMap<>(r.attributes);
      for (Rebuilt.Part p : r.parts) {
        if (p.attribute() != null) {
          attrs.put(p.attribute(), join(key, p.suffix()));
        }
      }
      claim(key, null);
      if (tensors.size() >= limits.maxElements()) {
        throw nodes.fail(Reason.LIMIT_EXCEEDED, key, null, "more than " + limits.maxElements() + " tensors");
      }
      tensors.add(new PickledTensor(key, r.storage, r.offset, r.shape, r.strides, r.requiresGrad,
          Collections.unmodifiableMap(attrs), r.conjNeg));
    }
    for (Rebuilt.Part p : r.parts) {
      emit(join(key, p.suffix()), p.tensor());
    }
  }

  private void put(String key, Object value, Object at) throws TensorFormatException {
    claim(key, at);
    metadata.put(key, value);
  }

  private void claim(String key, Object at) throws TensorFormatException {
    if (!keys.add(key)) {
      throw nodes.fail(Reason.BAD_PICKLE, key, at, "duplicate key");
    }
  }

  private static String join(String prefix, String part) {
    return prefix.isEmpty() ? part : prefix + "." + part;
  }
}
