package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The format floor is JDK only: no Spark, Arrow, Hadoop or DJL, so it runs and tests anywhere. */
class FormatImportsTest {

  private static final Pattern FORBIDDEN =
      Pattern.compile("\\b(org\\.apache\\.(spark|arrow|hadoop)|ai\\.djl)\\.");

  @Test
  void formatSourcesImportOnlyTheJdk() throws IOException {
    String root = System.getProperty("torchtensor.root");
    assertThat(root).as("system property torchtensor.root (set by Surefire)").isNotNull();
    Path dir = Path.of(root, "connector/src/main/java/io/torchtensor/format");
    List<Path> sources;
    try (Stream<Path> s = Files.walk(dir)) {
      sources = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).as("format sources under " + dir).hasSizeGreaterThan(15);
    List<String> offending = new ArrayList<>();
    for (Path p : sources) {
      List<String> lines = Files.readAllLines(p);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).trim();
        if ((line.startsWith("import ") || !line.startsWith("*") && !line.startsWith("//"))
            && FORBIDDEN.matcher(line).find()) {
          offending.add(dir.relativize(p) + ":" + (i + 1) + ": " + line);
        }
      }
    }
    assertThat(offending).as("references to Spark/Arrow/Hadoop/DJL in the format floor").isEmpty();
  }
}
