package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Schema from headers: agreement between files, mergeSchema, user schemas, the rows layout's rules. */
class SchemaInferenceTest extends SparkTestSupport {

  private static Dataset<Row> load(String rel) {
    return spark().read().format("torchtensor").load(data(rel));
  }

  @Test
  void filesWithDifferentKeysAreNamed() {
    assertThatThrownBy(() -> load("disagree_keys"))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("torchtensor files disagree on their tensors")
        .hasMessageContaining("disagree_keys/a.pt has [x, y]")
        .hasMessageContaining("disagree_keys/b.pt has [x, z]")
        .hasMessageContaining("mergeSchema=true");
  }

  @Test
  void filesWithDifferentDtypesAreNamedEvenWhenMerging() {
    for (String merge : new String[] {"false", "true"}) {
      assertThatThrownBy(() -> spark().read().format("torchtensor").option("mergeSchema", merge)
          .load(data("disagree_dtype")))
          .isInstanceOf(TorchTensorSchemaException.class)
          .hasMessageContaining("disagree on column x")
          .hasMessageContaining("disagree_dtype/a.pt has float32 [2] per row")
          .hasMessageContaining("disagree_dtype/b.pt has float64 [2] per row");
    }
  }

  @Test
  void filesWithDifferentRowShapesAreNamed() {
    assertThatThrownBy(() -> load("disagree_shape"))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("disagree_shape/a.pt has float32 [2] per row")
        .hasMessageContaining("disagree_shape/b.pt has float32 [5] per row");
  }

  @Test
  void mergeSchemaReadsTheUnionWithNulls() {
    Dataset<Row> df = spark().read().format("torchtensor").option("mergeSchema", "true").load(data("disagree_keys"));
    StructType s = df.schema();
    assertThat(s.fieldNames()).containsExactly("x", "y", "z");
    assertThat(s.apply("x").nullable()).isFalse();
    assertThat(s.apply("y").nullable()).isTrue();
    assertThat(s.apply("z").nullable()).isTrue();
    List<Row> rows = df.collectAsList();
    assertThat(rows).hasSize(7);
    assertThat(rows.stream().filter(r -> r.isNullAt(1)).count()).isEqualTo(3);
    assertThat(rows.stream().filter(r -> r.isNullAt(2)).count()).isEqualTo(4);
    assertThat(rows.stream().filter(r -> !r.isNullAt(1)).map(r -> r.getLong(1))).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
    assertThat(rows.stream().filter(r -> !r.isNullAt(2)).map(r -> r.getLong(2))).containsExactlyInAnyOrder(0L, 1L, 2L);
    assertThat(df.where("z is null").select("x").collectAsList())
        .extracting(r -> r.getList(0).size()).containsOnly(2);
  }

  @Test
  void differentLeadingDimensionsSuggestKeysOrTensorsLayout() {
    assertThatThrownBy(() -> load("leading"))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("leading/mixed.pt: tensors have different leading dimensions (a has 10 rows, b has 7")
        .hasMessageContaining("option keys")
        .hasMessageContaining("layout=tensors");
    assertThat(spark().read().format("torchtensor").option("keys", "a").load(data("leading")).count()).isEqualTo(10);
    assertThat(spark().read().format("torchtensor").option("layout", "tensors").load(data("leading")).count())
        .isEqualTo(2);
  }

  @Test
  void zeroDimensionalTensorsHaveNoRows() {
    assertThatThrownBy(() -> load("checkpoint"))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("checkpoint/ckpt.pt: tensor step is 0-dimensional");
  }

