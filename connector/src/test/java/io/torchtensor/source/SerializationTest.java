package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchtensor.format.TensorFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** What travels to executors survives Java serialization, as on a real cluster. */
class SerializationTest {

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  @Test
  void readSpecAndPartitionsTravel() throws Exception {
    ReadSpec spec = new ReadSpec(false, "{\"type\":\"struct\",\"fields\":[]}", new KeyFilter(List.of("enc*")),
        128, 1 << 20, false, true, true, 10, "{\"type\":\"struct\",\"fields\":[]}");
    ReadSpec back = roundTrip(spec);
    assertThat(back.schemaJson()).isEqualTo(spec.schemaJson());
    assertThat(back.keys().accepts("encoder.0.weight")).isTrue();
    assertThat(back.keys().accepts("decoder")).isFalse();
    assertThat(back.limit()).isEqualTo(10);
    assertThat(roundTrip(KeyFilter.exact(List.of("a*"))).accepts("ab")).isFalse();

    TorchTensorInputPartition p = new TorchTensorInputPartition(3,
        new FileSlice[] {new FileSlice("hdfs://nn/x.pt", 100, 50, 50, new String[] {"h1"})});
    TorchTensorInputPartition q = roundTrip(p);
    assertThat(q.index()).isEqualTo(3);
    assertThat(q.slices()[0].firstRow(10)).isEqualTo(5);
    assertThat(q.preferredLocations()).containsExactly("h1");
  }

  @Test
  void hadoopConfAndHeaderErrorsTravel() throws Exception {
    Configuration conf = new Configuration(false);
    conf.set("fs.s3a.endpoint", "http://minio:9000");
    assertThat(roundTrip(new SerializableHadoopConf(conf)).get().get("fs.s3a.endpoint")).isEqualTo("http://minio:9000");
    HeaderReader.FileHeader h = new HeaderReader.FileHeader("p", null, -1,
        new TensorFormatException(TensorFormatException.Reason.BAD_ZIP, "p", "no end record"));
    assertThat(((TensorFormatException) roundTrip(h).error()).reason()).isEqualTo(TensorFormatException.Reason.BAD_ZIP);
  }
}
