package io.torchtensor.python;

import io.torchtensor.source.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM side of the Python hand-off against Spark's own answer: the IPC files and the column files
 * hold exactly the rows {@code collect()} returns, in partition order; other plans are refused with
 * the reason. Uses the Python helper's test shards ({@code build/testdata/python/shards}: 4 files of
 * {@code features} float32 [n, 3, 8, 8] and {@code labels} int64 [n], 100 rows).
 */
class ArrowHandoffTest {
  private static SparkSession spark;
  private static String shards;

  @BeforeAll
  static void start() {
    Path root = SparkTestSupport.testdata("python/shards");
    shards = root.resolve("python/shards").toString();
    spark = SparkTestSupport.spark(); // local[2], AQE off: executed plans keep their scan node
  }

  private static Dataset<Row> shards() {
    return spark.read().format("torchtensor").load(shards);
  }

  @Test
  void ipcFilesHoldTheRowsOfCollectInPartitionOrder(@TempDir Path dir) throws Exception {
    Dataset<Row> df = shards().select("labels", "features");
    JsonNode answer = new ObjectMapper().readTree(ArrowHandoff.write(df, dir.toString()));
    assertThat(answer.get("fast").asBoolean()).isTrue();
    assertThat(answer.get("columns").toString()).isEqualTo("[\"labels\",\"features\"]");

    List<Long> labels = new ArrayList<>();
    List<Float> firstFeature = new ArrayList<>();
    try (RootAllocator allocator = new RootAllocator()) {
      for (JsonNode f : answer.get("files")) {
        try (FileInputStream in = new FileInputStream(f.get("path").asText());
             ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
          while (reader.loadNextBatch()) {
            BigIntVector l = (BigIntVector) reader.getVectorSchemaRoot().getVector(0);
            ListVector feats = (ListVector) reader.getVectorSchemaRoot().getVector(1);
            Float4Vector values = (Float4Vector) feats.getDataVector();
            for (int i = 0; i < l.getValueCount(); i++) {
              labels.add(l.get(i));
              firstFeature.add(values.get(feats.getElementStartIndex(i)));
            }
          }
        }
      }
    }
    List<Row> rows = df.collectAsList();
    assertThat(labels).hasSize(100).isEqualTo(rows.stream().map(r -> r.getLong(0)).toList());
    assertThat(firstFeature).isEqualTo(rows.stream().map(r -> r.<Float>getList(1).get(0)).toList());
  }

  @Test
  void columnFilesAreTheArraysOfCollect(@TempDir Path dir) throws Exception {
    Dataset<Row> df = shards().limit(57);
    JsonNode answer = new ObjectMapper().readTree(ArrowHandoff.writeColumns(df, dir.toString()));
    assertThat(answer.get("mode").asText()).isEqualTo("columns");
    assertThat(answer.get("rows").asLong()).isEqualTo(57);
    List<Row> rows = shards().collectAsList().subList(0, 57);
    int features = df.schema().fieldIndex("features");
    int labels = df.schema().fieldIndex("labels");
    JsonNode[] cols = {answer.get("columns").get(features), answer.get("columns").get(labels)};
    assertThat(cols[0].get("row_bytes").asLong()).isEqualTo(3 * 8 * 8 * 4);
    ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(Paths.get(cols[0].get("path").asText())))
        .order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer l = ByteBuffer.wrap(Files.readAllBytes(Paths.get(cols[1].get("path").asText())))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(f.capacity()).isEqualTo(57 * 192 * 4);
    for (int r = 0; r < 57; r++) {
      assertThat(l.getLong(r * 8)).isEqualTo(rows.get(r).getLong(labels));
      List<Float> want = rows.get(r).getList(features);
      for (int v = 0; v < 192; v += 37) {
        assertThat(f.getFloat((r * 192 + v) * 4)).isEqualTo(want.get(v));
      }
    }
  }

  @Test
  void otherPlansAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
    String filtered = ArrowHandoff.write(shards().where("labels > 3"), dir.toString());
    assertThat(filtered).contains("\"fast\": false").contains("not a plain torchtensor scan").contains("Filter");
    String computed = ArrowHandoff.writeColumns(shards().selectExpr("labels + 1 AS l"), dir.toString());
    assertThat(computed).contains("\"fast\": false").contains("the projection computes l");
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}
