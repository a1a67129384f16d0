package io.torchtensor.arrow;

import io.torchtensor.format.DType;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The Arrow element a torch dtype is emitted as, following the project's type mapping:
 * float32/float16/bfloat16/float8 as 32-bit float, float64 as double, int8 and qint8 as byte,
 * int16/uint8/quint8 as short, int32/uint16/qint32 as int, int64/uint32/uint64 as long, bool as a bit,
 * complex32/complex64 as interleaved (re, im) floats (complex32's float16 halves widened),
 * complex128 as interleaved doubles.
 *
 * <p>The Arrow types are the ones Spark's {@code ArrowUtils.toArrowType} produces for
 * FloatType, DoubleType, ByteType, ShortType, IntegerType, LongType and BooleanType, so a vector
 * built here can be wrapped by Spark's {@code ArrowColumnVector} as the column's Spark type.
 */
public enum ElementType {
  FLOAT(4, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
  DOUBLE(8, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
  BYTE(1, new ArrowType.Int(8, true)),
  SHORT(2, new ArrowType.Int(16, true)),
  INT(4, new ArrowType.Int(32, true)),
  LONG(8, new ArrowType.Int(64, true)),
  /** Arrow packs booleans as bits; the width is not a byte count. */
  BOOLEAN(0, ArrowType.Bool.INSTANCE);

  private final int width;
  private final ArrowType arrowType;

  ElementType(int width, ArrowType arrowType) {
    this.width = width;
    this.arrowType = arrowType;
  }

  /** Bytes per value in the Arrow data buffer (0 for the bit-packed boolean). */
  public int width() {
    return width;
  }

  public ArrowType arrowType() {
    return arrowType;
  }

  /** The element a dtype is emitted as. Complex dtypes give their component type. */
  public static ElementType of(DType dtype) {
    switch (dtype) {
      case FLOAT32:
      case FLOAT16:
      case BFLOAT16:
      case FLOAT8_E4M3FN:
      case FLOAT8_E5M2:
      case FLOAT8_E4M3FNUZ:
      case FLOAT8_E5M2FNUZ:
      case FLOAT8_E8M0FNU:
      case COMPLEX32:
      case COMPLEX64:
        return FLOAT;
      case FLOAT64:
      case COMPLEX128:
        return DOUBLE;
      case INT8:
      case QINT8:
        return BYTE;
      case INT16:
      case UINT8:
      case QUINT8:
        return SHORT;
      case INT32:
      case UINT16:
      case QINT32:
        return INT;
      case INT64:
      case UINT32:
      case UINT64:
        return LONG;
      case BOOL:
        return BOOLEAN;
      default:
        throw new IllegalArgumentException("no Arrow element for dtype " + dtype.torchName());
    }
  }

  /**
   * True when the storage bytes are already the Arrow values: same width, same bits, little-endian.
   * These dtypes are read straight into the Arrow data buffer with no per-value work: float32,
   * float64, int8/16/32/64, qint8, qint32 (their int_repr), uint64 (same 64 bits, values at or above
   * 2^63 read as negative longs) and complex64/128 (torch stores (re, im) interleaved).
   */
  public static boolean isDirect(DType dtype) {
    switch (dtype) {
      case FLOAT32:
      case FLOAT64:
      case INT8:
      case INT16:
      case INT32:
      case INT64:
      case UINT64:
      case QINT8:
      case QINT32:
      case COMPLEX64:
      case COMPLEX128:
        return true;
      default:
        return false;
    }
  }

  /** Arrow values per storage element: 2 for complex (re, im), else 1. */
  public static int valuesPerElement(DType dtype) {
    return dtype.isComplex() ? 2 : 1;
  }
}
