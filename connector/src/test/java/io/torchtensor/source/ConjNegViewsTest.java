package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * torch's lazy conj / neg views ({@code z.conj()}, {@code torch._neg_view(x)}) through Spark: both
 * layouts hold the resolved values, {@code t.resolve_conj().resolve_neg()} as torch computed them,
 * not the stored bytes. The file holds a plain float32 column and its neg view over one storage.
 */
class ConjNegViewsTest extends SparkTestSupport {

  private static final String FILE = "conj_neg/cn.pt";

  @Test
  void rowsLayoutColumnsHoldTheResolvedValuesInEveryBatchSize() {
    JsonNode exp = expected("spark/" + FILE);
    for (String batchRows : new String[] {"1", "5", "4096"}) {
      Dataset<Row> df = spark().read().format("torchtensor").option("batchRows", batchRows).load(data(FILE));
      List<Row> rows = df.collectAsList();
      assertThat(rows).hasSize(exp.get("nrows").asInt());
      Iterator<Map.Entry<String, JsonNode>> it = exp.get("spark_sha256").properties().iterator();
      int checked = 0;
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        assertThat(Values.columnSha(rows, e.getKey())).as("column %s, batchRows=%s", e.getKey(), batchRows)
            .isEqualTo(e.getValue().asText());
        checked++;
      }
      assertThat(checked).isEqualTo(df.columns().length).isEqualTo(11);
    }
  }

  @Test
  void negViewIsTheSignFlipOfItsBaseAndConjNegatesTheImaginaryPart() {
    Dataset<Row> df = spark().read().format("torchtensor").load(data(FILE));
    Row r = df.select("f32", "f32_neg", "c64_conj").head();
    List<Float> base = r.getList(0);
    List<Float> neg = r.getList(1);
    // Row 0 is [0.0, -0.0, inf, -1.5]: the signs of the zeros flip too, as torch's resolve_neg does.
    assertThat(neg).hasSize(4);
    for (int i = 0; i < base.size(); i++) {
      assertThat(Float.floatToRawIntBits(neg.get(i))).as("element %d", i)
          .isEqualTo(Float.floatToRawIntBits(base.get(i)) ^ 0x80000000);
    }
    JsonNode first = expectedTensor("spark/" + FILE, "c64_conj").get("first");
    List<Float> conj = r.getList(2);
    assertThat(conj).hasSize(6);
    for (int i = 0; i < 3; i++) {
      assertThat(conj.get(2 * i)).isEqualTo((float) first.get(i).get(0).asDouble());
      assertThat(conj.get(2 * i + 1)).isEqualTo((float) first.get(i).get(1).asDouble());
    }
    // The stored value of element 0 is 0 - 0j: read resolved it is 0 + 0j, the imaginary sign flipped.
    assertThat(Float.floatToRawIntBits(conj.get(1))).isZero();
  }

  @Test
  void columnMetadataIsTheDtypeAndShapeOfTheView() {
    StructType s = spark().read().format("torchtensor").load(data(FILE)).schema();
    assertThat(s.apply("c64_conj").metadata().getString("torchtensor.dtype")).isEqualTo("complex64");
    assertThat(s.apply("c64_conj_t").metadata().getString("torchtensor.shape")).isEqualTo("[2]");
    assertThat(s.apply("bf16_neg").metadata().getString("torchtensor.dtype")).isEqualTo("bfloat16");
    assertThat(s.apply("u8_neg").metadata().getString("torchtensor.dtype")).isEqualTo("uint8");
  }

  @Test
  void tensorsLayoutDataIsTheResolvedBytes() {
    for (String batchBytes : new String[] {"1", "1m"}) {
      List<Row> rows = spark().read().format("torchtensor").option("layout", "tensors")
          .option("batchBytes", batchBytes).load(data(FILE)).collectAsList();
      TensorsLayoutTest.assertRowsMatchTorch(FILE, rows);
    }
  }
}
