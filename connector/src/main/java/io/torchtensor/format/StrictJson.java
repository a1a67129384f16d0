package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser (RFC 8259) for safetensors headers. Objects become
 * {@code LinkedHashMap<String, Object>} in document order and a repeated key is an error (the reference
 * reader refuses duplicates too); arrays become {@code List<Object>}; integers {@link BigInteger};
 * other numbers {@link Double}; {@code true}/{@code false} {@link Boolean}; {@code null} Java null.
 *
 * <p>Nesting depth, container sizes and number lengths are capped so that no header can make the
 * parser recurse deeply, allocate without bound or spend quadratic time on a huge number literal.
 * Whitespace may follow the value (the reference writer pads headers with spaces).
 */
final class StrictJson {

  /** Hard ceiling on nesting, whatever the limits say: recursion must stay far from the stack's end. */
  private static final int MAX_DEPTH = 256;
  /** Longest number literal: u64 has 20 digits; anything far longer is not a safetensors value. */
  private static final int MAX_NUMBER_CHARS = 100;

  private final String s;
  private final String file;
  private final int maxDepth;
  private final long maxElements;
  private int pos;

  private StrictJson(String s, String file, int maxDepth, long maxElements) {
    this.s = s;
    this.file = file;
    this.maxDepth = Math.min(maxDepth, MAX_DEPTH);
    this.maxElements = maxElements;
  }

  /** Parses one JSON value filling {@code text} up to trailing whitespace. */
  static Object parse(String text, String file, int maxDepth, long maxElements) throws TensorFormatException {
    StrictJson p = new StrictJson(text, file, maxDepth, maxElements);
    p.skipWs();
    Object v = p.value(0);
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("unexpected '" + text.charAt(p.pos) + "' after the JSON value");
    }
    return v;
  }

  private Object value(int depth) throws TensorFormatException {
    if (pos >= s.length()) {
      throw error("JSON ends where a value was expected");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Map<String, Object> object(int depth) throws TensorFormatException {
    checkDepth(depth);
    pos++;
    Map<String, Object> out = new LinkedHashMap<>();
    skipWs();
    if (peek() == '}') {
      pos++;
      return out;
    }
    while (true) {
      skipWs();
      if (peek() != '"') {
        throw error("expected a string key");
      }
      int keyAt = pos;
      String key = string();
      skipWs();
      expect(':');
      skipWs();
      Object v = value(depth);
      if (out.containsKey(key)) {
        pos = keyAt;
        throw error("duplicate key \"" + key + "\"");
      }
      out.put(key, v);
      checkSize(out.size());
      skipWs();
      char c = peek();
      pos++;
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}' in an object");
      }
    }
  }

  private List<Object> array(int depth) throws TensorFormatException {
    checkDepth(depth);
    pos++;
    List<Object> out = new ArrayList<>();
    skipWs();
    if (peek() == ']') {
      pos++;
      return out;
    }
    while (true) {
      skipWs();
      out.add(value(depth));
      checkSize(out.size());
      skipWs();
      char c = peek();
      pos++;
      if (c == ']') {
        return out;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']' in an array");
      }
    }
  }

  private String string() throws TensorFormatException {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        break;
      }
      if (c < 0x20) {
        pos--;
        throw error("control character 0x" + Integer.toHexString(c) + " in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw error("unterminated escape");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"': b.append('"'); break;
        case '\\': b.append('\\'); break;
        case '/': b.append('/'); break;
        case 'b': b.append('\b'); break;
        case 'f': b.append('\f'); break;
        case 'n': b.append('\n'); break;
        case 'r': b.append('\r'); break;
        case 't': b.append('\t'); break;
        case 'u': b.append(hex4()); break;
        default:
          pos--;
          throw error("bad escape '\\" + e + "'");
      }
    }
    String out = b.toString();
    // Unpaired surrogates from \\u escapes are not text; the reference (serde_json) refuses them too.
    for (int i = 0; i < out.length(); i++) {
      char c = out.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < out.length() && Character.isLowSurrogate(out.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw error("unpaired surrogate \\u" + Integer.toHexString(c) + " in a string");
      }
    }
    return out;
  }

  private char hex4() throws TensorFormatException {
    if (pos + 4 > s.length()) {
      throw error("cut \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(s.charAt(pos + i), 16);
      if (d < 0) {
        throw error("bad \\u escape");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object number() throws TensorFormatException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      throw error("bad number");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      if (digits() == 0) {
        throw error("bad number: no digits after '.'");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (digits() == 0) {
        throw error("bad number: no exponent digits");
      }
    }
    if (pos - start > MAX_NUMBER_CHARS) {
      pos = start;
      throw error("number literal longer than " + MAX_NUMBER_CHARS + " characters");
    }
    String lit = s.substring(start, pos);
    return integral ? new BigInteger(lit) : (Object) Double.parseDouble(lit);
  }

  private int digits() {
    int n = 0;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
      n++;
    }
    return n;
  }

  private Object literal(String word, Object v) throws TensorFormatException {
    if (!s.startsWith(word, pos)) {
      throw error("unexpected token");
    }
    pos += word.length();
    return v;
  }

  private void expect(char c) throws TensorFormatException {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  /** The current character, or NUL at the end (never a valid token start). */
  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void checkDepth(int depth) throws TensorFormatException {
    if (depth > maxDepth) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file,
          "safetensors header nests deeper than " + maxDepth + " at character " + pos);
    }
  }

  private void checkSize(int n) throws TensorFormatException {
    if (n > maxElements) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file,
          "safetensors header container with more than " + maxElements + " elements");
    }
  }

  private TensorFormatException error(String what) {
    return new TensorFormatException(Reason.BAD_HEADER, file,
        "safetensors header is not valid JSON: " + what + " at character " + pos);
  }
}
