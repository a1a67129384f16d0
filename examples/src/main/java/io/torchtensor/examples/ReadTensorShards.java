package io.torchtensor.examples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.size;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a file or folder of PyTorch tensor files with the torchtensor source, in both layouts.
 *
 * <pre>
 * mvn -B -q -pl connector,examples package -DskipTests
 * spark-submit --class io.torchtensor.examples.ReadTensorShards \
 *   --jars connector/target/torchtensor-connector-0.1.0-SNAPSHOT.jar \
 *   examples/target/torchtensor-examples-0.1.0-SNAPSHOT.jar /path/to/shards [label-column]
 * </pre>
 *
 * <p>The {@code rows} layout gives one row per leading index of the tensors (a tensor of shape
 * [N, d1, ...] is an {@code array} column whose metadata holds the per-row shape and the torch dtype);
 * the {@code tensors} layout gives one row per tensor with its bytes.
 */
public final class ReadTensorShards {

  private ReadTensorShards() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: ReadTensorShards <file-or-folder> [label-column]");
      System.exit(2);
    }
    SparkSession spark = SparkSession.builder().appName("read-tensor-shards")
        .master(System.getProperty("spark.master", "local[2]"))
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Dataset<Row> rows = spark.read().format("torchtensor").load(args[0]);
      rows.printSchema();
      rows.schema().foreach(f -> {
        System.out.println(f.name() + ": " + f.metadata().json());
        return null;
      });
      System.out.println("rows: " + rows.count());
      if (args.length > 1) {
        rows.groupBy(col(args[1])).agg(count("*").alias("rows")).orderBy(col(args[1])).show();
      }

      Dataset<Row> tensors = spark.read().format("torchtensor").option("layout", "tensors").load(args[0]);
      tensors.select(col("path"), col("key"), col("dtype"), col("shape"), col("device"),
          col("requires_grad"), size(col("shape")).alias("dims")).show(20, false);
    } finally {
      spark.stop();
    }
  }
}
