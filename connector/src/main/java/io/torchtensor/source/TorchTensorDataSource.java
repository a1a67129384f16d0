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
  private List<ListedFile> inferredFiles;
  private Map<String, Long> inferredRows;

  @Override
  public String shortName() {
    return "torchtensor";
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    SparkSession spark = SparkSession.active();
    ReadConf conf = new ReadConf(spark, options);
    conf.device();
    if (conf.tensorsLayout()) {
      return SchemaInference.tensorsSchema();
    }
    List<ListedFile> files = FileLister.list(conf.paths(), TorchTensorTable.hadoopConf(spark, conf.options()),
        conf.pathGlobFilter(), conf.recursiveFileLookup());
    if (files.isEmpty()) {
      throw new TorchTensorSchemaException("no torchtensor files found in " + conf.paths()
          + " (names starting with _ or . are skipped" + (conf.pathGlobFilter() == null ? "" : ", pathGlobFilter="
          + conf.pathGlobFilter()) + (conf.recursiveFileLookup() ? "" : "; sub-directories are read with"
          + " recursiveFileLookup=true") + "); a schema cannot be inferred");
    }
    Map<String, Long> rows = new HashMap<>();
    StructType schema = SchemaInference.rowsSchema(spark, files, TorchTensorTable.hadoopConf(spark, conf.options()),
        new KeyFilter(conf.keys()), conf.mergeSchema(), conf.failFast(), conf.ignoreCorruptFiles(),
        conf.ignoreMissingFiles(), rows);
    inferredFor = options.asCaseSensitiveMap();
    inferred = schema;
    inferredFiles = files;
    inferredRows = Collections.unmodifiableMap(rows);
    return schema;
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    SparkSession spark = SparkSession.active();
    ReadConf conf = new ReadConf(spark, properties);
    boolean fromInference = schema.equals(inferred) && properties.equals(inferredFor);
    if (conf.tensorsLayout()) {
      if (!schema.equals(SchemaInference.tensorsSchema())) {
        checkTensorsSchema(schema);
      }
      return new TorchTensorTable(spark, conf, schema, false, null, null);
    }
    // The inferred row counts hold for the keys of inference, which are the table's unless a user
    // schema names the columns (then its names are the keys): only an inferred table keeps them.
    return new TorchTensorTable(spark, conf, schema, !fromInference, fromInference ? inferredFiles : null,
        fromInference ? inferredRows : null);
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
