package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The rows layout on torch-written files: schema, metadata and every value, compared with torch. */
class RowsLayoutTest extends SparkTestSupport {

  private static Dataset<Row> load(String rel) {
    return spark().read().format("torchtensor").load(data(rel));
  }

  /** Every column of a one-file table has the values torch recorded (SHA-256 of the Spark values). */
  private static void assertValuesMatchTorch(String rel) {
    Dataset<Row> df = load(rel);
    List<Row> rows = df.collectAsList();
    JsonNode exp = expected("spark/" + rel);
    assertThat(rows).hasSize(exp.get("nrows").asInt());
    Iterator<Map.Entry<String, JsonNode>> it = exp.get("spark_sha256").properties().iterator();
    List<String> checked = new ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      assertThat(Values.columnSha(rows, e.getKey())).as("values of column %s of %s", e.getKey(), rel)
          .isEqualTo(e.getValue().asText());
      checked.add(e.getKey());
    }
    assertThat(df.columns()).containsExactlyInAnyOrderElementsOf(checked);
  }

  @Test
  void shardSchemaHasTypesAndTensorMetadata() {
    StructType s = load("shards").schema();
    assertThat(s.fieldNames()).containsExactly("features", "labels");
    StructField f = s.apply("features");
    assertThat(f.dataType()).isEqualTo(DataTypes.createArrayType(DataTypes.FloatType, false));
    assertThat(f.nullable()).isFalse();
    assertThat(f.metadata().getString("torchtensor.dtype")).isEqualTo("float32");
    assertThat(f.metadata().getString("torchtensor.shape")).isEqualTo("[3,8,8]");
    StructField l = s.apply("labels");
    assertThat(l.dataType()).isEqualTo(DataTypes.LongType);
    assertThat(l.metadata().getString("torchtensor.dtype")).isEqualTo("int64");
    assertThat(l.metadata().getString("torchtensor.shape")).isEqualTo("[]");
  }

  @Test
  void folderOfShardsHasEveryRow() {
    assertThat(load("shards").count()).isEqualTo(5 + 17 + 33 + 64);
  }

  @Test
  void eachShardMatchesTorch() {
    for (int i = 0; i < 4; i++) {
      assertValuesMatchTorch("shards/part-" + i + ".pt");
    }
  }

  @Test
  void everyDtypeMatchesTorch() {
    assertValuesMatchTorch("dtypes/all.pt");
  }

  @Test
  void everyDtypeHasItsSparkTypeAndMetadata() {
    StructType s = load("dtypes").schema();
    Object[][] cases = {
        {"f32", "float32", "[3]", arr(DataTypes.FloatType)},
        {"f64", "float64", "[]", DataTypes.DoubleType},
        {"f16", "float16", "[2,2]", arr(DataTypes.FloatType)},
        {"bf16", "bfloat16", "[5]", arr(DataTypes.FloatType)},
        {"f8e4m3fn", "float8_e4m3fn", "[4]", arr(DataTypes.FloatType)},
        {"f8e5m2", "float8_e5m2", "[4]", arr(DataTypes.FloatType)},
        {"f8e4m3fnuz", "float8_e4m3fnuz", "[4]", arr(DataTypes.FloatType)},
        {"f8e5m2fnuz", "float8_e5m2fnuz", "[4]", arr(DataTypes.FloatType)},
        {"f8e8m0", "float8_e8m0fnu", "[4]", arr(DataTypes.FloatType)},
        {"i8", "int8", "[3]", arr(DataTypes.ByteType)},
        {"i16", "int16", "[]", DataTypes.ShortType},
        {"i32", "int32", "[2]", arr(DataTypes.IntegerType)},
        {"i64", "int64", "[]", DataTypes.LongType},
        {"u8", "uint8", "[3]", arr(DataTypes.ShortType)},
        {"u16", "uint16", "[2]", arr(DataTypes.IntegerType)},
        {"u32", "uint32", "[]", DataTypes.LongType},
        {"u64", "uint64", "[2]", arr(DataTypes.LongType)},
        {"b", "bool", "[3]", arr(DataTypes.BooleanType)},
        {"c64", "complex64", "[2]", arr(DataTypes.FloatType)},
        {"c128", "complex128", "[]", arr(DataTypes.DoubleType)},
        {"c32", "complex32", "[3]", arr(DataTypes.FloatType)},
    };
    for (Object[] c : cases) {
      StructField f = s.apply((String) c[0]);
      assertThat(f.metadata().getString("torchtensor.dtype")).as(f.name()).isEqualTo(c[1]);
      assertThat(f.metadata().getString("torchtensor.shape")).as(f.name()).isEqualTo(c[2]);
      assertThat(f.dataType()).as(f.name()).isEqualTo(c[3]);
    }
  }

  @Test
  void complexScalarColumnIsAnArrayOfTwo() {
    Row r = load("dtypes").select("c128").head();
    assertThat(r.getList(0)).hasSize(2);
    JsonNode first = expectedTensor("spark/dtypes/all.pt", "c128").get("first").get(0);
    assertThat(r.getList(0)).containsExactly(first.get(0).asDouble(), first.get(1).asDouble());
  }

  @Test
  void e8m0NaNByteIsTorchsOwnFloatNaN() {
    // Rows 0, 5, 10, ... hold 0xFF in the second value: torch's float of it is 0x7F800001.
    List<Row> rows = load("dtypes").select("f8e8m0").collectAsList();
    for (int i = 0; i < rows.size(); i++) {
      float v = rows.get(i).<Float>getList(0).get(1);
      if (i % 5 == 0) {
        assertThat(Float.floatToRawIntBits(v)).as("row %d", i).isEqualTo(0x7F800001);
      } else {
        assertThat(v).as("row %d: a positive power of two", i).isPositive().isEqualTo(Math.scalb(1f, Math.getExponent(v)));
      }
    }
  }

  @Test
  void quantizedColumnsHoldTheirIntegerValues() {
    assertValuesMatchTorch("quantized/q.pt");
    StructType s = load("quantized").schema();
    assertThat(s.apply("q8").dataType()).isEqualTo(arr(DataTypes.ByteType));
    assertThat(s.apply("qu8").dataType()).isEqualTo(arr(DataTypes.ShortType));
    assertThat(s.apply("q32").dataType()).isEqualTo(arr(DataTypes.IntegerType));
  }

  @Test
  void nestedKeysAreDotJoinedColumnNames() {
    assertThat(load("nested").columns()).containsExactly("a.b", "a.c", "lst.0");
    assertValuesMatchTorch("nested/n.pt");
  }

  @Test
  void rootTensorIsColumnTensor() {
    assertThat(load("root").columns()).containsExactly("tensor");
    assertValuesMatchTorch("root/root.pt");
  }

  @Test
  void safetensorsShardsMatchTorch() {
    assertThat(load("safetensors").count()).isEqualTo(7 + 12);
    assertValuesMatchTorch("safetensors/part-0.safetensors");
    assertValuesMatchTorch("safetensors/part-1.safetensors");
  }

  @Test
  void tensorsSavedOnCudaAreReadOnCpu() {
    assertThat(load("cuda").count()).isEqualTo(8 + 3);
    assertValuesMatchTorch("cuda/part-0.pt");
    assertValuesMatchTorch("cuda/part-1.pt");
  }

  @Test
  void emptyAndZeroWidthRows() {
    Dataset<Row> empty = load("empty_rows");
    assertThat(empty.count()).isZero();
    assertThat(empty.collectAsList()).isEmpty();
    assertThat(empty.schema().apply("x").metadata().getString("torchtensor.shape")).isEqualTo("[3]");
    assertValuesMatchTorch("zero_width/z.pt");
    assertThat(load("zero_width").select("x").collectAsList()).extracting(r -> r.getList(0).size()).containsOnly(0);
  }

  @Test
  void viewsAreReadInCOrderAcrossBatches() {
    for (String batchRows : new String[] {"1", "3", "4096"}) {
      Dataset<Row> df = spark().read().format("torchtensor").option("batchRows", batchRows).load(data("views"));
      List<Row> rows = df.collectAsList();
      JsonNode exp = expected("spark/views/v.pt");
      for (String col : new String[] {"transposed", "sliced"}) {
        assertThat(Values.columnSha(rows, col)).as("%s batchRows=%s", col, batchRows)
            .isEqualTo(exp.get("spark_sha256").get(col).asText());
      }
    }
  }

  @Test
  void keysOptionSelectsColumnsByNameAndGlob() {
    Dataset<Row> df = spark().read().format("torchtensor").option("keys", "lab*").load(data("shards"));
    assertThat(df.columns()).containsExactly("labels");
    assertThat(df.count()).isEqualTo(119);
    Dataset<Row> two = spark().read().format("torchtensor").option("KEYS", "f8*, i64").load(data("dtypes"));
    assertThat(two.columns()).containsExactly("f8e4m3fn", "f8e5m2", "f8e4m3fnuz", "f8e5m2fnuz", "f8e8m0", "i64");
  }

  /** Reused batch buffers must not leak into cached or shuffled data. */
  @Test
  void cachedAndShuffledRowsKeepTheirValues() {
    Dataset<Row> df = spark().read().format("torchtensor").option("batchRows", "3").load(data("shards/part-2.pt"));
    String want = expected("spark/shards/part-2.pt").get("spark_sha256").get("features").asText();
    Dataset<Row> cached = df.cache();
    try {
      assertThat(cached.count()).isEqualTo(33);
      assertThat(Values.columnSha(cached.collectAsList(), "features")).isEqualTo(want);
    } finally {
      cached.unpersist(true);
    }
    List<Row> shuffled = df.repartition(3).sortWithinPartitions("labels").collectAsList();
    List<Row> direct = df.collectAsList();
    assertThat(shuffled).containsExactlyInAnyOrderElementsOf(direct);
  }

  @Test
  void filtersAndAggregatesWorkOnTop() {
    Dataset<Row> df = load("shards/part-3.pt");
    long negatives = 0;
    for (Row r : df.select("labels").collectAsList()) {
      negatives += r.getLong(0) < 0 ? 1 : 0;
    }
    assertThat(df.where("labels < 0").count()).isEqualTo(negatives);
    assertThat(df.selectExpr("size(features)").distinct().head().getInt(0)).isEqualTo(3 * 8 * 8);
  }

  private static DataType arr(DataType elem) {
    return DataTypes.createArrayType(elem, false);
  }
}
