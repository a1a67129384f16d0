package io.torchtensor.format.pickle;

import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Decoders for the arguments of the protocol-0 text opcodes (INT, LONG, FLOAT, STRING, UNICODE, GET,
 * PUT), following CPython's {@code Lib/pickle.py} {@code load_int}, {@code load_long},
 * {@code load_float}, {@code load_string} ({@code codecs.escape_decode}) and {@code load_unicode}
 * ({@code raw-unicode-escape}). Only the forms a pickler writes are accepted; anything else is
 * {@link Reason#BAD_PICKLE}, never a Java parse exception.
 */
final class TextArgs {

  /** CPython refuses int(str) past 4300 digits ({@code sys.int_info.default_max_str_digits}). */
  static final int MAX_INT_DIGITS = 4300;

  private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]{1," + MAX_INT_DIGITS + "}");
  // Python float() syntax as repr() writes it, plus inf/nan (CPython float_repr / PyOS_string_to_double).
  private static final Pattern FLOAT = Pattern.compile(
      "[+-]?(([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]{1,4})?|inf|nan|infinity)",
      Pattern.CASE_INSENSITIVE);

  private TextArgs() {
  }

  /** INT's argument: {@code 00}/{@code 01} are False/True (the I00/I01 forms), else a decimal. */
  static Object parseInt(PickleInput in, byte[] line) throws TensorFormatException {
    String s = ascii(in, line);
    if (s.equals("00")) {
      return Boolean.FALSE;
    }
    if (s.equals("01")) {
      return Boolean.TRUE;
    }
    return decimal(in, s);
  }

  /** LONG's argument: a decimal with an optional trailing {@code L} (Python 2 repr). */
  static Object parseLong(PickleInput in, byte[] line) throws TensorFormatException {
    String s = ascii(in, line);
    if (s.endsWith("L")) {
      s = s.substring(0, s.length() - 1);
    }
    return decimal(in, s);
  }

  /** A non-negative memo index of GET / PUT. */
  static long parseIndex(PickleInput in, byte[] line) throws TensorFormatException {
    String s = ascii(in, line);
    if (!s.matches("[0-9]{1,18}")) {
      throw in.error(Reason.BAD_PICKLE, "memo index '" + s + "' is not a decimal");
    }
    return Long.parseLong(s);
  }

  static double parseFloat(PickleInput in, byte[] line) throws TensorFormatException {
    String s = ascii(in, line);
    if (!FLOAT.matcher(s).matches()) {
      throw in.error(Reason.BAD_PICKLE, "'" + s + "' is not a float");
    }
    String l = s.toLowerCase(java.util.Locale.ROOT);
    boolean neg = l.startsWith("-");
    String body = l.replaceFirst("^[+-]", "");
    if (body.equals("inf") || body.equals("infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (body.equals("nan")) {
      return Double.NaN;
    }
    return Double.parseDouble(s);
  }

  /** Normalises an integer: Long when it fits, else BigInteger. */
  static Object normalize(BigInteger v) {
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private static Object decimal(PickleInput in, String s) throws TensorFormatException {
    if (!DECIMAL.matcher(s).matches()) {
      throw in.error(Reason.BAD_PICKLE, "'" + abbreviate(s) + "' is not a decimal integer of at most "
          + MAX_INT_DIGITS + " digits");
    }
    return normalize(new BigInteger(s));
  }

  /**
   * STRING's argument: a quoted Python 2 repr, unescaped as {@code codecs.escape_decode} does
   * (backslash escapes {@code \\ \' \" \a \b \f \n \r \t \v \xhh}, 1-3 octal digits, and a
   * backslash-newline that is dropped; an unknown escape keeps its backslash).
   */
  static byte[] unquote(PickleInput in, byte[] line) throws TensorFormatException {
    int n = line.length;
    if (n < 2 || line[0] != line[n - 1] || (line[0] != '\'' && line[0] != '"')) {
      throw in.error(Reason.BAD_PICKLE, "the STRING argument must be quoted");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    for (int i = 1; i < n - 1; i++) {
      int c = line[i] & 0xff;
      if (c != '\\') {
        out.write(c);
        continue;
      }
      if (i + 1 >= n - 1) {
        throw in.error(Reason.BAD_PICKLE, "STRING ends with a lone backslash");
      }
      int e = line[++i] & 0xff;
      switch (e) {
        case '\n': break;
        case '\\': out.write('\\'); break;
        case '\'': out.write('\''); break;
        case '"': out.write('"'); break;
        case 'a': out.write(7); break;
        case 'b': out.write(8); break;
        case 'f': out.write(12); break;
        case 'n': out.write('\n'); break;
        case 'r': out.write('\r'); break;
        case 't': out.write('\t'); break;
        case 'v': out.write(11); break;
        case 'x': {
          if (i + 2 > n - 2 || hex(line[i + 1]) < 0 || hex(line[i + 2]) < 0) {
            throw in.error(Reason.BAD_PICKLE, "invalid \\x escape in STRING");
          }
          out.write(hex(line[i + 1]) << 4 | hex(line[i + 2]));
          i += 2;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && i + 1 < n - 1 && line[i + 1] >= '0' && line[i + 1] <= '7'; k++) {
              v = v * 8 + (line[++i] - '0');
            }
            out.write(v & 0xff);
          } else {
            out.write('\\');
            out.write(e);
          }
      }
    }
    return out.toByteArray();
  }

  /**
   * UNICODE's argument, decoded as {@code raw-unicode-escape}: bytes are Latin-1 code points except
   * {@code \\uXXXX} and {@code \\UXXXXXXXX} escapes.
   */
  static String rawUnicodeEscape(PickleInput in, byte[] line) throws TensorFormatException {
    StringBuilder sb = new StringBuilder(line.length);
    for (int i = 0; i < line.length; i++) {
      int c = line[i] & 0xff;
      if (c == '\\' && i + 1 < line.length && (line[i + 1] == 'u' || line[i + 1] == 'U')) {
        int digits = line[i + 1] == 'u' ? 4 : 8;
        if (i + 1 + digits >= line.length) {
          throw in.error(Reason.BAD_PICKLE, "truncated \\u escape in UNICODE");
        }
        long cp = 0;
        for (int k = 0; k < digits; k++) {
          int h = hex(line[i + 2 + k]);
          if (h < 0) {
            throw in.error(Reason.BAD_PICKLE, "invalid \\u escape in UNICODE");
          }
          cp = cp << 4 | h;
        }
        if (cp > Character.MAX_CODE_POINT) {
          throw in.error(Reason.BAD_PICKLE, "\\U escape beyond U+10FFFF in UNICODE");
        }
        sb.appendCodePoint((int) cp);
        i += 1 + digits;
      } else {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  /**
   * A Python 2 {@code str} (STRING, BINSTRING, SHORT_BINSTRING). torch.load unpickles with
   * {@code encoding='utf-8'} by default, so valid UTF-8 decodes as UTF-8 (identical to Latin-1 for the
   * ASCII names torch writes); bytes that are not UTF-8 decode as Latin-1, what
   * {@code torch.load(..., encoding='latin1')} gives for py2 binary strings, so that no py2 string is
   * refused.
   */
  static String py2String(byte[] b) {
    java.nio.charset.CharsetDecoder d = StandardCharsets.UTF_8.newDecoder();
    try {
      return d.decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
  }

  static String ascii(PickleInput in, byte[] line) throws TensorFormatException {
    for (byte b : line) {
      if (b < 0x20 || b > 0x7e) {
        throw in.error(Reason.BAD_PICKLE, "text argument holds a non-ASCII or control byte");
      }
    }
    return new String(line, StandardCharsets.US_ASCII);
  }

  private static int hex(byte b) {
    return Character.digit(b, 16);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
