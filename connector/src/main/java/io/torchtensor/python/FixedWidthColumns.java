package io.torchtensor.python;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;

/**
 * Which result columns the column hand-off writes as files ({@link DirectColumnHandoff}), and the
 * bytes of one row of each: every fixed-width Spark type, a scalar or an array whose tensor metadata
 * gives its row shape; booleans, bit-packed in Arrow, are written one byte per value, as NumPy
 * stores them. Strings and binaries vary per row and are not fixed-width.
 */
final class FixedWidthColumns {

  private FixedWidthColumns() {}

  /** Bytes of one row of a column, from its Spark type and tensor metadata; -1 if not fixed-width. */
  static long rowBytes(StructField f) {
    boolean list = f.dataType() instanceof ArrayType;
    int width = width(list ? ((ArrayType) f.dataType()).elementType() : f.dataType());
    if (width < 0) {
      return -1;
    }
    if (!list) {
      return width;
    }
    if (!f.metadata().contains("torchtensor.shape") || !f.metadata().contains("torchtensor.dtype")) {
      return -1;
    }
    long values = f.metadata().getString("torchtensor.dtype").startsWith("complex") ? 2 : 1;
    String shape = f.metadata().getString("torchtensor.shape").replaceAll("[\\[\\]\\s]", "");
    if (!shape.isEmpty()) {
      for (String d : shape.split(",")) {
        values = Math.multiplyExact(values, Long.parseLong(d));
      }
    }
    return Math.multiplyExact(values, width);
  }

  private static int width(DataType t) {
    if (t instanceof ByteType) {
      return 1;
    } else if (t instanceof ShortType) {
      return 2;
    } else if (t instanceof IntegerType || t instanceof FloatType) {
      return 4;
    } else if (t instanceof LongType || t instanceof DoubleType) {
      return 8;
    } else if (t instanceof BooleanType) {
      return 1; // bit-packed in Arrow, written as NumPy's one byte per bool
    }
    return -1; // strings and binaries vary
  }
}
