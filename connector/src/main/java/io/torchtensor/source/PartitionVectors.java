package io.torchtensor.source;

import java.math.BigDecimal;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * The partition columns of a read, as Arrow vectors that hold the current file's values on every
 * row of a batch: Spark's file sources append them as constant columns to each batch; here they are
 * Arrow vectors like the tensor columns, so every column of a batch is an {@code ArrowColumnVector}
 * (the Python hand-off writes the batches' Arrow buffers as they are). A vector is refilled only
 * when the file's values or the batch's rows change. Arrow types are those of Spark's
 * {@code ArrowUtils.toArrowType}; timestamps carry zone UTC (values are UTC microseconds).
 */
final class PartitionVectors implements AutoCloseable {

  private final FieldVector[] vectors;
  private final ReusedArrowColumnVector[] views;
  private Object[] filledWith;
  private int filledRows = -1;

  PartitionVectors(StructField[] fields, BufferAllocator allocator) {
    vectors = new FieldVector[fields.length];
    views = new ReusedArrowColumnVector[fields.length];
    try {
      for (int i = 0; i < fields.length; i++) {
        vectors[i] = FieldType.nullable(arrowType(fields[i].dataType())).createNewSingleVector(fields[i].name(),
            allocator, null);
        views[i] = new ReusedArrowColumnVector(vectors[i]);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  static ArrowType arrowType(DataType t) {
    if (t instanceof BooleanType) {
      return ArrowType.Bool.INSTANCE;
    } else if (t instanceof ByteType) {
      return new ArrowType.Int(8, true);
    } else if (t instanceof ShortType) {
      return new ArrowType.Int(16, true);
    } else if (t instanceof IntegerType) {
      return new ArrowType.Int(32, true);
    } else if (t instanceof LongType) {
      return new ArrowType.Int(64, true);
    } else if (t instanceof FloatType) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    } else if (t instanceof DoubleType) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    } else if (t instanceof DecimalType d) {
      return new ArrowType.Decimal(d.precision(), d.scale(), 128);
    } else if (t instanceof StringType) {
      return ArrowType.Utf8.INSTANCE;
    } else if (t instanceof BinaryType) {
      return ArrowType.Binary.INSTANCE;
    } else if (t instanceof DateType) {
      return new ArrowType.Date(DateUnit.DAY);
    } else if (t instanceof TimestampType) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    } else if (t instanceof TimestampNTZType) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    }
    throw new TorchTensorSchemaException("partition columns of type " + t.simpleString() + " are not supported");
  }

  /** The vectors holding {@code values[i]} (an internal value, or null) on each of {@code rows} rows. */
  ColumnVector[] fill(Object[] values, int rows) {
    if (values != filledWith || rows != filledRows) {
      for (int i = 0; i < vectors.length; i++) {
        fill(vectors[i], values == null ? null : values[i], rows);
      }
      filledWith = values;
      filledRows = rows;
    }
    return views.clone();
  }

  private static void fill(FieldVector v, Object value, int rows) {
    v.reset();
    v.setInitialCapacity(rows);
    v.allocateNew();
    for (int r = 0; r < rows; r++) {
      if (value == null) {
        v.setNull(r);
      } else if (v instanceof BitVector b) {
        b.set(r, (Boolean) value ? 1 : 0);
      } else if (v instanceof TinyIntVector b) {
        b.set(r, (Byte) value);
      } else if (v instanceof SmallIntVector b) {
        b.set(r, (Short) value);
      } else if (v instanceof IntVector b) {
        b.set(r, (Integer) value);
      } else if (v instanceof DateDayVector b) {
        b.set(r, (Integer) value);
      } else if (v instanceof BigIntVector b) {
        b.set(r, (Long) value);
      } else if (v instanceof TimeStampMicroTZVector b) {
        b.set(r, (Long) value);
      } else if (v instanceof TimeStampMicroVector b) {
        b.set(r, (Long) value);
      } else if (v instanceof Float4Vector b) {
        b.set(r, (Float) value);
      } else if (v instanceof Float8Vector b) {
        b.set(r, (Double) value);
      } else if (v instanceof DecimalVector b) {
        BigDecimal d = ((Decimal) value).toJavaBigDecimal().setScale(b.getScale());
        b.set(r, d);
      } else if (v instanceof VarCharVector b) {
        b.setSafe(r, ((org.apache.spark.unsafe.types.UTF8String) value).getBytes());
      } else if (v instanceof VarBinaryVector b) {
        b.setSafe(r, (byte[]) value);
      }
    }
    v.setValueCount(rows);
  }

  @Override
  public void close() {
    for (FieldVector v : vectors) {
      if (v != null) {
        v.close();
      }
    }
  }
}
