package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.TensorFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad, vanished and unsupported inputs: named errors in FAILFAST, skipped and counted otherwise. */
class FileErrorsTest extends SparkTestSupport {

  private static TensorFormatException formatCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TensorFormatException) {
        return (TensorFormatException) c;
      }
    }
    throw new AssertionError("no TensorFormatException in the cause chain of " + t, t);
  }

  @Test
  void failFastOnTheDriverNamesTheFile() {
    assertThatThrownBy(() -> spark().read().format("torchtensor").load(data("corrupt")))
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("Cannot read torchtensor file")
        .hasMessageContaining("corrupt/bad.pt")
        .hasMessageContaining("mode=DROPMALFORMED")
        .satisfies(e -> assertThat(formatCause(e).reason())
            .isEqualTo(TensorFormatException.Reason.NOT_A_TENSOR_FILE));
  }

  @Test
  void failFastOnExecutorsNamesTheFile() {
    Dataset<Row> df = spark().read().format("torchtensor").schema("x array<float>, y bigint").load(data("corrupt"));
    assertThatThrownBy(df::collectAsList)
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("Cannot read torchtensor file")
        .hasMessageContaining("corrupt/bad.pt")
        .satisfies(e -> assertThat(formatCause(e).reason())
            .isEqualTo(TensorFormatException.Reason.NOT_A_TENSOR_FILE));
  }

  @Test
  void dropMalformedSkipsAndCountsTheBadFile() {
    for (String[] opt : new String[][] {{"mode", "DROPMALFORMED"}, {"ignoreCorruptFiles", "true"}}) {
      Dataset<Row> df = spark().read().format("torchtensor").option(opt[0], opt[1]).load(data("corrupt"));
      assertThat(df.columns()).containsExactly("x", "y");
      assertThat(Values.columnSha(df.collectAsList(), "x"))
          .isEqualTo(expected("spark/corrupt/good.pt").get("spark_sha256").get("x").asText());
      assertThat(metric(df, "filesDropped")).as(opt[0]).isEqualTo(1);
      assertThat(metric(df, "filesRead")).as(opt[0]).isEqualTo(1);
    }
  }

  @Test
  void vanishedFilesFailOrAreSkipped(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 4; i++) {
      Files.copy(Path.of(data("shards/part-" + i + ".pt")), dir.resolve("part-" + i + ".pt"));
    }
    Dataset<Row> strict = spark().read().format("torchtensor").load(dir.toString());
    Dataset<Row> lenient = spark().read().format("torchtensor").option("ignoreMissingFiles", "true")
        .load(dir.toString());
    Files.delete(dir.resolve("part-0.pt"));
    assertThatThrownBy(strict::collectAsList)
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("part-0.pt")
        .hasMessageContaining("ignoreMissingFiles=true");
    assertThat(lenient.collectAsList()).hasSize(119 - 5);
    assertThat(metric(lenient, "filesDropped")).isEqualTo(1);
  }

  @Test
  void devicesOtherThanCpuNameTheOptionalArtifact() {
    for (String device : new String[] {"cuda", "djl-cpu"}) {
      assertThatThrownBy(() -> spark().read().format("torchtensor").option("device", device).load(data("shards")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("device=" + device)
          .hasMessageContaining("ai.djl.pytorch:pytorch-engine");
    }
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("device", "tpu").load(data("shards")))
        .hasMessageContaining("option device: expected cpu, auto, djl-cpu or cuda, got 'tpu'");
    assertThat(spark().read().format("torchtensor").option("device", "AUTO").load(data("safetensors")).count())
        .isEqualTo(19);
  }

  @Test
  void invalidOptionValuesAreNamed() {
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("layout", "grid").load(data("shards")))
        .hasMessage("option layout: expected rows or tensors, got 'grid'");
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("mode", "PERMISSIVE").load(data("shards")))
        .hasMessageContaining("option mode: expected FAILFAST or DROPMALFORMED, got 'PERMISSIVE'");
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("batchRows", "0").load(data("shards"))
        .collectAsList())
        .hasMessageContaining("option batchRows: expected 1 to 2147483647, got 0");
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("batchBytes", "lots").load(data("shards"))
        .collectAsList())
        .hasMessageContaining("option batchBytes: expected a size such as 1048576 or 64m, got 'lots'");
    assertThatThrownBy(() -> spark().read().format("torchtensor").option("mergeSchema", "yes").load(data("shards")))
        .hasMessage("option mergeSchema: expected true or false, got 'yes'");
  }

  @Test
  void missingPathAndEmptyFolderAreNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> spark().read().format("torchtensor").load(dir.resolve("nope").toString()))
        .hasMessageContaining("path does not exist")
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> spark().read().format("torchtensor").load(dir.toString()))
        .isInstanceOf(TorchTensorSchemaException.class)
        .hasMessageContaining("no torchtensor files found in [" + dir);
  }
}
