package io.torchtensor.format.pickle;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fixtures' MANIFEST.tsv: file name → structure description printed by tools/analyze.py. */
final class Manifest {

  private Manifest() {
  }

  static Map<String, String> structures() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(Fixtures.shared().resolve("MANIFEST.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] cols = line.split("\t", -1);
      out.put(cols[0], cols[cols.length - 1]);
    }
    return out;
  }

  static List<String> filesOfKind(String kind) throws IOException {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : structures().entrySet()) {
      if (e.getValue().startsWith(kind + " ")) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** A tensor as analyze.py prints it: {@code Tensor[float32] size=(2, 3) stride=(3, 1) offset=0 key=0 numel=6 loc=cpu}. */
  static String describe(PickledTensor t) {
    return "Tensor[" + t.dtype().torchName() + "] size=" + tuple(t.shape()) + " stride=" + tuple(t.strides())
        + " offset=" + t.storageOffset() + " key=" + t.storage().key() + " numel=" + t.storage().numel()
        + " loc=" + t.storage().location();
  }

  private static final java.util.regex.Pattern TENSOR = java.util.regex.Pattern.compile(
      "Tensor\\[[^\\]]+\\] size=\\([^)]*\\) stride=\\([^)]*\\) offset=\\d+ key=\\S+ numel=\\d+ loc=\\S+");

  /**
   * Checks a parse against the structure analyze.py printed: every tensor it lists is among ours, and
   * when its listing is complete (not cut with "..."), every plain tensor of ours is in it.
   */
  static void assertAgrees(String file, String structure, java.util.List<PickledTensor> tensors) {
    java.util.List<String> ours = new ArrayList<>();
    for (PickledTensor t : tensors) {
      ours.add(describe(t));
    }
    java.util.regex.Matcher m = TENSOR.matcher(structure);
    int listed = 0;
    while (m.find()) {
      org.assertj.core.api.Assertions.assertThat(ours).as(file).contains(m.group());
      listed++;
    }
    if (structure.contains("storages=0 ")) {
      org.assertj.core.api.Assertions.assertThat(tensors).as(file + " has no storage").isEmpty();
    } else {
      org.assertj.core.api.Assertions.assertThat(listed).as(file + " lists tensors").isPositive();
    }
    if (!structure.contains("...")) {
      for (PickledTensor t : tensors) {
        if (t.attributes().isEmpty()) {
          org.assertj.core.api.Assertions.assertThat(structure).as(file + " " + t.key()).contains(describe(t));
        }
      }
    }
  }

  static String tuple(long[] v) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(v[i]);
    }
    return sb.append(v.length == 1 ? ",)" : ")").toString();
  }
}
