package io.torchtensor.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.junit.jupiter.api.Test;

/** Metric classes as Spark uses them: instantiated by name, task values summed. */
class TorchTensorMetricsTest {

  @Test
  void everyMetricCanBeInstantiatedByNameAndSums() throws Exception {
    ReadCounters c = new ReadCounters();
    c.filesRead = 2;
    c.bytesRead = 3 << 20;
    c.filesDropped = 1;
    var values = TorchTensorMetrics.values(c);
    CustomMetric[] metrics = TorchTensorMetrics.supported();
    assertThat(metrics).extracting(CustomMetric::name).containsExactly("filesRead", "tensorsRead", "bytesRead",
        "readCalls", "batches", "filesDropped");
    assertThat(values).extracting(v -> v.name()).containsExactly("filesRead", "tensorsRead", "bytesRead",
        "readCalls", "batches", "filesDropped");
    for (CustomMetric m : metrics) {
      CustomMetric byName = (CustomMetric) Class.forName(m.getClass().getName()).getConstructor().newInstance();
      assertThat(byName.name()).isEqualTo(m.name());
      assertThat(byName.description()).startsWith("torchtensor ");
    }
    assertThat(new TorchTensorMetrics.FilesRead().aggregateTaskMetrics(new long[] {2, 3})).isEqualTo("5");
    assertThat(new TorchTensorMetrics.BytesRead().aggregateTaskMetrics(new long[] {1023})).isEqualTo("1023 B");
    assertThat(new TorchTensorMetrics.BytesRead().aggregateTaskMetrics(new long[] {1024, 512})).isEqualTo("1.5 KiB");
    assertThat(new TorchTensorMetrics.BytesRead().aggregateTaskMetrics(new long[] {3L << 30})).isEqualTo("3.0 GiB");
  }
}
