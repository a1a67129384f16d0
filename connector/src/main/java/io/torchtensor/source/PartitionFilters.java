package io.torchtensor.source;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.sources.AlwaysFalse;
import org.apache.spark.sql.sources.AlwaysTrue;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.EqualNullSafe;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.GreaterThanOrEqual;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.sources.IsNotNull;
import org.apache.spark.sql.sources.IsNull;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.LessThanOrEqual;
import org.apache.spark.sql.sources.Not;
import org.apache.spark.sql.sources.Or;
import org.apache.spark.sql.sources.StringContains;
import org.apache.spark.sql.sources.StringEndsWith;
import org.apache.spark.sql.sources.StringStartsWith;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Evaluates Spark's pushed {@link Filter}s on the partition values of a file, on the driver, with
 * SQL's three-valued logic (a comparison with null is unknown; a row is kept only when the filter is
 * true). Every row of a file has the file's values, so a filter on partition columns alone decides
 * whole files: the scan reads only the files it keeps, and Spark need not evaluate it again.
 *
 * <p>Filter values come as Spark's external values ({@code sources.Filter}): numbers, String,
 * java.sql.Date or LocalDate, java.sql.Timestamp or Instant, LocalDateTime. A filter whose shape or
 * value this class does not know is {@link Undecidable}; the scan builder then returns it to Spark.
 */
final class PartitionFilters {

  /** A filter this class cannot decide; it stays with Spark. */
  static final class Undecidable extends Exception {
    private static final long serialVersionUID = 1L;

    Undecidable() {
      super(null, null, false, false);
    }
  }

  private final StructType schema;
  private final boolean caseSensitive;

  PartitionFilters(StructType partitionSchema, boolean caseSensitive) {
    this.schema = partitionSchema;
    this.caseSensitive = caseSensitive;
  }

