package io.torchtensor.source;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The files given to {@code load}, as one table, listed once through Hadoop when the table is made,
 * with the partition columns of their directories ({@link PartitionDiscovery}).
 * With a user schema, the {@code rows} layout reads exactly its columns: a file's rows are counted
 * from the tensors the schema names (or those of the {@code keys} option when given).
 */
final class TorchTensorTable implements SupportsRead {

  private final SparkSession spark;
  private final ReadConf conf;
  private final StructType schema;
  private final StructType dataSchema;
  private final boolean userSchema;
  private final PartitionDiscovery.Listing listing;
  private final Map<String, Long> rowCounts;

  /**
   * @param schema     the table's columns: {@code dataSchema}, then the partition columns
   * @param dataSchema the columns read from the files
   * @param listing    the files and their partition values
   */
  TorchTensorTable(SparkSession spark, ReadConf conf, StructType schema, StructType dataSchema, boolean userSchema,
      PartitionDiscovery.Listing listing, Map<String, Long> rowCounts) {
    this.spark = spark;
    this.conf = conf;
    this.schema = schema;
    this.dataSchema = dataSchema;
    this.userSchema = userSchema;
    this.listing = listing;
    this.rowCounts = rowCounts;
  }

  @Override
  public String name() {
    return "torchtensor " + conf.paths();
  }

  /**
   * Spark 4 marks {@code Table.schema()} deprecated in favour of {@code columns()}, whose default
   * derives the columns from this schema; overriding it keeps the field metadata intact.
   */
  @Override
  @SuppressWarnings("deprecation")
  public StructType schema() {
    return schema;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.BATCH_READ);
  }

  ReadConf readConf() {
    return conf;
  }

  /**
   * Each listed file's row count by path, as schema inference read it from the headers under the
   * table's keys; null when the table was not inferred (user schema, tensors layout).
   */
  Map<String, Long> rowCounts() {
    return rowCounts;
  }

  /** Every listed file; a scan reads those its partition filters keep ({@link TorchTensorScanBuilder}). */
  List<ListedFile> files() {
    return listing.files();
  }

  /** The partition columns and each file's values; empty when the files are not partitioned. */
  PartitionDiscovery.Spec partitions() {
    return listing.partitions();
  }

  /**
   * The Hadoop conf of this read: the context's, plus session entries {@code spark.hadoop.*}, plus
   * every read option that is not a torchtensor option (so {@code fs.s3a.*} can be set per read).
   */
  Configuration hadoopConf() {
    return hadoopConf(spark, conf.options());
  }

  static Configuration hadoopConf(SparkSession spark, CaseInsensitiveStringMap options) {
    Configuration c = new Configuration(spark.sparkContext().hadoopConfiguration());
    for (Map.Entry<String, String> e : scala.jdk.javaapi.CollectionConverters.asJava(spark.conf().getAll()).entrySet()) {
      if (e.getKey().startsWith("spark.hadoop.")) {
        c.set(e.getKey().substring("spark.hadoop.".length()), e.getValue());
      }
    }
    for (Map.Entry<String, String> e : options.asCaseSensitiveMap().entrySet()) {
      boolean own = false;
      for (String o : ReadOptions.ALL) {
        own |= o.equalsIgnoreCase(e.getKey());
      }
      if (!own) {
        c.set(e.getKey(), e.getValue());
      }
    }
    return c;
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    conf.device();
    KeyFilter keys = new KeyFilter(conf.keys());
    if (userSchema && keys.acceptsAll() && !conf.tensorsLayout()) {
      List<String> names = new java.util.ArrayList<>();
      for (StructField f : dataSchema.fields()) {
        names.add(f.name());
      }
      keys = KeyFilter.exact(names);
    }
    ReadSpec spec = new ReadSpec(conf.tensorsLayout(), schema.json(), keys, conf.batchRows(), conf.batchBytes(),
        conf.failFast(), conf.ignoreCorruptFiles(), conf.ignoreMissingFiles(), -1,
        listing.partitions().schema().json());
    return new TorchTensorScanBuilder(spark, this, spec);
  }
}
