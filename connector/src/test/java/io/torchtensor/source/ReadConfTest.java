package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Option precedence: read option, then session conf, then Spark's file-source conf, then default. */
class ReadConfTest extends SparkTestSupport {

  @AfterEach
  void unset() {
    spark().conf().unset("spark.datasource.torchtensor.batchRows");
    spark().conf().unset("spark.datasource.torchtensor.maxPartitionBytes");
    spark().conf().unset("spark.sql.files.maxPartitionBytes");
  }

  @Test
  void readOptionBeatsSessionConfBeatsDefault() {
    assertThat(new ReadConf(spark(), Map.of()).batchRows()).isEqualTo(4096);
    spark().conf().set("spark.datasource.torchtensor.batchRows", "7");
    assertThat(new ReadConf(spark(), Map.of()).batchRows()).isEqualTo(7);
    assertThat(new ReadConf(spark(), Map.of("BatchRows", "3")).batchRows()).isEqualTo(3);
  }

  @Test
  void fileSourceSizesComeFromSparkUnlessSet() {
    assertThat(new ReadConf(spark(), Map.of()).maxPartitionBytes()).isEqualTo(128L << 20);
    spark().conf().set("spark.sql.files.maxPartitionBytes", "32m");
    assertThat(new ReadConf(spark(), Map.of()).maxPartitionBytes()).isEqualTo(32L << 20);
    spark().conf().set("spark.datasource.torchtensor.maxPartitionBytes", "1m");
    assertThat(new ReadConf(spark(), Map.of()).maxPartitionBytes()).isEqualTo(1L << 20);
    assertThat(new ReadConf(spark(), Map.of("maxpartitionbytes", "2048")).maxPartitionBytes()).isEqualTo(2048);
    assertThat(new ReadConf(spark(), Map.of()).openCostInBytes()).isEqualTo(4L << 20);
    assertThat(new ReadConf(spark(), Map.of()).batchBytes()).isEqualTo(64L << 20);
  }

  @Test
  void sessionDefaultsApplyToReads() {
    spark().conf().set("spark.datasource.torchtensor.batchRows", "10");
    var df = spark().read().format("torchtensor").load(data("shards/part-3.pt"));
    df.collectAsList();
    assertThat(metric(df, "batches")).isEqualTo(7);
  }
}
