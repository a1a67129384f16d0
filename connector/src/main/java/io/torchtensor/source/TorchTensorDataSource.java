package io.torchtensor.source;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code torchtensor} data source: PyTorch tensor files ({@code torch.save}, safetensors) as a
 * table, read on executors by a pure-Java reader.
 *
 * <pre>{@code
 * Dataset<Row> df = spark.read().format("torchtensor").load("/data/shards/");   // rows layout
 * df.printSchema();   // features: array<float> (metadata torchtensor.shape [3,8,8]), labels: bigint
 * Dataset<Row> t = spark.read().format("torchtensor").option("layout", "tensors").load("/ckpt/epoch-9.pt");
 * // path | key | dtype | shape | device | requires_grad | data
 * }</pre>
 *
 * <p>Options: {@link ReadOptions}. The schema is inferred from file headers only (no tensor byte),
 * or given with {@code .schema(...)}.
 */
public final class TorchTensorDataSource implements TableProvider, DataSourceRegister {

  /** Listing and schema from the last {@link #inferSchema}, reused by {@link #getTable} of the same load. */
  private Map<String, String> inferredFor;
  private StructType inferred;
  private PartitionDiscovery.Listing inferredListing;
  private Map<String, Long> inferredRows;

  @Override
  public String shortName() {
    return "torchtensor";
  }

  /**
   * The tensor columns (from the headers, or the tensors layout's fixed columns), then the partition
   * columns of Hive-style directories ({@link PartitionDiscovery}), as Spark's file sources append them.
   */
  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    SparkSession spark = SparkSession.active();
    ReadConf conf = new ReadConf(spark, options);
    conf.device();
    PartitionDiscovery.Listing listing = PartitionDiscovery.list(conf,
        TorchTensorTable.hadoopConf(spark, conf.options()), null);
    List<ListedFile> files = listing.files();
    Map<String, Long> rows = new HashMap<>();
    StructType data;
    if (conf.tensorsLayout()) {
      data = SchemaInference.tensorsSchema();
      rows = null;
    } else {
      if (files.isEmpty()) {
        throw new TorchTensorSchemaException("no torchtensor files found in " + conf.paths()
            + " (names starting with _ or . are skipped" + (conf.pathGlobFilter() == null ? "" : ", pathGlobFilter="
            + conf.pathGlobFilter()) + (conf.recursiveFileLookup() ? "" : "; sub-directories other than partition"
            + " directories name=value are read with recursiveFileLookup=true") + "); a schema cannot be inferred");
      }
      data = SchemaInference.rowsSchema(spark, files, TorchTensorTable.hadoopConf(spark, conf.options()),
          new KeyFilter(conf.keys()), conf.mergeSchema(), conf.failFast(), conf.ignoreCorruptFiles(),
          conf.ignoreMissingFiles(), rows);
    }
    StructType schema = PartitionDiscovery.tableSchema(data, listing.partitions(), conf.caseSensitive());
    inferredFor = options.asCaseSensitiveMap();
    inferred = schema;
    inferredListing = listing;
    inferredRows = rows == null ? null : Collections.unmodifiableMap(rows);
    return schema;
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    SparkSession spark = SparkSession.active();
    ReadConf conf = new ReadConf(spark, properties);
    boolean fromInference = schema.equals(inferred) && properties.equals(inferredFor);
    PartitionDiscovery.Listing listing = fromInference ? inferredListing
        : PartitionDiscovery.list(conf, TorchTensorTable.hadoopConf(spark, conf.options()), schema);
    PartitionDiscovery.Spec parts = listing.partitions();
    // A user schema's partition columns are the discovered ones (typed as the schema says); the
    // rest are its tensor columns.
    List<StructField> dataFields = new java.util.ArrayList<>();
    for (StructField f : schema.fields()) {
      if (PartitionDiscovery.userField(parts.schema(), f.name(), conf.caseSensitive()) == null) {
        dataFields.add(f);
      }
    }
    StructType data = new StructType(dataFields.toArray(new StructField[0]));
    StructType full = PartitionDiscovery.tableSchema(data, parts, conf.caseSensitive());
    if (conf.tensorsLayout()) {
      if (!data.equals(SchemaInference.tensorsSchema())) {
        checkTensorsSchema(data);
      }
      return new TorchTensorTable(spark, conf, full, data, false, listing, null);
    }
    // The inferred row counts hold for the keys of inference, which are the table's unless a user
    // schema names the columns (then its names are the keys): only an inferred table keeps them.
    return new TorchTensorTable(spark, conf, full, data, !fromInference, listing, fromInference ? inferredRows : null);
  }

  /** A user schema for the tensors layout may only name its columns, with their types. */
  private static void checkTensorsSchema(StructType schema) {
    StructType full = SchemaInference.tensorsSchema();
    for (StructField f : schema.fields()) {
      Optional<StructField> own = Arrays.stream(full.fields()).filter(x -> x.name().equals(f.name())).findFirst();
      if (own.isEmpty() || !DataType.equalsIgnoreNullability(own.get().dataType(), f.dataType())) {
        throw new TorchTensorSchemaException("column " + f.name() + " " + f.dataType().simpleString()
            + " is not a tensors-layout column; the layout's columns are " + full.simpleString());
      }
    }
  }

  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }
}