  /** The partition column a filter's attribute names, or -1 (a tensor column, a nested field). */
  int column(String attribute) {
    String name = attribute.length() > 1 && attribute.startsWith("`") && attribute.endsWith("`")
        ? attribute.substring(1, attribute.length() - 1).replace("``", "`") : attribute;
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      if (caseSensitive ? fields[i].name().equals(name) : fields[i].name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /** True when every column the filter references is a partition column. */
  boolean onPartitionColumnsOnly(Filter f) {
    for (String r : f.references()) {
      if (column(r) < 0) {
        return false;
      }
    }
    return true;
  }

  /** True when every file with any of {@code values} can be decided by {@code f}. */
  boolean decidable(Filter f, Collection<Object[]> values) {
    try {
      for (Object[] v : values) {
        eval(f, v);
      }
      return true;
    } catch (Undecidable e) {
      return false;
    }
  }

  /** Whether a file with these partition values may hold rows the filter keeps. */
  boolean keeps(Filter f, Object[] values) {
    try {
      return Boolean.TRUE.equals(eval(f, values));
    } catch (Undecidable e) {
      return true;
    }
  }

  /** TRUE, FALSE, or null for unknown. */
  Boolean eval(Filter f, Object[] values) throws Undecidable {
    if (f instanceof And a) {
      Boolean l = eval(a.left(), values);
      Boolean r = eval(a.right(), values);
      return Boolean.FALSE.equals(l) || Boolean.FALSE.equals(r) ? Boolean.FALSE : l == null || r == null ? null : true;
    } else if (f instanceof Or o) {
      Boolean l = eval(o.left(), values);
      Boolean r = eval(o.right(), values);
      return Boolean.TRUE.equals(l) || Boolean.TRUE.equals(r) ? Boolean.TRUE : l == null || r == null ? null : false;
    } else if (f instanceof Not n) {
      Boolean c = eval(n.child(), values);
      return c == null ? null : !c;
    } else if (f instanceof AlwaysTrue) {
      return true;
    } else if (f instanceof AlwaysFalse) {
      return false;
    } else if (f instanceof IsNull x) {
      return value(x.attribute(), values) == null;
    } else if (f instanceof IsNotNull x) {
      return value(x.attribute(), values) != null;
    } else if (f instanceof EqualNullSafe x) {
      Object v = value(x.attribute(), values);
      Object w = literal(x.attribute(), x.value());
      return v == null || w == null ? v == w : compare(v, w) == 0;
    } else if (f instanceof EqualTo x) {
      return cmp(x.attribute(), x.value(), values, c -> c == 0);
    } else if (f instanceof GreaterThan x) {
      return cmp(x.attribute(), x.value(), values, c -> c > 0);
    } else if (f instanceof GreaterThanOrEqual x) {
      return cmp(x.attribute(), x.value(), values, c -> c >= 0);
    } else if (f instanceof LessThan x) {
      return cmp(x.attribute(), x.value(), values, c -> c < 0);
    } else if (f instanceof LessThanOrEqual x) {
      return cmp(x.attribute(), x.value(), values, c -> c <= 0);
    } else if (f instanceof In x) {
      Object v = value(x.attribute(), values);
      boolean sawNull = false;
      for (Object item : x.values()) {
        Object w = literal(x.attribute(), item);
        if (w == null) {
          sawNull = true;
        } else if (v != null && compare(v, w) == 0) {
          return true;
        }
      }
      return v == null || sawNull ? null : false;
    } else if (f instanceof StringStartsWith x) {
      return string(x.attribute(), values, s -> s.startsWith(x.value()));
    } else if (f instanceof StringEndsWith x) {
      return string(x.attribute(), values, s -> s.endsWith(x.value()));
    } else if (f instanceof StringContains x) {
      return string(x.attribute(), values, s -> s.contains(x.value()));
    }
    throw new Undecidable();
  }

  private interface Test {
    boolean test(int comparison);
  }

  private interface StringTest {
    boolean test(String s);
  }

  private Boolean cmp(String attribute, Object literal, Object[] values, Test t) throws Undecidable {
    Object v = value(attribute, values);
    Object w = literal(attribute, literal);
    return v == null || w == null ? null : t.test(compare(v, w));
  }

  private Boolean string(String attribute, Object[] values, StringTest t) throws Undecidable {
    int i = index(attribute);
    if (!(schema.fields()[i].dataType() instanceof StringType)) {
      throw new Undecidable();
    }
    Object v = values[i];
    return v == null ? null : t.test(v.toString());
  }

  private int index(String attribute) throws Undecidable {
    int i = column(attribute);
    if (i < 0) {
      throw new Undecidable();
    }
    return i;
  }

  private Object value(String attribute, Object[] values) throws Undecidable {
    return values[index(attribute)];
  }

  /** The filter's value as an internal value of the column's type; null for a null literal. */
  private Object literal(String attribute, Object v) throws Undecidable {
    if (v == null) {
      return null;
    }
    DataType t = schema.fields()[index(attribute)].dataType();
    if (t instanceof StringType && v instanceof String s) {
      return UTF8String.fromString(s);
    } else if (t instanceof DateType) {
      if (v instanceof LocalDate d) {
        return Math.toIntExact(d.toEpochDay());
      } else if (v instanceof java.sql.Date d) {
        return DateTimeUtils.fromJavaDate(d); // Spark's own inverse of the value it pushed
      }
    } else if (t instanceof TimestampType) {
      if (v instanceof Instant i) {
        return micros(i);
      } else if (v instanceof java.sql.Timestamp ts) {
        // Spark pushes toJavaTimestamp(micros), rebased to the hybrid Julian calendar before
        // 1582-10-15 (CatalystTypeConverters.TimestampConverter): fromJavaTimestamp undoes it, where
        // toInstant would move an old timestamp by days and prune its directory.
        return DateTimeUtils.fromJavaTimestamp(ts);
      }
    } else if (t instanceof TimestampNTZType && v instanceof LocalDateTime l) {
      return micros(l.toInstant(ZoneOffset.UTC));
    } else if (v instanceof Number && !(t instanceof StringType) && !(t instanceof DateType)
        && !(t instanceof TimestampType) && !(t instanceof TimestampNTZType)) {
      return v;
    }
    throw new Undecidable();
  }

  private static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }

  /** Compares two internal values of one column (numbers by value, strings by UTF-8 bytes as Spark). */
  private static int compare(Object a, Object b) throws Undecidable {
    if (a instanceof UTF8String x && b instanceof UTF8String y) {
      return x.binaryCompare(y);
    }
    if (a instanceof Integer && b instanceof Integer || a instanceof Long && b instanceof Long) {
      return Long.compare(((Number) a).longValue(), ((Number) b).longValue());
    }
    BigDecimal x = decimal(a);
    BigDecimal y = decimal(b);
    if (x != null && y != null) {
      return x.compareTo(y);
    }
    if ((a instanceof Double || a instanceof Float) && (b instanceof Double || b instanceof Float)) {
      // Spark's SQLOrderingUtil.compareDoubles: -0.0 equals 0.0, NaN equals NaN and is the largest.
      double da = ((Number) a).doubleValue();
      double db = ((Number) b).doubleValue();
      return da == db ? 0 : Double.compare(da, db);
    }
    throw new Undecidable();
  }

  /** An exact decimal of an integral or decimal value; null for float and double (and anything else). */
  private static BigDecimal decimal(Object v) {
    if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
      return BigDecimal.valueOf(((Number) v).longValue());
    } else if (v instanceof Decimal d) {
      return d.toJavaBigDecimal();
    } else if (v instanceof BigDecimal d) {
      return d;
    } else if (v instanceof java.math.BigInteger i) {
      return new BigDecimal(i);
    }
    return null;
  }
}
