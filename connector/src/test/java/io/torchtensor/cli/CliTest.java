package io.torchtensor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.torchtensor.format.TensorFile;
import io.torchtensor.testdata.GeneratedFiles;
import io.torchtensor.testdata.GeneratedFiles.Expected;
import io.torchtensor.testdata.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** Runs {@link Main} in-process with captured streams on the shared fixtures and the generated files. */
class CliTest {

  /** Shared fixtures with their keys in the reader's spelling (EXPECTED.jsonl uses tree paths). */
  private static final List<String> FIXTURES = List.of("candle_test.pt", "candle_test_with_key.pt",
      "candle_fortran_tensor_3d.pth", "candle_jfk-codes.safetensors", "gopickle_tensor_float32_proto1.pt",
      "gopickle_tensor_int64_proto2.pt", "pytorch_tensor.double.BE.BOM.pt", "burn_checkpoint.pt",
      "jl_offset-strides.bin");

  private record Run(int status, String out, String err) {
    List<Map<String, Object>> jsonLines() {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          rows.add(Json.parseObject(line));
        }
      }
      return rows;
    }
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void usageErrorsExitTwoWithTheUsageLine() {
    for (String[] args : List.of(new String[0], new String[] {"inspect"}, new String[] {"inspect", "--bogus", "x.pt"},
        new String[] {"list", "x.pt"})) {
      Run r = run(args);
      assertThat(r.status()).as("exit status for %s", List.of(args)).isEqualTo(2);
      assertThat(r.err()).contains(Main.USAGE);
      assertThat(r.out()).isEmpty();
    }
    Run help = run("inspect", "--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains(Main.USAGE);
  }

  @Test
  void jsonLinesMatchWhatTorchComputedForEveryReadableGeneratedFile() {
    List<Expected> readable = GeneratedFiles.all().stream().filter(e -> e.refusal() == null).toList();
    List<String> args = new ArrayList<>(List.of("inspect", "--json", "--sha256"));
    readable.forEach(e -> args.add(e.path().toString()));
    Run r = run(args.toArray(String[]::new));
    List<Map<String, Object>> lines = r.jsonLines();
    assertThat(lines).hasSize(readable.size());
    SoftAssertions soft = new SoftAssertions();
    for (int i = 0; i < readable.size(); i++) {
      Expected e = readable.get(i);
      Map<String, Object> got = lines.get(i);
      soft.assertThat(got.get("path")).isEqualTo(e.path().toString());
      soft.assertThat(got.get("error")).as("error for %s", e.file()).isNull();
      soft.assertThat(got.get("format")).as("format of %s", e.file()).isEqualTo(e.format());
      soft.assertThat(byKey(got)).as("tensors of %s", e.file()).isEqualTo(expectedByKey(e.tensors(), true));
    }
    soft.assertThat(r.status()).as("exit status; stderr: %s", r.err()).isZero();
    soft.assertAll();
  }

  @Test
  void refusedFilesGiveTheirReasonAndExitOne() {
    List<Expected> refused = GeneratedFiles.all().stream().filter(e -> e.refusal() != null).toList();
    assertThat(refused).isNotEmpty();
    List<String> args = new ArrayList<>(List.of("inspect", "--json"));
    refused.forEach(e -> args.add(e.path().toString()));
    Run r = run(args.toArray(String[]::new));
    List<Map<String, Object>> lines = r.jsonLines();
    assertThat(lines).hasSize(refused.size());
    SoftAssertions soft = new SoftAssertions();
    for (int i = 0; i < refused.size(); i++) {
      @SuppressWarnings("unchecked")
      Map<String, Object> error = (Map<String, Object>) lines.get(i).get("error");
      assertThat(error).as("error of %s", refused.get(i).file()).isNotNull();
      soft.assertThat(error.get("reason")).as("reason for %s: %s", refused.get(i).file(), error.get("message"))
          .isEqualTo(refused.get(i).refusal());
      soft.assertThat(lines.get(i).get("tensors")).isEqualTo(List.of());
    }
    soft.assertAll();
    assertThat(r.status()).isEqualTo(1);
  }

  @Test
  void withoutSha256TheHashIsNullAndAMissingFileFailsOnlyItsLine() {
    Expected e = generated("format/objects/zip_nested.pt");
    Run r = run("inspect", "--json", e.path().toString(), "no/such/file.pt");
    List<Map<String, Object>> lines = r.jsonLines();
    assertThat(lines).hasSize(2);
    assertThat(byKey(lines.get(0))).isEqualTo(expectedByKey(e.tensors(), false));
    assertThat(lines.get(0).get("metadata")).isEqualTo(e.metadata());
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) lines.get(1).get("error");
    assertThat(error.get("reason")).isEqualTo("IO_ERROR");
    assertThat((String) error.get("message")).contains("no/such/file.pt");
    assertThat(r.status()).isEqualTo(1);
  }

  @Test
  void textOutputListsFormatTensorsAndMetadata() {
    Expected e = generated("format/objects/zip_nested.pt");
    Run r = run("inspect", "--sha256", e.path().toString());
    assertThat(r.status()).as("stderr: %s; stdout: %s", r.err(), r.out()).isZero();
    assertThat(r.out()).startsWith(e.path() + ": torch-zip, 5 tensors");
    assertThat(r.out()).contains("  model.w  float32 [2, 3]  cpu  requires_grad=false  24 bytes  sha256=" + e.tensors().get(0).get("sha256"));
    assertThat(r.out()).contains("  epoch = 12", "  shape = [3,224,224]", "  dtype = \"torch.bfloat16\"",
        "  big = 1180591620717411303424", "  best = null");
  }

  @Test
  void sharedFixturesHashAsRecordedInTheirManifest() throws IOException {
    Path fixtures = Path.of(System.getProperty("torchtensor.shared", "../shared"), "fixtures");
    if (!Files.isRegularFile(fixtures.resolve("EXPECTED.jsonl"))) {
      fail("shared fixtures missing: " + fixtures.resolve("EXPECTED.jsonl"));
    }
    Map<String, Map<String, Object>> byFile = new LinkedHashMap<>();
    for (String line : Files.readAllLines(fixtures.resolve("EXPECTED.jsonl"), StandardCharsets.UTF_8)) {
      Map<String, Object> row = Json.parseObject(line);
      byFile.put((String) row.get("file"), row);
    }
    List<String> args = new ArrayList<>(List.of("inspect", "--json", "--sha256"));
    FIXTURES.forEach(f -> args.add(fixtures.resolve(f).toString()));
    Run r = run(args.toArray(String[]::new));
    List<Map<String, Object>> lines = r.jsonLines();
    for (int i = 0; i < FIXTURES.size(); i++) {
      Map<String, Object> got = lines.get(i);
      assertThat(got.get("error")).as("error for %s", FIXTURES.get(i)).isNull();
      Map<String, Map<String, Object>> tensors = byKey(got);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> want = (List<Map<String, Object>>) byFile.get("fixtures/" + FIXTURES.get(i)).get("tensors");
      for (Map<String, Object> w : want) {
        String key = readerKey((String) w.get("path"));
        assertThat(tensors).as("%s in %s", key, FIXTURES.get(i)).containsKey(key);
        assertThat(tensors.get(key).get("shape")).isEqualTo(w.get("shape"));
        assertThat((String) tensors.get(key).get("sha256")).as("%s %s", FIXTURES.get(i), key)
            .startsWith((String) w.get("sha256_16"));
      }
    }
    assertThat(r.status()).isZero();
    Run bad = run("inspect", fixtures.resolve("negative/picklescan_pytorch_magic_bypass.pt").toString(),
        fixtures.resolve("negative/picklescan_bad_pytorch.pt").toString());
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.out().lines().toList()).hasSize(2)
        .allSatisfy(line -> assertThat(line).matches(".*picklescan_\\w+\\.pt: error [A-Z_]+: .*"));
  }

  @Test
  void digestInChunksSmallerThanARowSplitsRowsAndStillMatchesTorch() {
    SoftAssertions soft = new SoftAssertions();
    for (Expected e : GeneratedFiles.all()) {
      if (e.refusal() != null) {
        continue;
      }
      try (TensorFile f = TensorFile.open(e.path())) {
        TensorDigest digest = new TensorDigest(f, ByteBuffer.allocate(16));
        for (Map<String, Object> w : e.tensors()) {
          String key = (String) w.get("key");
          soft.assertThat(digest.sha256(f.tensor(key))).as("%s %s in 16-byte chunks", e.file(), key)
              .isEqualTo(w.get("sha256"));
        }
      } catch (IOException ex) {
        soft.fail(e.file() + ": " + ex);
      }
    }
    soft.assertAll();
  }

  @Test
  void cliImportsOnlyTheFormatFloorAndTheJdk() throws IOException {
    Path dir = Path.of(System.getProperty("torchtensor.root", "."), "connector/src/main/java/io/torchtensor/cli");
    List<String> offending = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          if (line.startsWith("import ") && !line.matches("import (static )?(java\\.|io\\.torchtensor\\.format\\.).*")) {
            offending.add(p.getFileName() + ": " + line);
          }
        }
      }
    }
    assertThat(offending).as("imports outside the JDK and io.torchtensor.format in %s", dir).isEmpty();
  }

  /** EXPECTED.jsonl tree path to the reader's key: {@code /a/b} is {@code a.b}, the root is {@code tensor}. */
  private static String readerKey(String path) {
    if (path.equals("<root>")) {
      return "tensor";
    }
    return path.startsWith("/") ? path.substring(1).replace('/', '.') : path;
  }

  private static Expected generated(String file) {
    return GeneratedFiles.all().stream().filter(e -> e.file().equals(file)).findFirst()
        .orElseThrow(() -> new AssertionError(file + " not in expected.jsonl; " + GeneratedFiles.HOW_TO_MAKE));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> byKey(Map<String, Object> line) {
    Map<String, Map<String, Object>> m = new LinkedHashMap<>();
    for (Object o : (List<Object>) line.get("tensors")) {
      Map<String, Object> t = (Map<String, Object>) o;
      m.put((String) t.get("key"), t);
    }
    return m;
  }

  private static Map<String, Map<String, Object>> expectedByKey(List<Map<String, Object>> tensors, boolean sha) {
    Map<String, Map<String, Object>> m = new LinkedHashMap<>();
    for (Map<String, Object> t : tensors) {
      Map<String, Object> o = new LinkedHashMap<>();
      for (String f : List.of("key", "dtype", "shape", "device", "requires_grad", "conj", "neg", "nbytes")) {
        o.put(f, t.get(f));
      }
      o.put("sha256", sha ? t.get("sha256") : null);
      m.put((String) t.get("key"), o);
    }
    return m;
  }
}
