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
 * Column pruning is proven twice: the bytes-read metric stays far below the pruned tensor's size,
 * and with the pruned tensor's storage made unreadable ({@link FailingRangeFileSystem}) the query
 * still succeeds, while selecting that tensor fails. The forbidden range spares the storage's first
 * 1 MiB + 64 KiB and last 64 KiB: the format reader serves reads of up to 64 KiB from a 1 MiB
 * read-ahead window (which may run into a following storage), and header reads fetch up to 64 KiB
 * (a zip's end of central directory is searched in the file's last 64 KiB). Both Hadoop read paths
 * are covered: positioned reads into ByteBuffers and into byte arrays.
 */
class PruningTest extends SparkTestSupport {

  private static final long HEAD_MARGIN = (1 << 20) + (64 << 10);
  private static final long TAIL_MARGIN = 64 << 10;

  private static StorageRef storage(String rel, String key) throws Exception {
    try (TensorFile f = TensorFile.open(Path.of(data(rel)))) {
      return f.tensor(key).storage();
    }
  }

  private static DataFrameReader reader(String rel, StorageRef forbidden, boolean byteBuffers) {
    String name = Path.of(data(rel)).getFileName().toString();
    long start = forbidden.dataOffset() + HEAD_MARGIN;
    long end = forbidden.dataOffset() + forbidden.byteLength() - TAIL_MARGIN;
    assertThat(end - start).as("forbidden range of %s", rel).isGreaterThan(forbidden.byteLength() / 2);
    return spark().read().format("torchtensor")
        .option("fs.failrange.impl", FailingRangeFileSystem.class.getName())
        .option("fs.failrange.impl.disable.cache", "true")
        .option("failrange.bytebuffer", String.valueOf(byteBuffers))
        .option("failrange.ranges", name + ":" + start + "-" + end);
  }

  private static String url(String rel) {
    return FailingRangeFileSystem.SCHEME + "://" + data(rel);
  }

  @ParameterizedTest
  @CsvSource({"big/big.pt,false", "big/big.pt,true", "safetensors_big/big.safetensors,false",
      "safetensors_big/big.safetensors,true"})
  void onlyRequestedTensorsAreRead(String rel, boolean byteBuffers) throws Exception {
    StorageRef x = storage(rel, "x");
    Dataset<Row> idx = reader(rel, x, byteBuffers).load(url(rel)).select("idx");
    List<Row> rows = idx.collectAsList();
    assertThat(Values.columnSha(rows, "idx"))
        .isEqualTo(expected("spark/" + rel).get("spark_sha256").get("idx").asText());
    assertThat(metric(idx, "bytesRead")).isLessThan(x.byteLength());
    // One tensor per opened file (a file split into row ranges is opened once per range).
    assertThat(metric(idx, "filesRead")).isGreaterThanOrEqualTo(1);
    assertThat(metric(idx, "tensorsRead")).isEqualTo(metric(idx, "filesRead"));

    Dataset<Row> count = reader(rel, x, byteBuffers).load(url(rel)).groupBy().count();
    assertThat(count.collectAsList().get(0).getLong(0)).isEqualTo(expected("spark/" + rel).get("nrows").asLong());
    assertThat(metric(count, "tensorsRead")).isZero();
    assertThat(metric(count, "bytesRead")).isLessThan(x.byteLength());

    Dataset<Row> both = reader(rel, x, byteBuffers).load(url(rel));
    assertThatThrownBy(both::collectAsList)
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("Cannot read torchtensor file failrange:")
        .hasMessageContaining(rel)
        .hasStackTraceContaining("touches forbidden");
  }

  @ParameterizedTest
  @CsvSource({"false", "true"})
  void keyAndShapeColumnsOfTheTensorsLayoutReadNoData(boolean byteBuffers) throws Exception {
    String rel = "big/big.pt";
    StorageRef x = storage(rel, "x");
    Dataset<Row> meta = reader(rel, x, byteBuffers).option("layout", "tensors").load(url(rel))
        .select("key", "shape", "dtype");
    assertThat(meta.collectAsList()).extracting(r -> r.getString(0)).containsExactly("x", "idx");
    assertThat(metric(meta, "bytesRead")).isLessThan(x.byteLength());
    assertThat(metric(meta, "tensorsRead")).isZero();
  }
}
