package io.torchtensor.arrow;

import io.torchtensor.format.DType;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Arrow fields for the two layouts, shaped exactly as Spark's {@code ArrowUtils.toArrowField} shapes
 * the matching Spark types [sql/api/src/main/scala/org/apache/spark/sql/util/ArrowUtils.scala]:
 * an array is a {@code List} whose single child is named {@code element} and is nullable when the
 * array {@code containsNull}; no field metadata. Spark's {@code ArrowColumnVector} then reads the
 * vectors as the column's Spark type.
 */
public final class TensorFields {

  /** Name of a list's child field, as Spark and Parquet spell it. */
  public static final String ELEMENT = "element";

  private TensorFields() {
  }

  /**
   * The field of one {@code rows}-layout column: a scalar for a 1-D real tensor (per-row shape
   * {@code []}), else a list of the element type holding the row's values in C order (complex:
   * interleaved (re, im)). List elements are never null.
   */
  public static Field rowsColumn(String name, DType dtype, long[] rowShape, boolean nullable) {
    FieldType elem = new FieldType(false, ElementType.of(dtype).arrowType(), null);
    if (!isList(dtype, rowShape)) {
      return new Field(name, new FieldType(nullable, ElementType.of(dtype).arrowType(), null), null);
    }
    return new Field(name, new FieldType(nullable, ArrowType.List.INSTANCE, null),
        List.of(new Field(ELEMENT, elem, null)));
  }

  /** A column is a list unless the tensor is 1-D (per-row shape {@code []}) and real. */
  public static boolean isList(DType dtype, long[] rowShape) {
    return rowShape.length > 0 || dtype.isComplex();
  }

  /** Arrow values per row: product of the per-row shape, doubled for complex. Exact arithmetic. */
  public static long valuesPerRow(DType dtype, long[] rowShape) {
    long n = ElementType.valuesPerElement(dtype);
    for (long d : rowShape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in per-row shape");
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** A non-null UTF-8 string field ({@code StringType}). */
  public static Field string(String name) {
    return new Field(name, new FieldType(false, ArrowType.Utf8.INSTANCE, null), null);
  }

  /** A non-null binary field ({@code BinaryType}, not the large variant). */
  public static Field binary(String name) {
    return new Field(name, new FieldType(false, ArrowType.Binary.INSTANCE, null), null);
  }

  /** A non-null boolean field. */
  public static Field bool(String name) {
    return new Field(name, new FieldType(false, ArrowType.Bool.INSTANCE, null), null);
  }

  /** A non-null {@code array<bigint>} field with non-null elements. */
  public static Field longList(String name) {
    return new Field(name, new FieldType(false, ArrowType.List.INSTANCE, null),
        List.of(new Field(ELEMENT, new FieldType(false, ElementType.LONG.arrowType(), null), null)));
  }
}
