package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchtensor.arrow.TensorFields;
import io.torchtensor.arrow.TensorsLayout;
import io.torchtensor.format.DType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.junit.jupiter.api.Test;

/** The arrow floor's fields are exactly what Spark's ArrowUtils makes of the columns' Spark types. */
class ArrowLayoutTest extends SparkTestSupport {

  private static Field spark(StructField f) {
    return ArrowUtils.toArrowSchema(new StructType(new StructField[] {f}), "UTC", true, false).getFields().get(0);
  }

  @Test
  void rowsColumnsOfEveryDtypeAndShape() {
    long[][] shapes = {{}, {3}, {3, 8, 8}, {0}};
    for (DType d : DType.values()) {
      for (long[] shape : shapes) {
        for (boolean nullable : new boolean[] {false, true}) {
          RowsSchema.Column c = new RowsSchema.Column("col", d, shape);
          StructField sf = RowsSchema.field(c, nullable);
          Field ours = TensorFields.rowsColumn("col", d, shape, nullable);
          Field theirs = spark(new StructField(sf.name(), sf.dataType(), sf.nullable(),
              org.apache.spark.sql.types.Metadata.empty()));
          assertThat(ours).as("%s %s", d, java.util.Arrays.toString(shape)).isEqualTo(theirs);
        }
      }
    }
  }

  @Test
  void tensorsLayoutColumns() {
    for (StructField f : SchemaInference.tensorsSchema().fields()) {
      assertThat(TensorsLayout.field(f.name())).as(f.name()).isEqualTo(spark(f));
    }
  }
}
