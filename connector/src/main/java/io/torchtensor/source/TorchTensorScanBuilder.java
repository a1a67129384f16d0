package io.torchtensor.source;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownLimit;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Column pruning (only the requested tensors' bytes are read; none for {@code count()}) and limit
 * pushdown (each partition stops after the limit; Spark still applies the limit on top).
 */
final class TorchTensorScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns, SupportsPushDownLimit {

  private final SparkSession spark;
  private final TorchTensorTable table;
  private final ReadSpec base;
  private StructType required;
  private long limit = -1;

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
  public Scan build() {
    return new TorchTensorScan(spark, table, required, base.withSchema(required.json()).withLimit(limit));
  }
}
