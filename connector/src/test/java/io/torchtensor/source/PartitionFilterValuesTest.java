package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * A directory is pruned only when Spark's own evaluation of the filter on its values is not true:
 * doubles compare as SQL compares them, and date and timestamp values pushed as {@code java.sql}
 * objects are read back as Spark wrote them, calendar rebase included.
 */
class PartitionFilterValuesTest {

  private static final ZoneId ZONE = ZoneId.systemDefault();

  private static boolean keeps(String column, String raw, org.apache.spark.sql.types.DataType type, Filter f) {
    StructType schema = new StructType().add(column, type);
    Object value = PartitionValueTypes.cast(raw, type, ZONE);
    return new PartitionFilters(schema, false).keeps(f, new Object[] {value});
  }

  @Test
  void negativeZeroEqualsZeroAsInSql() {
    // Spark: a directory d=-0.0 has rows where d = 0.0 (SQLOrderingUtil.compareDoubles).
    assertThat(keeps("d", "-0.0", DataTypes.DoubleType, new EqualTo("d", 0.0d))).isTrue();
    assertThat(keeps("d", "0.0", DataTypes.DoubleType, new In("d", new Object[] {-0.0d}))).isTrue();
    assertThat(keeps("d", "-0.0", DataTypes.DoubleType, new GreaterThan("d", -0.0d))).isFalse();
    assertThat(keeps("d", "NaN", DataTypes.DoubleType, new EqualTo("d", Double.NaN))).isTrue();
    assertThat(keeps("d", "NaN", DataTypes.DoubleType, new GreaterThan("d", Double.POSITIVE_INFINITY))).isTrue();
  }

  @Test
  void oldTimestampsAndDatesPushedAsJavaSqlValuesMatchTheirDirectory() {
    // Without the Java 8 time API Spark pushes DateTimeUtils.toJavaTimestamp / toJavaDate of the
    // literal (CatalystTypeConverters), rebased to the Julian calendar before 1582-10-15.
    long micros = (Long) PartitionValueTypes.cast("1000-03-01 12%3A00%3A00", DataTypes.TimestampType, ZONE);
    assertThat(keeps("ts", "1000-03-01 12%3A00%3A00", DataTypes.TimestampType,
        new EqualTo("ts", DateTimeUtils.toJavaTimestamp(micros)))).isTrue();
    assertThat(keeps("ts", "2024-01-01 12%3A00%3A00", DataTypes.TimestampType,
        new EqualTo("ts", DateTimeUtils.toJavaTimestamp(micros)))).isFalse();
    int days = (Integer) PartitionValueTypes.cast("1000-03-01", DataTypes.DateType, ZONE);
    assertThat(keeps("day", "1000-03-01", DataTypes.DateType, new EqualTo("day", DateTimeUtils.toJavaDate(days))))
        .isTrue();
  }
}
