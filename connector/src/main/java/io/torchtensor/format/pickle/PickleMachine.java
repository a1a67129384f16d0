package io.torchtensor.format.pickle;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.CallKind;
import io.torchtensor.format.pickle.PickleTree.PyCall;
import io.torchtensor.format.pickle.PickleTree.PyDict;
import io.torchtensor.format.pickle.PickleTree.PyGlobal;
import io.torchtensor.format.pickle.PickleTree.PyList;
import io.torchtensor.format.pickle.PickleTree.PyPersistentId;
import io.torchtensor.format.pickle.PickleTree.PySet;
import io.torchtensor.format.pickle.PickleTree.PyTuple;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A data-only pickle machine (protocols 0 to 5). It runs the opcodes of CPython's
 * {@code Lib/pickle.py} {@code _Unpickler} on a stack and a memo, but builds a tree of plain values
 * instead of objects: a GLOBAL becomes a {@link PyGlobal} name, REDUCE / NEWOBJ / BUILD become a
 * {@link PyCall} record. Nothing is imported, looked up or run; deciding what a call means is
 * {@link TorchMatcher}'s job.
 *
 * <p>Globals are checked against a {@link GlobalPolicy} as soon as they are read, so a forbidden name
 * stops the parse at its own opcode. Every cap of {@link ReadLimits} is checked before the memory it
 * guards is allocated: pickle bytes, memo entries, MARK nesting, stack and container sizes, string and
 * bytes lengths against the bytes that remain, LONG1/LONG4 byte counts. Every malformed input is a
 * {@link TensorFormatException} naming the file, entry, opcode and byte offset.
 */
public final class PickleMachine {

  /** Decides, when a GLOBAL or STACK_GLOBAL is read, whether the name may appear at all. */
  interface GlobalPolicy {
    void check(PyGlobal global, PickleInput in) throws TensorFormatException;
  }

  /**
   * LONG1/LONG4 payloads are capped at 2048 bytes (16384 bits), more than CPython's own
   * {@code int(str)} digit limit of 4300 allows in text; torch writes at most 8 bytes for a shape.
   */
  static final int MAX_LONG_BYTES = 2048;
  /** Longest module or name line of GLOBAL / INST, and longest text-opcode argument line. */
  static final int MAX_LINE = 4096;

  private final PickleInput in;
  private final GlobalPolicy policy;
  private final boolean allowPersistentIds;
  private final PickleStack stack;

  private PickleMachine(PickleInput in, ReadLimits limits, GlobalPolicy policy, boolean allowPersistentIds) {
    this.in = in;
    this.policy = policy;
    this.allowPersistentIds = allowPersistentIds;
    this.stack = new PickleStack(in, limits);
  }

  /**
   * Parses one pickle from {@code in}'s position up to and including STOP (the buffer is left just
   * past STOP) and returns it as plain Java values: {@code Long}, {@code BigInteger}, {@code Double},
   * {@code Boolean}, {@code String}, {@code byte[]}, {@code List} (lists, tuples, sets),
   * {@code LinkedHashMap} (dicts, insertion order kept) or {@code null}. ANY global is refused with
   * {@link Reason#FORBIDDEN_GLOBAL}, and persistent ids with {@link Reason#BAD_PICKLE}: this is for
   * the legacy format's header pickles (magic number, protocol version, sys_info, storage keys).
   */
  public static Object loadPlain(ByteBuffer in, String file, String entry, ReadLimits limits)
      throws TensorFormatException {
    GlobalPolicy none = (g, pin) -> {
      throw pin.error(Reason.FORBIDDEN_GLOBAL, "global " + g.qualified() + pickledAs(g)
          + " is not allowed: this pickle may hold plain values only");
    };
    Object tree = loadTree(in, file, entry, limits, none, false);
    return PlainValues.convert(tree, file, entry, limits);
  }

  /** Parses one pickle into a value tree; see the class comment. */
  static Object loadTree(ByteBuffer buf, String file, String entry, ReadLimits limits, GlobalPolicy policy,
      boolean allowPersistentIds) throws TensorFormatException {
    PickleInput in = new PickleInput(buf, file, entry, limits.maxPickleBytes());
    PickleMachine m = new PickleMachine(in, limits, policy, allowPersistentIds);
    try {
      Object root = m.run();
      in.finish();
      return root;
    } catch (RuntimeException e) {
      // Second line of defence only: every input check above is explicit. A runtime exception that
      // still escapes is reported as a malformed pickle rather than leaking out undeclared.
      throw in.error(Reason.BAD_PICKLE, "malformed pickle (" + e.getClass().getSimpleName() + ")");
    } catch (StackOverflowError e) {
      throw in.error(Reason.LIMIT_EXCEEDED, "pickle nests too deeply");
    }
  }

