package io.torchtensor.source;

import io.torchtensor.format.TensorFile;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the {@code rows}-layout columns of many files from their headers, for schema inference.
 * Up to {@code spark.sql.sources.parallelPartitionDiscovery.threshold} files (Spark's own threshold
 * for parallel file work on the driver, default 32) are read on the driver; more are read by a
 * Spark job, one task per core, because opening thousands of headers one by one from object storage
 * takes minutes. Failures come back per file, in listing order, for the caller to judge.
 */
final class HeaderReader {

  /** One file's columns and row count (N of its selected tensors), or why it could not be read. */
  record FileHeader(String path, List<RowsSchema.Column> columns, long rows, Exception error)
      implements Serializable {
  }

  private record Task(String path, long length) implements Serializable {
  }

  private HeaderReader() {
  }

  static List<FileHeader> read(SparkSession spark, List<ListedFile> files, Configuration conf, KeyFilter keys) {
    String t = spark.conf().get("spark.sql.sources.parallelPartitionDiscovery.threshold", "32");
    if (files.size() <= Integer.parseInt(t.trim())) {
      List<FileHeader> out = new ArrayList<>();
      for (ListedFile f : files) {
        out.add(readOne(f.path(), f.length(), conf, keys));
      }
      return out;
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableHadoopConf> bc = jsc.broadcast(new SerializableHadoopConf(conf));
    List<Task> tasks = new ArrayList<>();
    for (ListedFile f : files) {
      tasks.add(new Task(f.path(), f.length()));
    }
    int slices = Math.min(files.size(), Math.max(1, jsc.defaultParallelism()));
    jsc.setJobDescription("torchtensor: read " + files.size() + " file headers");
    try {
      return jsc.parallelize(tasks, slices).map(x -> readOne(x.path(), x.length(), bc.value().get(), keys)).collect();
    } finally {
      jsc.setJobDescription(null);
      bc.destroy();
    }
  }

  /**
   * Opens the file as the partition reader does ({@link LocalFileInput}): a plain local file is read
   * through a FileChannel, since Hadoop's local ChecksumFileSystem reopens the file for every
   * positioned read and an index is read in several of them (end of central directory, central
   * directory, local headers, pickle).
   */
  static FileHeader readOne(String path, long length, Configuration conf, KeyFilter keys) {
    Path p = new Path(path);
    try (TensorFile tf = TensorFile.open(LocalFileInput.open(p.getFileSystem(conf), p, length, null))) {
      RowsFile rows = RowsFile.of(path, tf, keys);
      return new FileHeader(path, rows.columns(), rows.rows(), null);
    } catch (IOException | RuntimeException e) {
      return new FileHeader(path, null, -1, e);
    }
  }
}
