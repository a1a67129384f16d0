package io.torchtensor.format.pickle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of the value tree that {@link PickleMachine} builds. Scalars are plain Java values
 * ({@code Long}, {@code BigInteger}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]},
 * {@code null} for None); containers and the "would-be objects" are the classes below.
 *
 * <p>Nothing here is ever resolved or run: a GLOBAL is only a name ({@link PyGlobal}), REDUCE, NEWOBJ
 * and BUILD only record what would have been called ({@link PyCall}). The mutable containers compare by
 * identity, as Python objects do, so a cyclic pickle never sends {@code equals}/{@code hashCode} into
 * a loop; {@link PyTuple} compares by value and is only hashed when it is a dict key, which the machine
 * first checks to hold scalars only. {@code toString} never recurses for the same reason.
 */
final class PickleTree {

  private PickleTree() {
  }

  /** A Python list: EMPTY_LIST / LIST, filled by APPEND(S). */
  static final class PyList {
    final List<Object> items = new ArrayList<>();

    @Override
    public String toString() {
      return "list[" + items.size() + "]";
    }
  }

  /** A Python tuple (immutable once built). */
  static final class PyTuple {
    final List<Object> items;

    PyTuple(List<Object> items) {
      this.items = Collections.unmodifiableList(items);
    }

    int size() {
      return items.size();
    }

    Object get(int i) {
      return items.get(i);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PyTuple && ((PyTuple) o).items.equals(items);
    }

    @Override
    public int hashCode() {
      return items.hashCode();
    }

    @Override
    public String toString() {
      return "tuple[" + items.size() + "]";
    }
  }

  /** A Python dict: insertion order kept, keys of any hashable scalar kind (not only strings). */
  static final class PyDict {
    final Map<Object, Object> items = new LinkedHashMap<>();

    @Override
    public String toString() {
      return "dict[" + items.size() + "]";
    }
  }

  /** A Python set or frozenset (EMPTY_SET + ADDITEMS, FROZENSET), in pickle order. */
  static final class PySet {
    final List<Object> items = new ArrayList<>();
    final boolean frozen;

    PySet(boolean frozen) {
      this.frozen = frozen;
    }

    @Override
    public String toString() {
      return (frozen ? "frozenset[" : "set[") + items.size() + "]";
    }
  }

  /**
   * A GLOBAL or STACK_GLOBAL: a {@code module.name} reference, after the py2→py3 renaming torch applies
   * ({@link TorchGlobals#rename}). {@code pickledAs} is the spelling in the file when it differs.
   */
  static final class PyGlobal {
    final String module;
    final String name;
    final String pickledAs;
    final long offset;

    PyGlobal(String module, String name, String pickledAs, long offset) {
      this.module = module;
      this.name = name;
      this.pickledAs = pickledAs;
      this.offset = offset;
    }

    String qualified() {
      return module + "." + name;
    }

    @Override
    public String toString() {
      return qualified();
    }
  }

  /** How a {@link PyCall} was written. */
  enum CallKind { REDUCE, NEWOBJ, NEWOBJ_EX }

  /**
   * What a REDUCE / NEWOBJ / NEWOBJ_EX would have called, with later mutations recorded instead of
   * applied: BUILD states, SETITEM(S) items (an {@code OrderedDict()} filled by SETITEMS), APPEND(S)
   * items.
   */
  static final class PyCall {
    final Object callable;
    final PyTuple args;
    final PyDict kwargs;
    final CallKind kind;
    final long offset;
    final List<Object> states = new ArrayList<>(0);
    final Map<Object, Object> setItems = new LinkedHashMap<>(0);
    final List<Object> appended = new ArrayList<>(0);

    PyCall(Object callable, PyTuple args, PyDict kwargs, CallKind kind, long offset) {
      this.callable = callable;
      this.args = args;
      this.kwargs = kwargs;
      this.kind = kind;
      this.offset = offset;
    }

    @Override
    public String toString() {
      return kind + "(" + callable + ", " + args.size() + " args) at byte " + offset;
    }
  }

  /** A PERSID / BINPERSID: the id torch's {@code persistent_load} would have resolved. */
  static final class PyPersistentId {
    final Object pid;
    final long offset;

    PyPersistentId(Object pid, long offset) {
      this.pid = pid;
      this.offset = offset;
    }

    @Override
    public String toString() {
      return "persistent id at byte " + offset;
    }
  }

  /** A short description of a node's type for messages ("str", "tuple[3]", "global torch.Size"...). */
  static String describe(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof Long || v instanceof java.math.BigInteger) {
      return "int";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof byte[]) {
      return "bytes";
    }
    if (v instanceof PyGlobal) {
      return "global " + v;
    }
    return v.toString();
  }
}
