package io.torchtensor.source;

import io.torchtensor.arrow.ElementType;
import io.torchtensor.arrow.TensorFields;
import io.torchtensor.format.DType;
import io.torchtensor.format.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * The {@code rows} layout's columns: each selected tensor of shape {@code [N, d1, ...]} is a column
 * named by its key, holding per row the {@code d1·...} values in C order; a 1-D real tensor is a
 * scalar column. Column metadata {@code torchtensor.dtype} (torch's dtype name) and
 * {@code torchtensor.shape} (the per-row shape as a JSON list) let readers restore the exact tensor.
 */
final class RowsSchema {

  static final String META_DTYPE = "torchtensor.dtype";
  static final String META_SHAPE = "torchtensor.shape";

  /** One column: its name (the tensor key), torch dtype and per-row shape. */
  record Column(String name, DType dtype, long[] rowShape) implements java.io.Serializable {
    static Column of(TensorInfo t) {
      long[] s = t.shape();
      return new Column(t.key(), t.dtype(), Arrays.copyOfRange(s, 1, s.length));
    }

    boolean sameTensorType(Column o) {
      return dtype == o.dtype && Arrays.equals(rowShape, o.rowShape);
    }

    String describe() {
      return dtype.torchName() + " " + shapeJson(rowShape) + " per row";
    }
  }

  private RowsSchema() {
  }

  /** The Spark type of a column: the element type, or an array of it (elements never null). */
  static DataType sparkType(DType dtype, long[] rowShape) {
    DataType elem = elementType(ElementType.of(dtype));
    return TensorFields.isList(dtype, rowShape) ? DataTypes.createArrayType(elem, false) : elem;
  }

  static DataType elementType(ElementType e) {
    switch (e) {
      case FLOAT: return DataTypes.FloatType;
      case DOUBLE: return DataTypes.DoubleType;
      case BYTE: return DataTypes.ByteType;
      case SHORT: return DataTypes.ShortType;
      case INT: return DataTypes.IntegerType;
      case LONG: return DataTypes.LongType;
      case BOOLEAN: return DataTypes.BooleanType;
      default: throw new IllegalArgumentException(e.name());
    }
  }

  static StructField field(Column c, boolean nullable) {
    Metadata md = new MetadataBuilder()
        .putString(META_DTYPE, c.dtype().torchName())
        .putString(META_SHAPE, shapeJson(c.rowShape()))
        .build();
    return new StructField(c.name(), sparkType(c.dtype(), c.rowShape()), nullable, md);
  }

  /** The column a field's metadata describes, or null for a field without torchtensor metadata. */
  static Column fromMetadata(StructField f) {
    Metadata md = f.metadata();
    if (!md.contains(META_DTYPE) || !md.contains(META_SHAPE)) {
      return null;
    }
    DType dtype = DType.fromTorchName(md.getString(META_DTYPE));
    if (dtype == null) {
      throw new TorchTensorSchemaException("column " + f.name() + ": unknown " + META_DTYPE + " '"
          + md.getString(META_DTYPE) + "' in schema metadata");
    }
    return new Column(f.name(), dtype, parseShape(f.name(), md.getString(META_SHAPE)));
  }

  /**
   * Whether a tensor column can be read as a field of a user schema: same Spark type (array or
   * scalar, same element; the element nullability is not compared).
   */
  static boolean readableAs(Column c, DataType want) {
    DataType have = sparkType(c.dtype(), c.rowShape());
    if (have instanceof ArrayType && want instanceof ArrayType) {
      return ((ArrayType) have).elementType().equals(((ArrayType) want).elementType());
    }
    return have.equals(want);
  }

  /**
   * A dtype and per-row shape to build a null vector of type {@code t} when a file lacks the column
   * and the field carries no metadata: any dtype whose Arrow element matches.
   */
  static Column placeholder(String name, DataType t) {
    boolean list = t instanceof ArrayType;
    DataType elem = list ? ((ArrayType) t).elementType() : t;
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32,
        DType.INT64, DType.BOOL}) {
      if (elementType(ElementType.of(d)).equals(elem)) {
        return new Column(name, d, list ? new long[] {0} : new long[0]);
      }
    }
    throw new TorchTensorSchemaException("column " + name + ": type " + t.simpleString()
        + " cannot hold a tensor; rows-layout columns are numeric or boolean scalars or arrays");
  }

  static String shapeJson(long[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ",").append(shape[i]);
    }
    return sb.append(']').toString();
  }

  static long[] parseShape(String column, String json) {
    String s = json.trim();
    if (!s.startsWith("[") || !s.endsWith("]")) {
      throw new TorchTensorSchemaException("column " + column + ": " + META_SHAPE + " must be a JSON list, got " + json);
    }
    String body = s.substring(1, s.length() - 1).trim();
    List<Long> dims = new ArrayList<>();
    if (!body.isEmpty()) {
      for (String p : body.split(",")) {
        try {
          long d = Long.parseLong(p.trim());
          if (d < 0) {
            throw new NumberFormatException();
          }
          dims.add(d);
        } catch (NumberFormatException e) {
          throw new TorchTensorSchemaException("column " + column + ": " + META_SHAPE + " must list sizes >= 0, got " + json);
        }
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }
}
