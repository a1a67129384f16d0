package io.torchtensor.format.pickle;

import io.torchtensor.format.pickle.PickleTree.PyTuple;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * Python's {@code str()} of the scalar kinds a dict key can have, so that a key path reads as it
 * would in Python: ints in decimal, {@code True}/{@code False}/{@code None}, floats in Python's
 * shortest round-trip {@code repr} ({@code 0.5}, {@code 1e-08}, {@code 1.0}), tuples as
 * {@code (1, 'a')}.
 */
final class PyRepr {

  private PyRepr() {
  }

  static String str(Object k) {
    if (k instanceof String) {
      return (String) k;
    }
    return repr(k);
  }

  static String repr(Object k) {
    if (k == null) {
      return "None";
    }
    if (k instanceof Boolean) {
      return (Boolean) k ? "True" : "False";
    }
    if (k instanceof Long || k instanceof BigInteger) {
      return k.toString();
    }
    if (k instanceof Double) {
      return floatRepr((Double) k);
    }
    if (k instanceof String) {
      String s = (String) k;
      return s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? "\"" + s + "\"" : "'" + s.replace("'", "\\'") + "'";
    }
    if (k instanceof PyTuple) {
      PyTuple t = (PyTuple) k;
      StringBuilder sb = new StringBuilder("(");
      for (int i = 0; i < t.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(repr(t.get(i)));
      }
      return sb.append(t.size() == 1 ? ",)" : ")").toString();
    }
    return String.valueOf(k);
  }

  /** CPython float_repr: shortest digits that round-trip, fixed notation for 1e-4 <= |x| < 1e16. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = exact;
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p));
      if (r.doubleValue() == d) {
        shortest = r;
        break;
      }
    }
    String digits = shortest.unscaledValue().abs().toString().replaceAll("0+$", "");
    if (digits.isEmpty()) {
      digits = "0";
    }
    int exp = shortest.precision() - shortest.scale() - 1; // decimal exponent of the first digit
    String sign = d < 0 ? "-" : "";
    if (exp >= -4 && exp < 16) {
      String plain = shortest.abs().toPlainString();
      if (plain.indexOf('.') < 0) {
        plain += ".0";
      }
      return sign + plain;
    }
    String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }
}
