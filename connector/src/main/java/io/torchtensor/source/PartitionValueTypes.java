package io.torchtensor.source;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Types and values of Hive-style partition directory values ({@code day=2024-01-01}), as Spark's
 * file sources give them [sql/core/.../datasources/PartitioningUtils.scala:
 * {@code inferPartitionColumnValue}, {@code findWiderTypeForPartitionColumn},
 * {@code castPartValueToDesiredType}; sql/catalyst/.../catalog/ExternalCatalogUtils.scala:
 * {@code unescapePathName}, {@code DEFAULT_PARTITION_NAME}].
 *
 * <p>Inference tries, in order: int, long, decimal without fraction (a number too big for a long),
 * double, timestamp ({@code yyyy-MM-dd HH:mm:ss[.S]}, of the session's timestamp type), date
 * ({@code yyyy-MM-dd}), else string. {@code __HIVE_DEFAULT_PARTITION__} is null (type null, widened by
 * the other directories' values; a column of nulls only is a string column). Values are Spark's
 * internal values: Integer, Long, Double, {@link Decimal}, {@link UTF8String}, days (Integer),
 * microseconds (Long).
 */
final class PartitionValueTypes {

  /** The directory value Hive and Spark write for a null partition value. */
  static final String DEFAULT_PARTITION_NAME = "__HIVE_DEFAULT_PARTITION__";

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd")
      .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 6, true).optionalEnd()
      .toFormatter().withResolverStyle(ResolverStyle.STRICT);

  private PartitionValueTypes() {
  }

  /** Hive's unescaping of a path name: each {@code %XX} (two hex digits) is that character. */
  static String unescapePathName(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) && hex(s.charAt(i + 2))) {
        b.append((char) (Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16)));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean hex(char c) {
    return c < 128 && Character.digit(c, 16) >= 0;
  }

  /** The type Spark infers for one raw (still escaped) directory value. */
  static DataType infer(String raw, boolean typeInference, boolean timestampNtz) {
    if (typeInference) {
      try {
        Integer.parseInt(raw);
        return DataTypes.IntegerType;
      } catch (NumberFormatException e) {
        // not an int
      }
      try {
        Long.parseLong(raw);
        return DataTypes.LongType;
      } catch (NumberFormatException e) {
        // not a long
      }
      try {
        BigDecimal d = new BigDecimal(raw);
        if (d.scale() <= 0 && d.precision() - d.scale() <= DecimalType.MAX_PRECISION()) {
          return DataTypes.createDecimalType(Math.max(1, d.precision() - d.scale()), 0);
        }
      } catch (NumberFormatException e) {
        // not a whole number
      }
      try {
        Double.parseDouble(raw);
        return DataTypes.DoubleType;
      } catch (NumberFormatException e) {
        // not a double
      }
      if (parseTimestamp(unescapePathName(raw)) != null) {
        return timestampNtz ? DataTypes.TimestampNTZType : DataTypes.TimestampType;
      }
      if (parseDate(raw) != null) {
        return DataTypes.DateType;
      }
    }
    return raw.equals(DEFAULT_PARTITION_NAME) ? DataTypes.NullType : DataTypes.StringType;
  }

  /**
   * The common type of two directories' values of one column: Spark's table in
   * {@code inferPartitionColumnValue} (numbers widen, dates widen to timestamps, a double with a
   * long or decimal and anything else mixed is a string).
   */
  static DataType wider(DataType a, DataType b) {
    if (a.sameType(b)) {
      return a;
    }
    if (a instanceof NullType) {
      return b;
    }
    if (b instanceof NullType) {
      return a;
    }
    int ra = integralRank(a);
    int rb = integralRank(b);
    if (ra > 0 && rb > 0) {
      if (ra <= 2 && rb <= 2) {
        return ra >= rb ? a : b; // int, long
      }
      return DataTypes.createDecimalType(Math.min(DecimalType.MAX_PRECISION(), Math.max(digits(a), digits(b))), 0);
    }
    if ((a instanceof DoubleType && b instanceof IntegerType) || (b instanceof DoubleType && a instanceof IntegerType)) {
      return DataTypes.DoubleType;
    }
    if ((a instanceof DateType && isTimestamp(b)) || (b instanceof DateType && isTimestamp(a))) {
      return isTimestamp(a) ? a : b;
    }
    return DataTypes.StringType;
  }

  private static boolean isTimestamp(DataType t) {
    return t instanceof TimestampType || t instanceof TimestampNTZType;
  }

  private static int integralRank(DataType t) {
    if (t instanceof IntegerType) {
      return 1;
    } else if (t instanceof LongType) {
      return 2;
    } else if (t instanceof DecimalType d && d.scale() == 0) {
      return 3;
    }
    return 0;
  }

  private static int digits(DataType t) {
    if (t instanceof IntegerType) {
      return 10;
    } else if (t instanceof LongType) {
      return 20;
    }
    return ((DecimalType) t).precision();
  }

  /**
   * The raw directory value as an internal value of {@code type}; null for the Hive default
   * partition. Throws {@link IllegalArgumentException} when the value is not of that type.
   */
  static Object cast(String raw, DataType type, ZoneId zone) {
    if (raw.equals(DEFAULT_PARTITION_NAME) || type instanceof NullType) {
      return null;
    }
    try {
      if (type instanceof StringType) {
        return UTF8String.fromString(unescapePathName(raw));
      } else if (type instanceof ByteType) {
        return (byte) Integer.parseInt(raw);
      } else if (type instanceof ShortType) {
        return (short) Integer.parseInt(raw);
      } else if (type instanceof IntegerType) {
        return Integer.parseInt(raw);
      } else if (type instanceof LongType) {
        return Long.parseLong(raw);
      } else if (type instanceof FloatType) {
        return (float) Double.parseDouble(raw);
      } else if (type instanceof DoubleType) {
        return Double.parseDouble(raw);
      } else if (type instanceof DecimalType d) {
        Decimal v = Decimal.apply(new BigDecimal(raw));
        if (!v.changePrecision(d.precision(), d.scale())) {
          throw new IllegalArgumentException("does not fit " + d.simpleString());
        }
        return v;
      } else if (type instanceof DateType) {
        // Spark's Cast of a string to date (DateTimeUtils.stringToDate), which a user-typed column
        // gets in castPartValueToDesiredType: 2024-1-5 and 2024-01-05T10:00 too; an inferred date
        // (strict yyyy-MM-dd) casts the same.
        scala.Option<Object> days = DateTimeUtils.stringToDate(UTF8String.fromString(raw));
        if (days.isEmpty()) {
          throw new IllegalArgumentException("not a date yyyy-[m]m-[d]d");
        }
        return days.get();
      } else if (isTimestamp(type)) {
        // Spark's Cast of the unescaped string to the timestamp type, else of the raw string to a
        // date at the start of its day (castPartValueToDesiredType).
        UTF8String s = UTF8String.fromString(unescapePathName(raw));
        scala.Option<Object> micros = type instanceof TimestampType ? DateTimeUtils.stringToTimestamp(s, zone)
            : DateTimeUtils.stringToTimestampWithoutTimeZone(s);
        if (micros.isDefined()) {
          return micros.get();
        }
        scala.Option<Object> days = DateTimeUtils.stringToDate(UTF8String.fromString(raw));
        if (days.isEmpty()) {
          throw new IllegalArgumentException("not a timestamp yyyy-MM-dd HH:mm:ss[.S]");
        }
        LocalDateTime t = LocalDate.ofEpochDay((Integer) days.get()).atStartOfDay();
        java.time.Instant instant = type instanceof TimestampType ? t.atZone(zone).toInstant() : t.toInstant(ZoneOffset.UTC);
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
      } else if (type instanceof BooleanType) {
        // Scala's String.toBoolean, as castPartValueToDesiredType: true or false in any case, else an
        // error (Boolean.parseBoolean would read any other word as false).
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
          return raw.equalsIgnoreCase("true");
        }
        throw new IllegalArgumentException("not a boolean true or false");
      } else if (type instanceof BinaryType) {
        return raw.getBytes(StandardCharsets.UTF_8);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    throw new IllegalArgumentException("partition columns of type " + type.simpleString() + " are not supported");
  }

  private static LocalDate parseDate(String s) {
    try {
      return LocalDate.parse(s, DATE);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static LocalDateTime parseTimestamp(String s) {
    try {
      return LocalDateTime.parse(s, TIMESTAMP);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
