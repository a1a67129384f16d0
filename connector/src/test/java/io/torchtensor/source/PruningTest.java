package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.StorageRef;
import io.torchtensor.format.TensorFile;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Column pruning is proven twice: the bytes-read metric stays below the pruned tensor's size, and
 * with the pruned tensor's storage made unreadable ({@link FailingRangeFileSystem}) the query still
 * succeeds, while selecting that tensor fails. Both Hadoop read paths are covered: positioned reads
 * into ByteBuffers and into byte arrays.
 */
class PruningTest extends SparkTestSupport {

  private static StorageRef storage(String rel, String key) throws Exception {
    try (TensorFile f = TensorFile.open(Path.of(data(rel)))) {
      return f.tensor(key).storage();
    }
  }

  private static DataFrameReader reader(String rel, StorageRef forbidden, boolean byteBuffers) {
    String name = Path.of(data(rel)).getFileName().toString();
    return spark().read().format("torchtensor")
        .option("fs.failrange.impl", FailingRangeFileSystem.class.getName())
        .option("fs.failrange.impl.disable.cache", "true")
        .option("failrange.bytebuffer", String.valueOf(byteBuffers))
        .option("failrange.ranges", name + ":" + forbidden.dataOffset() + "-"
            + (forbidden.dataOffset() + forbidden.byteLength()));
  }

  private static String url(String rel) {
    return FailingRangeFileSystem.SCHEME + "://" + data(rel);
  }

  @ParameterizedTest
  @CsvSource({"shards/part-3.pt,false", "shards/part-3.pt,true", "safetensors/part-1.safetensors,false",
      "safetensors/part-1.safetensors,true"})
  void onlyRequestedTensorsAreRead(String rel, boolean byteBuffers) throws Exception {
    StorageRef features = storage(rel, "features");
    Dataset<Row> labels = reader(rel, features, byteBuffers).load(url(rel)).select("labels");
    List<Row> rows = labels.collectAsList();
    assertThat(Values.columnSha(rows, "labels"))
        .isEqualTo(expected("spark/" + rel).get("spark_sha256").get("labels").asText());
    assertThat(metric(labels, "bytesRead")).isLessThan(features.byteLength());
    assertThat(metric(labels, "tensorsRead")).isEqualTo(1);
    assertThat(metric(labels, "filesRead")).isEqualTo(1);

    Dataset<Row> count = reader(rel, features, byteBuffers).load(url(rel)).groupBy().count();
    assertThat(count.head().getLong(0)).isEqualTo(expected("spark/" + rel).get("nrows").asLong());
    assertThat(metric(count, "tensorsRead")).isZero();

    Dataset<Row> both = reader(rel, features, byteBuffers).load(url(rel));
    assertThatThrownBy(both::collectAsList)
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("Cannot read torchtensor file failrange:")
        .hasMessageContaining(rel)
        .hasStackTraceContaining("touches forbidden");
  }

  @ParameterizedTest
  @CsvSource({"false", "true"})
  void keyAndShapeColumnsOfTheTensorsLayoutReadNoData(boolean byteBuffers) throws Exception {
    String rel = "shards/part-2.pt";
    StorageRef features = storage(rel, "features");
    Dataset<Row> meta = reader(rel, features, byteBuffers).option("layout", "tensors").load(url(rel))
        .select("key", "shape", "dtype");
    assertThat(meta.collectAsList()).extracting(r -> r.getString(0)).containsExactly("features", "labels");
    assertThat(metric(meta, "bytesRead")).isLessThan(features.byteLength());
  }
}
