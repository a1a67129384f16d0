package io.torchtensor.arrow;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Columns of the {@code tensors} layout, one row per tensor of each file:
 * <ul>
 *   <li>{@code path} string: the file's URI as listed;</li>
 *   <li>{@code key} string: dot-joined dict keys and list indices ({@code tensor} for a root tensor);</li>
 *   <li>{@code dtype} string: torch's dtype name ({@code float32}, {@code bfloat16}, ...);</li>
 *   <li>{@code shape} array&lt;bigint&gt;: the full shape;</li>
 *   <li>{@code device} string: where torch saved it from ({@code cpu}, {@code cuda:0}); the bytes are
 *       always read on the CPU;</li>
 *   <li>{@code requires_grad} boolean;</li>
 *   <li>{@code data} binary: the values in C order, little-endian (complex as (re, im) pairs,
 *       quantized as their integer representation, bool as one byte per value).</li>
 * </ul>
 */
public final class TensorsLayout {

  public static final String PATH = "path";
  public static final String KEY = "key";
  public static final String DTYPE = "dtype";
  public static final String SHAPE = "shape";
  public static final String DEVICE = "device";
  public static final String REQUIRES_GRAD = "requires_grad";
  public static final String DATA = "data";

  /** Column names in schema order. */
  public static final List<String> COLUMNS = List.of(PATH, KEY, DTYPE, SHAPE, DEVICE, REQUIRES_GRAD, DATA);

  private TensorsLayout() {
  }

  /** The Arrow field of a column, as Spark's {@code ArrowUtils} lays out its Spark type. */
  public static Field field(String name) {
    switch (name) {
      case PATH:
      case KEY:
      case DTYPE:
      case DEVICE:
        return TensorFields.string(name);
      case SHAPE:
        return TensorFields.longList(name);
      case REQUIRES_GRAD:
        return TensorFields.bool(name);
      case DATA:
        return TensorFields.binary(name);
      default:
        throw new IllegalArgumentException("no tensors-layout column " + name + "; columns are " + COLUMNS);
    }
  }
}
