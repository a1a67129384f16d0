package io.torchtensor.source;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.hadoop.conf.Configuration;

/** The physical plan of a scan: input partitions from the listed files, and the reader factory. */
final class TorchTensorBatch implements Batch {

  private final SparkSession spark;
  private final TorchTensorTable table;
  private final List<ListedFile> files;
  private final ReadSpec spec;
  private List<TorchTensorInputPartition> partitions;
  private Broadcast<SerializableHadoopConf> conf;

  TorchTensorBatch(SparkSession spark, TorchTensorTable table, List<ListedFile> files, ReadSpec spec) {
    this.spark = spark;
    this.table = table;
    this.files = files;
    this.spec = spec;
  }

  @Override
  public InputPartition[] planInputPartitions() {
    if (partitions == null) {
      ReadConf rc = table.readConf();
      long openCost = rc.openCostInBytes();
      long maxSplit = PartitionPlanner.maxSplitBytes(files, rc.maxPartitionBytes(), openCost, rc.minPartitionNum(spark));
      partitions = PartitionPlanner.plan(files, table.partitions(), !spec.tensorsLayout(), maxSplit, openCost);
    }
    return partitions.toArray(new InputPartition[0]);
  }

  /** Broadcasts the Hadoop conf once per scan: every task of every stage reuses it. */
  @Override
  public PartitionReaderFactory createReaderFactory() {
    if (conf == null) {
      Configuration hadoop = table.hadoopConf();
      conf = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new SerializableHadoopConf(hadoop));
    }
    return new TorchTensorReaderFactory(spec, conf);
  }
}
