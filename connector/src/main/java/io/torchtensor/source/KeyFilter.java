package io.torchtensor.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code keys} option: exact keys or globs ({@code *} any run of characters, dots included;
 * {@code ?} one character). An empty filter accepts every key.
 */
final class KeyFilter implements Serializable {

  private static final long serialVersionUID = 1L;

  private final List<String> patterns;
  private final boolean exact;
  private transient List<Pattern> compiled;

  /** Globs from the {@code keys} option. */
  KeyFilter(List<String> patterns) {
    this(patterns, false);
  }

  private KeyFilter(List<String> patterns, boolean exact) {
    this.patterns = List.copyOf(patterns);
    this.exact = exact;
  }

  /** Exactly these keys (the columns of a user schema), no glob characters. */
  static KeyFilter exact(List<String> keys) {
    return new KeyFilter(keys, true);
  }

  boolean acceptsAll() {
    return patterns.isEmpty();
  }

  boolean accepts(String key) {
    if (patterns.isEmpty()) {
      return true;
    }
    if (exact) {
      return patterns.contains(key);
    }
    if (compiled == null) {
      List<Pattern> c = new ArrayList<>();
      for (String p : patterns) {
        c.add(Pattern.compile(toRegex(p)));
      }
      compiled = c;
    }
    for (Pattern p : compiled) {
      if (p.matcher(key).matches()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return String.join(",", patterns);
  }

  private static String toRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*') {
        sb.append(".*");
      } else if (c == '?') {
        sb.append('.');
      } else {
        sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return sb.toString();
  }
}
