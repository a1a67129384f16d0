package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The shared fixture folder ({@code ../shared/fixtures}, passed by Surefire as system property
 * {@code torchtensor.shared}) and which of its files are refused by design.
 */
final class Fixtures {

  /** TorchScript archives: refused like torch.load(weights_only=True) does. */
  static final Set<String> TORCHSCRIPT = Set.of("tch_foo.pt", "generated/gen_torchscript.pt",
      "generated/gen_torchscript_traced_const.pt");
  /** Pickles naming a class outside the allow-list. */
  static final Set<String> FORBIDDEN = Set.of("generated/gen_whole_module.pt", "generated/gen_tensor_subclass.pt");

  private Fixtures() {
  }

  static Path dir() {
    String shared = System.getProperty("torchtensor.shared");
    assertThat(shared).as("system property torchtensor.shared (set by Surefire to <root>/../shared)").isNotNull();
    Path d = Path.of(shared, "fixtures");
    assertThat(d.resolve("EXPECTED.jsonl")).as("fixtures at " + d).exists();
    return d;
  }

  /** Every tensor-file candidate: the files named in MANIFEST.tsv, relative to the fixture folder. */
  static List<String> all() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<String> lines = Files.lines(dir().resolve("MANIFEST.tsv"))) {
      lines.skip(1).map(l -> l.split("\t", 2)[0]).filter(s -> !s.isBlank()).forEach(out::add);
    }
    assertThat(out).hasSizeGreaterThan(40);
    return out;
  }

  static boolean refusedByDesign(String name) {
    return TORCHSCRIPT.contains(name) || FORBIDDEN.contains(name) || name.startsWith("negative/");
  }

  static byte[] bytes(String name) throws IOException {
    return Files.readAllBytes(dir().resolve(name));
  }
}
