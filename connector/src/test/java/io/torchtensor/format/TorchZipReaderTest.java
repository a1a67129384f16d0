package io.torchtensor.format;

import static io.torchtensor.format.TestFiles.ascii;
import static io.torchtensor.format.TestFiles.tensorPickle;
import static io.torchtensor.format.TestFiles.zip;
import static org.assertj.core.api.Assertions.assertThat;

import io.torchtensor.format.TestFiles.Rec;
import io.torchtensor.format.TestFiles.T;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-built torch zips: read counts when indexing, and the byteorder record. */
class TorchZipReaderTest {

  @Test
  void manySmallStoragesAreLocatedWithAFewReads() throws IOException {
    Map<String, T> tensors = new LinkedHashMap<>();
    List<Rec> recs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      tensors.put("layer" + i + ".bias", new T("FloatStorage", Integer.toString(i), 4, 0, new long[] {4}, new long[] {1}));
    }
    recs.add(new Rec("m/data.pkl", tensorPickle(tensors, false)));
    for (int i = 0; i < 500; i++) {
      recs.add(new Rec("m/data/" + i, TestFiles.floats(i, i + 1, i + 2, i + 3)));
    }
    CountingInput in = new CountingInput("z.pt", zip(recs));
    try (TensorFile f = TensorFile.open(in)) {
      // Both ends of the file are read once and the local headers in between in 64 KiB windows; one
      // read per record would be 500.
      assertThat(in.reads).as("reads to open").isLessThanOrEqualTo(4);
      ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      f.read(f.tensor("layer321.bias"), b);
      assertThat(b.getFloat(12)).isEqualTo(324f);
      assertThat(f.tensors()).allSatisfy(t -> assertThat(t.storage().dataOffset() % 64).isZero());
    }
  }

  @Test
  void aSmallArchiveOpensWithOneRead() throws IOException {
    Map<String, T> one = new LinkedHashMap<>();
    one.put("x", new T("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}));
    CountingInput in = new CountingInput("z.pt", zip(List.of(new Rec("a/data.pkl", tensorPickle(one, false)),
        new Rec("a/byteorder", ascii("little")), new Rec("a/data/0", TestFiles.floats(1, 2)))));
    try (TensorFile f = TensorFile.open(in)) {
      assertThat(in.reads).as("reads to open").isEqualTo(1);
      assertThat(f.tensor("x").storage().byteLength()).isEqualTo(8);
    }
  }

  @Test
  void bigEndianStoragesAreSwappedOnRead() throws IOException {
    Map<String, T> one = new LinkedHashMap<>();
    one.put("x", new T("DoubleStorage", "0", 2, 0, new long[] {2}, new long[] {1}));
    ByteBuffer be = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(1.5).putDouble(-2.25);
    byte[] f = zip(List.of(new Rec("a/data.pkl", tensorPickle(one, false)), new Rec("a/byteorder", ascii("big")),
        new Rec("a/data/0", be.array())));
    try (TensorFile t = TensorFile.open(new ByteArrayInput("be.pt", f))) {
      TensorInfo x = t.tensor("x");
      assertThat(x.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
      ByteBuffer out = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      t.read(x, out);
      assertThat(new double[] {out.getDouble(0), out.getDouble(8)}).containsExactly(1.5, -2.25);
    }
  }

  @Test
  void zip64ExtraFieldsAndTrailingBytesAreRead() throws IOException {
    Map<String, T> one = new LinkedHashMap<>();
    one.put("x", new T("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}));
    byte[] f = zip(List.of(new Rec("a/data.pkl", tensorPickle(one, false)), new Rec("a/data/0", TestFiles.floats(3f, 4f))),
        true);
    // bytes after the end record are tolerated, as torch's reader (miniz) tolerates them
    byte[] padded = java.util.Arrays.copyOf(f, f.length + 100);
    for (byte[] bytes : List.of(f, padded)) {
      try (TensorFile t = TensorFile.open(new ByteArrayInput("z64.pt", bytes))) {
        ByteBuffer out = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        t.read(t.tensor("x"), out);
        assertThat(new float[] {out.getFloat(0), out.getFloat(4)}).containsExactly(3f, 4f);
      }
    }
  }

  @Test
  void withoutAByteorderRecordStoragesAreLittleEndian() throws IOException {
    Map<String, T> one = new LinkedHashMap<>();
    one.put("x", new T("FloatStorage", "0", 1, 0, new long[] {}, new long[] {}));
    byte[] f = zip(List.of(new Rec("archive/data.pkl", tensorPickle(one, false)),
        new Rec("archive/data/0", TestFiles.floats(7f)), new Rec("archive/version", ascii("3\n"))));
    try (TensorFile t = TensorFile.open(new ByteArrayInput("le.pt", f))) {
      assertThat(t.tensor("x").byteOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer out = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      t.read(t.tensor("x"), out);
      assertThat(out.getFloat(0)).isEqualTo(7f);
    }
  }
}
