package io.torchtensor.source;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.Statistics;
import org.apache.spark.sql.connector.read.SupportsReportStatistics;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;

/** A scan of the table's files that its partition filters keep, with its pruned columns and pushed limit. */
final class TorchTensorScan implements Scan, SupportsReportStatistics {

  private final SparkSession spark;
  private final TorchTensorTable table;
  private final List<ListedFile> files;
  private final Filter[] partitionFilters;
  private final StructType readSchema;
  private final ReadSpec spec;
  private TorchTensorBatch batch;

  TorchTensorScan(SparkSession spark, TorchTensorTable table, List<ListedFile> files, Filter[] partitionFilters,
      StructType readSchema, ReadSpec spec) {
    this.spark = spark;
    this.table = table;
    this.files = files;
    this.partitionFilters = partitionFilters.clone();
    this.readSchema = readSchema;
    this.spec = spec;
  }

  /** The files this scan reads: the table's, less those its partition filters rule out. */
  List<ListedFile> files() {
    return files;
  }

  TorchTensorTable table() {
    return table;
  }

  ReadSpec spec() {
    return spec;
  }

  @Override
  public StructType readSchema() {
    return readSchema;
  }

  @Override
  public String description() {
    return "torchtensor [layout=" + (spec.tensorsLayout() ? "tensors" : "rows") + ", files=" + files.size()
        + (partitionFilters.length == 0 ? "" : " of " + table.files().size() + ", partitionFilters="
            + Arrays.toString(partitionFilters))
        + (spec.keys().acceptsAll() ? "" : ", keys=" + spec.keys())
        + (spec.limit() >= 0 ? ", limit=" + spec.limit() : "") + "]";
  }

  @Override
  public Batch toBatch() {
    if (batch == null) {
      batch = new TorchTensorBatch(spark, table, files, spec);
    }
    return batch;
  }

  /** Every partition is read as Arrow batches; Spark need not ask partition by partition. */
  @Override
  public ColumnarSupportMode columnarSupportMode() {
    return ColumnarSupportMode.SUPPORTED;
  }

  /**
   * The listed files' total size, so the optimizer can weigh this scan (broadcast joins); the row
   * count is unknown without opening every header.
   */
  @Override
  public Statistics estimateStatistics() {
    long total = 0;
    for (ListedFile f : files) {
      total += f.length();
    }
    OptionalLong size = OptionalLong.of(total);
    return new Statistics() {
      @Override
      public OptionalLong sizeInBytes() {
        return size;
      }

      @Override
      public OptionalLong numRows() {
        return OptionalLong.empty();
      }
    };
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return TorchTensorMetrics.supported();
  }
}
