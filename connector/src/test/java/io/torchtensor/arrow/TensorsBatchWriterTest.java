package io.torchtensor.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

/** The tensors layout writer: metadata columns, and data bytes equal to a whole-tensor read. */
class TensorsBatchWriterTest {

  @Test
  void fillsEveryColumnAndFreesItsMemory() throws Exception {
    Path root = Paths.get(System.getProperty("torchtensor.testdata", "build/testdata"));
    Path ckpt = root.resolve("spark/checkpoint/ckpt.pt");
    assertThat(Files.isRegularFile(ckpt)).as("test files: run $(bin/python-env)/bin/python "
        + "testdata/make_testdata.py build/testdata").isTrue();
    List<Field> fields = new ArrayList<>();
    for (String c : TensorsLayout.COLUMNS) {
      fields.add(TensorsLayout.field(c));
    }
    try (RootAllocator allocator = new RootAllocator(Long.MAX_VALUE);
        TensorFile file = TensorFile.open(ckpt);
        TensorsBatchWriter w = new TensorsBatchWriter(fields, allocator)) {
      List<TensorInfo> tensors = file.tensors();
      for (int round = 0; round < 2; round++) {
        w.fill(file, "p", tensors);
        VarCharVector keys = (VarCharVector) w.vectors().get(1);
        ListVector shapes = (ListVector) w.vectors().get(3);
        BitVector grad = (BitVector) w.vectors().get(5);
        VarBinaryVector data = (VarBinaryVector) w.vectors().get(6);
        for (int i = 0; i < tensors.size(); i++) {
          TensorInfo t = tensors.get(i);
          assertThat(new String(keys.get(i), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(t.key());
          assertThat(new ArrayList<Object>(shapes.getObject(i))).containsExactlyElementsOf(
              java.util.Arrays.stream(t.shape()).boxed().toList());
          assertThat(grad.get(i) == 1).isEqualTo(t.requiresGrad());
          java.nio.ByteBuffer whole = java.nio.ByteBuffer.allocate((int) t.nbytes());
          file.read(t, whole);
          assertThat(data.get(i)).isEqualTo(whole.array());
        }
      }
    }
  }

  @Test
  void refusesForeignFields() {
    try (RootAllocator allocator = new RootAllocator(Long.MAX_VALUE)) {
      assertThatThrownBy(() -> new TensorsBatchWriter(List.of(TensorFields.string("data")), allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a tensors-layout field: data");
    }
  }
}
