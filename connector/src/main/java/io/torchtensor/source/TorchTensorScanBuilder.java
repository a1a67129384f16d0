package io.torchtensor.source;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.connector.read.SupportsPushDownFilters;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownLimit;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Column pruning (only the requested tensors' bytes are read; none for {@code count()}), limit
 * pushdown (each partition stops after the limit; Spark still applies the limit on top), and
 * partition filters: a filter on partition columns only is decided per file on the driver
 * ({@link PartitionFilters}) and the scan reads only the files it keeps; Spark gets back every
 * other filter (those on tensor columns, and any this source cannot decide) to evaluate on rows.
 */
final class TorchTensorScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns, SupportsPushDownLimit,
    SupportsPushDownFilters {

  private final SparkSession spark;
  private final TorchTensorTable table;
  private final ReadSpec base;
  private StructType required;
  private long limit = -1;
  private final List<Filter> pushed = new ArrayList<>();

  TorchTensorScanBuilder(SparkSession spark, TorchTensorTable table, ReadSpec base) {
    this.spark = spark;
    this.table = table;
    this.base = base;
    this.required = table.schema();
  }

  /** Keeps the table's own fields (with their tensor metadata) in the order Spark asks for them. */
  @Override
  public void pruneColumns(StructType requiredSchema) {
    List<StructField> kept = new ArrayList<>();
    StructType full = table.schema();
    for (StructField f : requiredSchema.fields()) {
      StructField own = null;
      for (StructField t : full.fields()) {
        if (t.name().equals(f.name())) {
          own = t;
        }
      }
      if (own == null) {
        for (StructField t : full.fields()) {
          if (t.name().equalsIgnoreCase(f.name())) {
            own = t;
          }
        }
      }
      kept.add(own != null ? own : f);
    }
    required = new StructType(kept.toArray(new StructField[0]));
  }

  @Override
  public boolean pushLimit(int n) {
    limit = n;
    return true;
  }

  @Override
  public boolean isPartiallyPushed() {
    return true;
  }

  @Override
  public Filter[] pushFilters(Filter[] filters) {
    PartitionDiscovery.Spec parts = table.partitions();
    if (parts.isEmpty()) {
      return filters;
    }
    PartitionFilters eval = new PartitionFilters(parts.schema(), table.readConf().caseSensitive());
    List<Filter> rest = new ArrayList<>();
    for (Filter f : filters) {
      if (eval.onPartitionColumnsOnly(f) && eval.decidable(f, parts.values().values())) {
        pushed.add(f);
      } else {
        rest.add(f);
      }
    }
    return rest.toArray(new Filter[0]);
  }

  @Override
  public Filter[] pushedFilters() {
    return pushed.toArray(new Filter[0]);
  }

  @Override
  public Scan build() {
    List<ListedFile> files = table.files();
    if (!pushed.isEmpty()) {
      PartitionDiscovery.Spec parts = table.partitions();
      PartitionFilters eval = new PartitionFilters(parts.schema(), table.readConf().caseSensitive());
      List<ListedFile> kept = new ArrayList<>();
      for (ListedFile f : files) {
        boolean keep = true;
        for (Filter p : pushed) {
          keep &= eval.keeps(p, parts.valuesOf(f.path()));
        }
        if (keep) {
          kept.add(f);
        }
      }
      files = kept;
    }
    return new TorchTensorScan(spark, table, files, pushedFilters(), required,
        base.withSchema(required.json()).withLimit(limit));
  }
}
