package io.torchtensor.source;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/**
 * Scan metrics shown in the Spark UI's SQL tab. Spark instantiates each metric class by name with
 * its no-arg constructor to aggregate task values, so each is a public static class.
 */
public final class TorchTensorMetrics {

  static final String FILES_READ = "filesRead";
  static final String TENSORS_READ = "tensorsRead";
  static final String BYTES_READ = "bytesRead";
  static final String READ_CALLS = "readCalls";
  static final String BATCHES = "batches";
  static final String FILES_DROPPED = "filesDropped";

  private TorchTensorMetrics() {
  }

  static CustomMetric[] supported() {
    return new CustomMetric[] {new FilesRead(), new TensorsRead(), new BytesRead(), new ReadCalls(),
        new Batches(), new FilesDropped()};
  }

  static CustomTaskMetric[] values(ReadCounters c) {
    return new CustomTaskMetric[] {
        task(FILES_READ, c.filesRead), task(TENSORS_READ, c.tensorsRead), task(BYTES_READ, c.bytesRead),
        task(READ_CALLS, c.readCalls), task(BATCHES, c.batches), task(FILES_DROPPED, c.filesDropped)};
  }

  /**
   * One task's values from two reads of it (a file-to-file copy and a partition reader), added by
   * name: Spark sets a task's metric to the value it is given ({@code CustomMetrics.updateMetrics}),
   * so a task that read two ways posts the sum once.
   */
  public static CustomTaskMetric[] sum(CustomTaskMetric[] a, CustomTaskMetric[] b) {
    java.util.Map<String, Long> total = new java.util.LinkedHashMap<>();
    for (CustomTaskMetric m : a) {
      total.merge(m.name(), m.value(), Math::addExact);
    }
    for (CustomTaskMetric m : b) {
      total.merge(m.name(), m.value(), Math::addExact);
    }
    CustomTaskMetric[] out = new CustomTaskMetric[total.size()];
    int i = 0;
    for (java.util.Map.Entry<String, Long> e : total.entrySet()) {
      out[i++] = task(e.getKey(), e.getValue());
    }
    return out;
  }

  private static CustomTaskMetric task(String name, long value) {
    return new CustomTaskMetric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long value() {
        return value;
      }
    };
  }

  /** Files opened (headers read). */
  public static final class FilesRead extends CustomSumMetric {
    @Override
    public String name() {
      return FILES_READ;
    }

    @Override
    public String description() {
      return "torchtensor files read";
    }
  }

  /** Tensors whose bytes were read (per file and column, or per tensors-layout row with data). */
  public static final class TensorsRead extends CustomSumMetric {
    @Override
    public String name() {
      return TENSORS_READ;
    }

    @Override
    public String description() {
      return "torchtensor tensors read";
    }
  }

  /** Bytes read from storage: headers and tensor data. */
  public static final class BytesRead extends CustomSumMetric {
    @Override
    public String name() {
      return BYTES_READ;
    }

    @Override
    public String description() {
      return "torchtensor bytes read";
    }

    /** Shown as a size ({@code 1.5 GiB}) rather than a bare byte count. */
    @Override
    public String aggregateTaskMetrics(long[] taskMetrics) {
      long sum = 0;
      for (long v : taskMetrics) {
        sum += v;
      }
      return bytesToString(sum);
    }
  }

  static String bytesToString(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** Positioned read calls made on storage. */
  public static final class ReadCalls extends CustomSumMetric {
    @Override
    public String name() {
      return READ_CALLS;
    }

    @Override
    public String description() {
      return "torchtensor read calls";
    }
  }

  /** Arrow batches produced. */
  public static final class Batches extends CustomSumMetric {
    @Override
    public String name() {
      return BATCHES;
    }

    @Override
    public String description() {
      return "torchtensor batches";
    }
  }

  /** Files skipped: malformed (DROPMALFORMED, ignoreCorruptFiles) or missing (ignoreMissingFiles). */
  public static final class FilesDropped extends CustomSumMetric {
    @Override
    public String name() {
      return FILES_DROPPED;
    }

    @Override
    public String description() {
      return "torchtensor files dropped";
    }
  }
}