  static String pickledAs(PyGlobal g) {
    return g.pickledAs == null ? "" : " (pickled as " + g.pickledAs + ")";
  }

  private Object run() throws TensorFormatException {
    while (true) {
      Opcode op = in.nextOpcode();
      switch (op) {
        case PROTO: {
          int p = in.u8();
          if (p > 5) {
            throw in.error(Reason.BAD_PICKLE, "unsupported pickle protocol " + p);
          }
          break;
        }
        case FRAME: {
          // Framing (PEP 3154) only groups opcodes for buffered reads; the length is checked, not used.
          long n = in.u64();
          if (n > in.remaining()) {
            throw in.error(Reason.TRUNCATED, "frame of " + n + " bytes but only " + in.remaining() + " remain");
          }
          break;
        }
        case STOP:
          return stack.pop();
        // --- scalars
        case NONE: stack.push(null); break;
        case NEWTRUE: stack.push(Boolean.TRUE); break;
        case NEWFALSE: stack.push(Boolean.FALSE); break;
        case INT: stack.push(TextArgs.parseInt(in, in.line(TextArgs.MAX_INT_DIGITS + 2))); break;
        case LONG: stack.push(TextArgs.parseLong(in, in.line(TextArgs.MAX_INT_DIGITS + 2))); break;
        case BININT: stack.push((long) in.i32()); break;
        case BININT1: stack.push((long) in.u8()); break;
        case BININT2: stack.push((long) in.u16()); break;
        case LONG1: stack.push(longBytes(in.u8())); break;
        case LONG4: {
          int n = in.i32();
          if (n < 0) {
            throw in.error(Reason.BAD_PICKLE, "LONG4 with negative byte count " + n);
          }
          stack.push(longBytes(n));
          break;
        }
        case FLOAT: stack.push(TextArgs.parseFloat(in, in.line(MAX_LINE))); break;
        case BINFLOAT: stack.push(in.f64be()); break;
        // --- strings and bytes
        case STRING: stack.push(TextArgs.py2String(TextArgs.unquote(in, in.line(Integer.MAX_VALUE - 8)))); break;
        case BINSTRING: {
          int n = in.i32();
          if (n < 0) {
            throw in.error(Reason.BAD_PICKLE, "BINSTRING with negative byte count " + n);
          }
          stack.push(TextArgs.py2String(in.bytes(n)));
          break;
        }
        case SHORT_BINSTRING: stack.push(TextArgs.py2String(in.bytes(in.u8()))); break;
        case UNICODE: stack.push(TextArgs.rawUnicodeEscape(in, in.line(Integer.MAX_VALUE - 8))); break;
        case SHORT_BINUNICODE: stack.push(in.utf8(in.bytes(in.u8()))); break;
        case BINUNICODE: stack.push(in.utf8(in.bytes(in.u32()))); break;
        case BINUNICODE8: stack.push(in.utf8(in.bytes(in.u64()))); break;
        case SHORT_BINBYTES: stack.push(in.bytes(in.u8())); break;
        case BINBYTES: stack.push(in.bytes(in.u32())); break;
        case BINBYTES8: stack.push(in.bytes(in.u64())); break;
        case BYTEARRAY8: stack.push(in.bytes(in.u64())); break;
        case NEXT_BUFFER:
        case READONLY_BUFFER:
          throw in.error(Reason.BAD_PICKLE, "out-of-band buffers (pickle protocol 5 buffer_callback) are not supported");
        // --- containers
        case EMPTY_LIST: stack.push(new PyList()); break;
        case EMPTY_TUPLE: stack.push(new PyTuple(List.of())); break;
        case EMPTY_DICT: stack.push(new PyDict()); break;
        case EMPTY_SET: stack.push(new PySet(false)); break;
        case LIST: {
          PyList l = new PyList();
          l.items.addAll(stack.popMark());
          stack.push(l);
          break;
        }
        case TUPLE: stack.push(new PyTuple(stack.popMark())); break;
        case TUPLE1: {
          stack.push(new PyTuple(java.util.Collections.singletonList(stack.pop())));
          break;
        }
        case TUPLE2:
        case TUPLE3: {
          int n = op == Opcode.TUPLE2 ? 2 : 3;
          Object[] items = new Object[n];
          for (int i = n - 1; i >= 0; i--) {
            items[i] = stack.pop();
          }
          stack.push(new PyTuple(new ArrayList<>(java.util.Arrays.asList(items))));
          break;
        }
        case DICT: {
          PyDict d = new PyDict();
          putAll(d.items, stack.popMark());
          stack.push(d);
          break;
        }
        case FROZENSET: {
          PySet s = new PySet(true);
          s.items.addAll(stack.popMark());
          stack.push(s);
          break;
        }
        case APPEND: {
          List<Object> one = java.util.Collections.singletonList(stack.pop());
          appendTo(stack.peek(), one);
          break;
        }
        case APPENDS: {
          List<Object> items = stack.popMark();
          appendTo(stack.peek(), items);
          break;
        }
        case SETITEM: {
          Object v = stack.pop();
          Object k = stack.pop();
          List<Object> kv = new ArrayList<>(2);
          kv.add(k);
          kv.add(v);
          setItems(kv);
          break;
        }
        case SETITEMS: setItems(stack.popMark()); break;
        case ADDITEMS: {
          List<Object> items = stack.popMark();
          Object target = stack.peek();
          if (!(target instanceof PySet) || ((PySet) target).frozen) {
            throw in.error(Reason.BAD_PICKLE, "ADDITEMS on " + PickleTree.describe(target) + ", not a set");
          }
          stack.checkSize(((PySet) target).items.size(), items.size());
          ((PySet) target).items.addAll(items);
          break;
        }
        // --- stack and memo
        case MARK: stack.pushMark(); break;
        case POP: stack.popOrPopMark(); break;
        case POP_MARK: stack.popMark(); break;
        case DUP: stack.push(stack.peek()); break;
        case PUT: stack.memoPut(TextArgs.parseIndex(in, in.line(32))); break;
        case BINPUT: stack.memoPut(in.u8()); break;
        case LONG_BINPUT: stack.memoPut(in.u32()); break;
        case MEMOIZE: stack.memoize(); break;
        case GET: stack.memoGet(TextArgs.parseIndex(in, in.line(32))); break;
        case BINGET: stack.memoGet(in.u8()); break;
        case LONG_BINGET: stack.memoGet(in.u32()); break;
        // --- globals and calls
        case GLOBAL: {
          String module = in.utf8(in.line(MAX_LINE));
          String name = in.utf8(in.line(MAX_LINE));
          stack.push(global(module, name));
          break;
        }
        case STACK_GLOBAL: {
          Object name = stack.pop();
          Object module = stack.pop();
          if (!(module instanceof String) || !(name instanceof String)) {
            throw in.error(Reason.BAD_PICKLE, "STACK_GLOBAL needs two str, got "
                + PickleTree.describe(module) + " and " + PickleTree.describe(name));
          }
          stack.push(global((String) module, (String) name));
          break;
        }
        case REDUCE: {
          PyTuple args = tupleArg(stack.pop(), "REDUCE arguments");
          Object callable = stack.pop();
          stack.push(new PyCall(callable, args, null, CallKind.REDUCE, in.opStart()));
          break;
        }
        case NEWOBJ: {
          PyTuple args = tupleArg(stack.pop(), "NEWOBJ arguments");
          Object cls = stack.pop();
          stack.push(new PyCall(cls, args, null, CallKind.NEWOBJ, in.opStart()));
          break;
        }
        case NEWOBJ_EX: {
          Object kwargs = stack.pop();
          if (!(kwargs instanceof PyDict)) {
            throw in.error(Reason.BAD_PICKLE, "NEWOBJ_EX keyword arguments must be a dict, got "
                + PickleTree.describe(kwargs));
          }
          PyTuple args = tupleArg(stack.pop(), "NEWOBJ_EX arguments");
          Object cls = stack.pop();
          stack.push(new PyCall(cls, args, (PyDict) kwargs, CallKind.NEWOBJ_EX, in.opStart()));
          break;
        }
        case BUILD: {
          Object state = stack.pop();
          Object target = stack.peek();
          if (!(target instanceof PyCall)) {
            throw in.error(Reason.BAD_PICKLE, "BUILD on " + PickleTree.describe(target)
                + ": only objects made by REDUCE or NEWOBJ take a state");
          }
          List<Object> states = ((PyCall) target).states;
          stack.checkSize(states.size(), 1);
          states.add(state);
          break;
        }
        case INST: {
          String module = in.utf8(in.line(MAX_LINE));
          String name = in.utf8(in.line(MAX_LINE));
          String[] r = TorchGlobals.rename(module, name);
          throw in.error(Reason.FORBIDDEN_GLOBAL, "INST would create an instance of " + r[0] + "." + r[1]
              + "; instance opcodes are not allowed");
        }
        case OBJ: {
          List<Object> items = stack.popMark();
          String what = items.isEmpty() ? "nothing" : PickleTree.describe(items.get(0));
          throw in.error(Reason.FORBIDDEN_GLOBAL, "OBJ would create an instance of " + what
              + "; instance opcodes are not allowed");
        }
        case EXT1:
        case EXT2:
        case EXT4: {
          long code = op == Opcode.EXT1 ? in.u8() : op == Opcode.EXT2 ? in.u16() : in.u32();
          throw in.error(Reason.FORBIDDEN_GLOBAL, "extension code " + code
              + " names a global through copyreg's extension registry; not allowed");
        }
        case PERSID:
        case BINPERSID: {
          Object pid = op == Opcode.PERSID ? TextArgs.ascii(in, in.line(MAX_LINE)) : stack.pop();
          if (!allowPersistentIds) {
            throw in.error(Reason.BAD_PICKLE, "persistent id in a pickle that may hold plain values only");
          }
          stack.push(new PyPersistentId(pid, in.opStart()));
          break;
        }
        default:
          throw in.error(Reason.BAD_PICKLE, "opcode not handled");
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private PyGlobal global(String module, String name) throws TensorFormatException {
    String[] r = TorchGlobals.rename(module, name);
    String pickled = r[0].equals(module) && r[1].equals(name) ? null : module + "." + name;
    PyGlobal g = new PyGlobal(r[0], r[1], pickled, in.opStart());
    policy.check(g, in);
    return g;
  }

  private Object longBytes(int n) throws TensorFormatException {
    if (n > MAX_LONG_BYTES) {
      throw in.error(Reason.LIMIT_EXCEEDED, "integer of " + n + " bytes exceeds the limit of "
          + MAX_LONG_BYTES + " bytes");
    }
    byte[] le = in.bytes(n);
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = le[n - 1 - i];
    }
    return TextArgs.normalize(new BigInteger(be));
  }

  private PyTuple tupleArg(Object v, String what) throws TensorFormatException {
    if (!(v instanceof PyTuple)) {
      throw in.error(Reason.BAD_PICKLE, what + " must be a tuple, got " + PickleTree.describe(v));
    }
    return (PyTuple) v;
  }

  private void appendTo(Object target, List<Object> items) throws TensorFormatException {
    List<Object> dst;
    if (target instanceof PyList) {
      dst = ((PyList) target).items;
    } else if (target instanceof PyCall) {
      dst = ((PyCall) target).appended;
    } else {
      throw in.error(Reason.BAD_PICKLE, "append to " + PickleTree.describe(target) + ", not a list");
    }
    stack.checkSize(dst.size(), items.size());
    dst.addAll(items);
  }

  private void setItems(List<Object> kv) throws TensorFormatException {
    Object target = stack.peek();
    Map<Object, Object> dst;
    if (target instanceof PyDict) {
      dst = ((PyDict) target).items;
    } else if (target instanceof PyCall) {
      dst = ((PyCall) target).setItems;
    } else {
      throw in.error(Reason.BAD_PICKLE, "set item on " + PickleTree.describe(target) + ", not a dict");
    }
    putAll(dst, kv);
  }

  private void putAll(Map<Object, Object> dst, List<Object> kv) throws TensorFormatException {
    if (kv.size() % 2 != 0) {
      throw in.error(Reason.BAD_PICKLE, "odd number of items (" + kv.size() + ") for key/value pairs");
    }
    stack.checkSize(dst.size(), kv.size() / 2);
    for (int i = 0; i < kv.size(); i += 2) {
      Object k = kv.get(i);
      checkKey(k, 0);
      dst.put(k, kv.get(i + 1));
    }
  }

  /**
   * Dict keys must be hashable in Python; here they must be scalars or tuples of scalars, so that
   * hashing a key can never recurse into a mutable (possibly cyclic) container.
   */
  private void checkKey(Object k, int depth) throws TensorFormatException {
    if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger
        || k instanceof Double || k instanceof Boolean) {
      return;
    }
    if (k instanceof PyTuple && depth < 8) {
      for (Object o : ((PyTuple) k).items) {
        checkKey(o, depth + 1);
      }
      return;
    }
    throw in.error(Reason.BAD_PICKLE, "unsupported dict key of type " + PickleTree.describe(k));
  }

}
