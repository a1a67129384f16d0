package io.torchtensor.cli;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes the few JSON values the inspect command prints (RFC 8259), so the CLI needs nothing but
 * the JDK. Non-finite doubles, which JSON cannot spell, are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}; {@code byte[]} as a lowercase hex string.
 */
final class JsonWriter {

  private final StringBuilder out = new StringBuilder();

  JsonWriter value(Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short
        || v instanceof Byte || v instanceof BigInteger) {
      out.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isFinite(d)) {
        out.append(d);
      } else {
        string(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      }
    } else if (v instanceof byte[] b) {
      string(HexFormat.of().formatHex(b));
    } else if (v instanceof long[] a) {
      out.append('[');
      for (int i = 0; i < a.length; i++) {
        out.append(i == 0 ? "" : ",").append(a[i]);
      }
      out.append(']');
    } else if (v instanceof List<?> l) {
      out.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        value(l.get(i));
      }
      out.append(']');
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(String.valueOf(e.getKey()));
        out.append(':');
        value(e.getValue());
      }
      out.append('}');
    } else {
      string(v.toString());
    }
    return this;
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
