package io.torchtensor.format.pickle;

import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.PyCall;
import io.torchtensor.format.pickle.PickleTree.PyList;
import io.torchtensor.format.pickle.PickleTree.PySet;
import io.torchtensor.format.pickle.PickleTree.PyTuple;
import io.torchtensor.format.pickle.TorchGlobals.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The allow-listed calls that stand for plain values, and the Java value of each. Their argument
 * forms are those CPython and torch write at protocol 2: {@code _codecs.encode(str, 'latin1')} for
 * {@code bytes}, {@code builtins.set([...])}, {@code builtins.complex(re, im)},
 * {@code builtins.bytearray(str, 'latin-1')}, {@code torch.Size((...))}, {@code torch.device('cuda', 0)},
 * {@code torch.serialization._get_layout('torch.sparse_coo')}.
 */
final class PlainCalls {

  /** Recursion back into the matcher for nested values. */
  interface Inner {
    Object plain(Object node, int depth) throws TensorFormatException;
  }

  private PlainCalls() {
  }

  static Object value(NodeAccess nodes, PyCall c, Kind kind, String key, int depth, Inner inner, Object notPlain)
      throws TensorFormatException {
    String name = ((PickleTree.PyGlobal) c.callable).qualified();
    if (!c.setItems.isEmpty() || !c.appended.isEmpty()) {
      if (kind != Kind.ORDERED_DICT && kind != Kind.COUNTER) {
        throw nodes.fail(Reason.BAD_PICKLE, key, c, "items set on or appended to " + name);
      }
    }
    switch (kind) {
      case ORDERED_DICT:
      case COUNTER:
        return notPlain;
      case SIZE: {
        PyTuple a = nodes.args(c, key, name, 0, 1);
        List<Object> out = new ArrayList<>();
        if (a.size() == 1) {
          for (Object o : nodes.sequence(a.get(0), key, c, "torch.Size argument")) {
            out.add(nodes.asLong(o, key, c, "torch.Size element"));
          }
        }
        return Collections.unmodifiableList(out);
      }
      case DEVICE:
        return nodes.device(c, key, c);
      case CODECS_ENCODE: {
        PyTuple a = nodes.args(c, key, name, 1, 2);
        String s = nodes.asString(a.get(0), key, c, "_codecs.encode argument");
        String enc = a.size() == 2 ? nodes.asString(a.get(1), key, c, "encoding") : "utf-8";
        return encode(nodes, s, enc, key, c);
      }
      case BYTEARRAY: {
        PyTuple a = nodes.args(c, key, name, 0, 1, 2);
        if (a.size() == 0) {
          return new byte[0];
        }
        if (a.size() == 1 && a.get(0) instanceof byte[]) {
          return ((byte[]) a.get(0)).clone();
        }
        String s = nodes.asString(a.get(0), key, c, "bytearray argument");
        String enc = a.size() == 2 ? nodes.asString(a.get(1), key, c, "encoding") : "";
        return encode(nodes, s, enc, key, c);
      }
      case SET:
      case FROZENSET: {
        PyTuple a = nodes.args(c, key, name, 0, 1);
        if (a.size() == 0) {
          return List.of();
        }
        Object arg = a.get(0);
        if (!(arg instanceof PyList || arg instanceof PyTuple || arg instanceof PySet)) {
          throw nodes.fail(Reason.BAD_PICKLE, key, c, name + " argument must be a list, got " + PickleTree.describe(arg));
        }
        return inner.plain(arg, depth + 1);
      }
      case COMPLEX: {
        PyTuple a = nodes.args(c, key, name, 1, 2);
        double re = nodes.asDouble(a.get(0), key, c, "real part");
        double im = a.size() == 2 ? nodes.asDouble(a.get(1), key, c, "imaginary part") : 0.0;
        return List.of(re, im);
      }
      case GET_LAYOUT: {
        PyTuple a = nodes.args(c, key, name, 1);
        return nodes.asString(a.get(0), key, c, "layout name");
      }
      default:
        throw nodes.fail(Reason.BAD_PICKLE, key, c, name + " cannot be called here");
    }
  }

  /** str.encode for the encodings a pickler uses; other encodings are refused. */
  private static byte[] encode(NodeAccess nodes, String s, String encoding, String key, PyCall c)
      throws TensorFormatException {
    String e = encoding.toLowerCase(Locale.ROOT).replace('_', '-');
    int max;
    switch (e) {
      case "latin1":
      case "latin-1":
      case "iso-8859-1":
      case "iso8859-1":
      case "l1":
        max = 0xff;
        break;
      case "ascii":
      case "us-ascii":
        max = 0x7f;
        break;
      case "utf-8":
      case "utf8":
        return s.getBytes(StandardCharsets.UTF_8);
      default:
        throw nodes.fail(Reason.BAD_PICKLE, key, c, "unsupported encoding '" + encoding + "'");
    }
    byte[] out = new byte[s.length()];
    for (int i = 0; i < out.length; i++) {
      char ch = s.charAt(i);
      if (ch > max) {
        throw nodes.fail(Reason.BAD_PICKLE, key, c, "character U+" + Integer.toHexString(ch)
            + " cannot be encoded as " + encoding);
      }
      out[i] = (byte) ch;
    }
    return out;
  }
}
