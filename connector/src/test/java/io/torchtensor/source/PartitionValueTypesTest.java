package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Spark's partition value rules, value by value: Hive's unescaping, the inference order, and the
 * widening table of {@code PartitioningUtils.inferPartitionColumnValue}.
 */
class PartitionValueTypesTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a%3Db|a=b", "10%3A00%3A00|10:00:00", "100%|100%", "%zz|%zz", "%4|%4", "%41%42|AB", "plain|plain",
      "%25|%"})
  void unescapesAsHive(String raw, String want) {
    assertThat(PartitionValueTypes.unescapePathName(raw)).isEqualTo(want);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1|int", "-2147483648|int", "2147483648|bigint", "12345678901234567890|decimal(20,0)", "1.5|double",
      "1.0|double", "2024-01-01|date", "2024-01-01 10%3A00%3A00|timestamp", "2024-01-01 10%3A00%3A00.123|timestamp",
      "2024-13-01|string", "2024-1-1|string", "x1|string", "__HIVE_DEFAULT_PARTITION__|void"})
  void infersAsSpark(String raw, String type) {
    assertThat(PartitionValueTypes.infer(raw, true, false).simpleString()).isEqualTo(type);
    assertThat(PartitionValueTypes.infer(raw, false, false).simpleString())
        .isEqualTo(type.equals("void") ? "void" : "string");
  }

  @Test
  void widensAlongSparksTable() {
    DataType dec = DataTypes.createDecimalType(20, 0);
    DataType[][] cases = {
        {DataTypes.NullType, DataTypes.DateType, DataTypes.DateType},
        {DataTypes.IntegerType, DataTypes.LongType, DataTypes.LongType},
        {DataTypes.IntegerType, dec, dec},
        {DataTypes.LongType, dec, dec},
        {DataTypes.IntegerType, DataTypes.DoubleType, DataTypes.DoubleType},
        {DataTypes.LongType, DataTypes.DoubleType, DataTypes.StringType},
        {dec, DataTypes.DoubleType, DataTypes.StringType},
        {DataTypes.DateType, DataTypes.TimestampType, DataTypes.TimestampType},
        {DataTypes.IntegerType, DataTypes.DateType, DataTypes.StringType},
        {DataTypes.DoubleType, DataTypes.TimestampType, DataTypes.StringType},
    };
    for (DataType[] c : cases) {
      assertThat(PartitionValueTypes.wider(c[0], c[1])).as(c[0] + " with " + c[1]).isEqualTo(c[2]);
      assertThat(PartitionValueTypes.wider(c[1], c[0])).as(c[1] + " with " + c[0]).isEqualTo(c[2]);
    }
  }

  @Test
  void castsToInternalValues() {
    ZoneId utc = ZoneId.of("UTC");
    assertThat(PartitionValueTypes.cast("a%3Db", DataTypes.StringType, utc)).isEqualTo(UTF8String.fromString("a=b"));
    assertThat(PartitionValueTypes.cast("007", DataTypes.IntegerType, utc)).isEqualTo(7);
    assertThat(PartitionValueTypes.cast("1970-01-02", DataTypes.DateType, utc)).isEqualTo(1);
    assertThat(PartitionValueTypes.cast("1970-01-01 00%3A00%3A01.5", DataTypes.TimestampType, utc))
        .isEqualTo(1_500_000L);
    assertThat(PartitionValueTypes.cast("1970-01-02", DataTypes.TimestampType, utc)).isEqualTo(86_400_000_000L);
    assertThat(PartitionValueTypes.cast("7", DataTypes.createDecimalType(20, 0), utc)).isEqualTo(Decimal.apply(7));
    assertThat(PartitionValueTypes.cast("__HIVE_DEFAULT_PARTITION__", DataTypes.IntegerType, utc)).isNull();
    assertThatThrownBy(() -> PartitionValueTypes.cast("x", DataTypes.IntegerType, utc))
        .isInstanceOf(IllegalArgumentException.class);
    // A user-typed column gets Spark's Cast, laxer than inference's patterns.
    assertThat(PartitionValueTypes.cast("2024-1-5", DataTypes.DateType, utc)).isEqualTo(19727);
    assertThat(PartitionValueTypes.cast("2024-01-02T03%3A04%3A05", DataTypes.TimestampType, utc))
        .isEqualTo(1_704_164_645_000_000L);
    assertThat(PartitionValueTypes.cast("2024-01-02T03%3A04%3A05", DataTypes.TimestampNTZType, utc))
        .isEqualTo(1_704_164_645_000_000L);
    assertThatThrownBy(() -> PartitionValueTypes.cast("2024-13-01", DataTypes.DateType, utc))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(PartitionValueTypes.cast("TRUE", DataTypes.BooleanType, utc)).isEqualTo(true);
    assertThat(PartitionValueTypes.cast("false", DataTypes.BooleanType, utc)).isEqualTo(false);
    // Spark fails the read (INVALID_PARTITION_VALUE), or gives null without validation.
    assertThatThrownBy(() -> PartitionValueTypes.cast("yes", DataTypes.BooleanType, utc))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
