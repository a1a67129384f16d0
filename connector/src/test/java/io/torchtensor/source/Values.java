package io.torchtensor.source;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** A column's values as little-endian bytes, to compare with the SHA-256 torch recorded. */
final class Values {

  private Values() {
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Values of column {@code col} over {@code rows}, flattened in row then C order. */
  static byte[] columnBytes(List<Row> rows, int col, DataType type) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean array = type instanceof ArrayType;
    DataType elem = array ? ((ArrayType) type).elementType() : type;
    for (Row r : rows) {
      if (array) {
        for (Object v : r.getList(col)) {
          put(out, elem, v);
        }
      } else {
        put(out, elem, r.get(col));
      }
    }
    return out.toByteArray();
  }

  static String columnSha(List<Row> rows, String column) {
    if (rows.isEmpty()) {
      return sha256(new byte[0]);
    }
    int i = rows.get(0).fieldIndex(column);
    return sha256(columnBytes(rows, i, rows.get(0).schema().fields()[i].dataType()));
  }

  private static void put(ByteArrayOutputStream out, DataType t, Object v) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    if (t.equals(DataTypes.FloatType)) {
      b.putFloat((Float) v);
    } else if (t.equals(DataTypes.DoubleType)) {
      b.putDouble((Double) v);
    } else if (t.equals(DataTypes.ByteType)) {
      b.put((Byte) v);
    } else if (t.equals(DataTypes.ShortType)) {
      b.putShort((Short) v);
    } else if (t.equals(DataTypes.IntegerType)) {
      b.putInt((Integer) v);
    } else if (t.equals(DataTypes.LongType)) {
      b.putLong((Long) v);
    } else if (t.equals(DataTypes.BooleanType)) {
      b.put((byte) ((Boolean) v ? 1 : 0));
    } else {
      throw new AssertionError("no bytes for " + t);
    }
    out.write(b.array(), 0, b.position());
  }
}