  @Test
  void keysThatMatchNothingAreNamed() {
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("keys", "nothing*").load(data("shards")))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("no tensor matches keys 'nothing*'")
        .hasMessageContaining("[features, labels]");
  }

  @Test
  void userSchemaSubsetIsRead() {
    Dataset<Row> df = spark().read().format("torchtensor").schema("labels bigint").load(data("shards/part-1.pt"));
    assertThat(df.columns()).containsExactly("labels");
    assertThat(Values.columnSha(df.collectAsList(), "labels"))
        .isEqualTo(expected("spark/shards/part-1.pt").get("spark_sha256").get("labels").asText());
    Dataset<Row> missing = spark().read().format("torchtensor").schema("labels bigint, extra float")
        .load(data("shards/part-1.pt"));
    assertThat(missing.where("extra is null").count()).isEqualTo(17);
  }

  @Test
  void userSchemaWithAnotherTypeIsNamed() {
    Dataset<Row> df = spark().read().format("torchtensor").schema("labels int").load(data("shards/part-1.pt"));
    assertThatThrownBy(df::collectAsList)
        .hasMessageContaining("column labels: file ")
        .hasMessageContaining("part-1.pt has int64 [] per row, read as bigint, but the schema asks for int");
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("layout", "tensors")
        .schema("key int").load(data("shards")))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("column key int is not a tensors-layout column");
  }

  private static StructType withMetadata(String name, String dtype, String shape) {
    return new StructType().add(name, DataTypes.createArrayType(DataTypes.FloatType, false), true,
        new MetadataBuilder().putString("torchtensor.dtype", dtype).putString("torchtensor.shape", shape).build());
  }

  @Test
  void userSchemaMetadataIsChecked() {
    String part = data("shards/part-1.pt");
    assertThatThrownBy(() -> spark().read().format("torchtensor").schema(withMetadata("features", "float16", "[3,8,8]"))
        .load(part).collectAsList())
        .hasMessageContaining("column features: the schema holds float16 [3,8,8] per row, file ")
        .hasMessageContaining("part-1.pt has float32 [3,8,8] per row");
    assertThatThrownBy(() -> spark().read().format("torchtensor").schema(withMetadata("features", "float7", "[3,8,8]"))
        .load(part).collectAsList())
        .hasMessageContaining("column features: unknown torchtensor.dtype 'float7' in schema metadata");
    assertThatThrownBy(() -> spark().read().format("torchtensor").schema(withMetadata("features", "float32", "3x8x8"))
        .load(part).collectAsList())
        .hasMessageContaining("column features: torchtensor.shape must be a JSON list, got 3x8x8");
    assertThat(spark().read().format("torchtensor").schema(withMetadata("features", "float32", "[3,8,8]"))
        .load(part).count()).isEqualTo(17);
  }

  @Test
  void userSchemaColumnsAFileLacks() {
    String part = data("shards/part-1.pt");
    assertThatThrownBy(() -> spark().read().format("torchtensor").schema("labels bigint, extra float not null")
        .load(part).collectAsList())
        .hasMessageContaining("has no tensor extra for non-nullable column extra; set option mergeSchema=true"
            + " or make the column nullable");
    assertThatThrownBy(() -> spark().read().format("torchtensor").schema("labels bigint, name string")
        .load(part).collectAsList())
        .hasMessageContaining("column name: type string cannot hold a tensor");
  }

  @Test
  void manyFilesAreInferredByASparkJobWithTheSameResults() {
    StructType local = load("shards").schema();
    spark().conf().set("spark.sql.sources.parallelPartitionDiscovery.threshold", "1");
    try {
      assertThat(load("shards").schema()).isEqualTo(local);
      assertThat(load("shards").count()).isEqualTo(119);
      assertThatThrownBy(() -> load("disagree_keys"))
          .isInstanceOf(TorchTensorSchemaException.class)
          .hasMessageContaining("disagree_keys/b.pt has [x, z]");
      assertThatThrownBy(() -> load("corrupt"))
          .isInstanceOf(org.apache.spark.SparkException.class)
          .hasMessageContaining("Cannot read torchtensor file")
          .hasMessageContaining("corrupt/bad.pt")
          .hasRootCauseInstanceOf(io.torchtensor.format.TensorFormatException.class);
      assertThat(spark().read().format("torchtensor").option("mode", "DROPMALFORMED").load(data("corrupt")).count())
          .isEqualTo(5);
    } finally {
      spark().conf().unset("spark.sql.sources.parallelPartitionDiscovery.threshold");
    }
  }

  @Test
  void headersAloneGiveTheSchema() {
    Dataset<Row> df = spark().read().format("torchtensor").option("keys", "x")
        .option("fs.failrange.impl", FailingRangeFileSystem.class.getName())
        .option("fs.failrange.impl.disable.cache", "true")
        .option("failrange.ranges", "big.pt:200000-2400000")
        .load(FailingRangeFileSystem.SCHEME + "://" + data("big"));
    assertThat(df.schema().apply("x").metadata().getString("torchtensor.shape")).isEqualTo("[61]");
  }
}
