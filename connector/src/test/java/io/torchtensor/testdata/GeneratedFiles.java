package io.torchtensor.testdata;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files {@code testdata/make_testdata.py} writes with real PyTorch, and what torch computed
 * for each ({@code expected.jsonl}, one JSON object per file). Surefire passes the folder as the
 * system property {@code torchtensor.testdata}.
 */
public final class GeneratedFiles {

  public static final String HOW_TO_MAKE =
      "make them with: $(bin/python-env)/bin/python testdata/make_testdata.py build/testdata"
          + " (or bin/test, which runs it first)";

  private GeneratedFiles() {
  }

  /** The test-file folder; fails the calling test with how to make it when it is missing. */
  public static Path root() {
    String dir = System.getProperty("torchtensor.testdata");
    if (dir == null) {
      fail("system property torchtensor.testdata is not set (run the tests through Maven); " + HOW_TO_MAKE);
    }
    Path root = Path.of(dir);
    if (!Files.isRegularFile(root.resolve("expected.jsonl"))) {
      fail("generated test files are missing: no " + root.resolve("expected.jsonl") + "; " + HOW_TO_MAKE);
    }
    return root;
  }

  /** Every record of expected.jsonl, in file order. */
  public static List<Expected> all() {
    Path root = root();
    List<Expected> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(root.resolve("expected.jsonl"), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(new Expected(root, Json.parseObject(line)));
        }
      }
    } catch (IOException e) {
      fail("cannot read " + root.resolve("expected.jsonl") + ": " + e + "; " + HOW_TO_MAKE);
    }
    if (out.isEmpty()) {
      fail(root.resolve("expected.jsonl") + " is empty; " + HOW_TO_MAKE);
    }
    return out;
  }

  /** One file's record. */
  public static final class Expected {
    private final Path root;
    private final Map<String, Object> row;

    Expected(Path root, Map<String, Object> row) {
      this.root = root;
      this.row = row;
    }

    /** Path relative to the test-file folder, as recorded. */
    public String file() {
      return (String) row.get("file");
    }

    public Path path() {
      return root.resolve(file());
    }

    /** {@code torch-zip}, {@code torch-legacy}, {@code safetensors}; null for a refused file. */
    public String format() {
      return (String) row.get("format");
    }

    /** The TensorFormatException.Reason name a refused file must give; null for a readable file. */
    @SuppressWarnings("unchecked")
    public String refusal() {
      Map<String, Object> e = (Map<String, Object>) row.get("error");
      return e == null ? null : (String) e.get("reason");
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> tensors() {
      return (List<Map<String, Object>>) row.get("tensors");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> metadata() {
      Object m = row.get("metadata");
      return m == null ? Map.of() : (Map<String, Object>) m;
    }

    public Object get(String field) {
      return row.get(field);
    }

    @Override
    public String toString() {
      return file();
    }
  }
}
