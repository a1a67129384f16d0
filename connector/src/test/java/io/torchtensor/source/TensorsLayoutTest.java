package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The tensors layout: one row per tensor, every column compared with what torch recorded. */
class TensorsLayoutTest extends SparkTestSupport {

  private static Dataset<Row> load(String rel) {
    return spark().read().format("torchtensor").option("layout", "tensors").load(data(rel));
  }

  @Test
  void schemaIsTheDocumentedOne() {
    StructType s = load("checkpoint").schema();
    assertThat(s.fieldNames()).containsExactly("path", "key", "dtype", "shape", "device", "requires_grad", "data");
    assertThat(s.apply("shape").dataType()).isEqualTo(DataTypes.createArrayType(DataTypes.LongType, false));
    assertThat(s.apply("requires_grad").dataType()).isEqualTo(DataTypes.BooleanType);
    assertThat(s.apply("data").dataType()).isEqualTo(DataTypes.BinaryType);
  }

  @Test
  void checkpointRowsMatchTorch() {
    assertRowsMatchTorch("checkpoint/ckpt.pt", load("checkpoint").collectAsList());
  }

  @Test
  void everyDtypeAsBytesMatchesTorch() {
    assertRowsMatchTorch("dtypes/all.pt", load("dtypes").collectAsList());
    assertRowsMatchTorch("quantized/q.pt", load("quantized").collectAsList());
  }

  @Test
  void cudaTensorsShowWhereTheyWereSaved() {
    List<Row> rows = load("cuda/part-0.pt").select("key", "device").collectAsList();
    assertThat(rows).extracting(r -> r.getString(1)).containsOnly("cuda:0");
    assertRowsMatchTorch("cuda/part-0.pt", load("cuda/part-0.pt").collectAsList());
  }

  @Test
  void keysOptionFiltersRows() {
    List<Row> rows = spark().read().format("torchtensor").option("layout", "tensors").option("keys", "model.*")
        .load(data("checkpoint")).select("key").collectAsList();
    assertThat(rows).extracting(r -> r.getString(0)).containsExactly("model.w", "model.b");
  }

  @Test
  void smallBatchesKeepEveryTensor() {
    Dataset<Row> df = spark().read().format("torchtensor").option("layout", "tensors").option("batchRows", "1")
        .option("batchBytes", "1").load(data("dtypes"));
    assertRowsMatchTorch("dtypes/all.pt", df.collectAsList());
    assertThat(metric(df, "batches")).isEqualTo(expected("spark/dtypes/all.pt").get("tensors").size());
  }

  @Test
  void countAndMetadataColumnsReadNoTensorBytes() {
    Dataset<Row> meta = load("shards").select("key", "shape");
    List<Row> rows = meta.collectAsList();
    assertThat(rows).hasSize(8);
    long metaBytes = metric(meta, "bytesRead");
    Dataset<Row> all = load("shards");
    all.collectAsList();
    long dataBytes = 0;
    for (int i = 0; i < 4; i++) {
      dataBytes += expectedTensor("spark/shards/part-" + i + ".pt", "features").get("nbytes").asLong();
    }
    assertThat(metric(all, "bytesRead") - metaBytes).isGreaterThanOrEqualTo(dataBytes);
    assertThat(metric(meta, "tensorsRead")).isZero();
    assertThat(metric(all, "tensorsRead")).isEqualTo(8);
    Dataset<Row> count = load("shards").groupBy().count();
    assertThat(count.collectAsList().get(0).getLong(0)).isEqualTo(8);
    assertThat(metric(count, "bytesRead")).isEqualTo(metaBytes);
  }

  static void assertRowsMatchTorch(String rel, List<Row> rows) {
    JsonNode exp = expected("spark/" + rel);
    List<String> keys = new ArrayList<>();
    for (JsonNode t : exp.get("tensors")) {
      keys.add(t.get("key").asText());
    }
    assertThat(rows).extracting(r -> r.<String>getAs("key")).containsExactlyElementsOf(keys);
    for (Row r : rows) {
      JsonNode t = expectedTensor("spark/" + rel, r.getAs("key"));
      String key = r.getAs("key");
      assertThat(r.<String>getAs("path")).as(key).endsWith(rel);
      assertThat(r.<String>getAs("dtype")).as(key).isEqualTo(t.get("dtype").asText());
      List<Long> shape = new ArrayList<>();
      t.get("shape").forEach(d -> shape.add(d.asLong()));
      assertThat(r.<Object>getList(r.fieldIndex("shape"))).as(key).containsExactlyElementsOf(shape);
      assertThat(r.<String>getAs("device")).as(key).isEqualTo(t.get("device").asText());
      assertThat(r.<Boolean>getAs("requires_grad")).as(key).isEqualTo(t.get("requires_grad").asBoolean());
      byte[] data = r.getAs("data");
      assertThat(data.length).as(key).isEqualTo(t.get("nbytes").asInt());
      assertThat(Values.sha256(data)).as(key).isEqualTo(t.get("sha256").asText());
    }
  }
}
