import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Spark-level scan benchmark: {@code spark.read.format("torchtensor")} over float32 shards, consumed
 * column-by-column, against a plain sequential read of the same files in the same JVM.
 *
 * <p>Both sides end in the same sink, {@link #sum(FloatBuffer)}, which adds every float32 value into a
 * double, so the ratio measures what the scan costs on top of reading the bytes: listing, planning,
 * tasks, the tensor reader, filling Arrow vectors. The Spark side runs the query's physical scan
 * ({@code BatchScanExec.executeColumnar()}, public SparkPlan API) in Spark tasks and hands each
 * {@link ColumnarBatch} to the sink through the Arrow buffer behind the {@link ArrowColumnVector}
 * (zero copy), the way a columnar consumer (Arrow hand-off to Python, a vectorized operator) reads it.
 * The baseline reads each file front to back through a FileChannel into a reused direct buffer.
 * The scan's value count and sum are checked against torch's (scan-sums.json, see torch_sums.py),
 * so a scan that skipped or garbled values fails the run.
 *
 * <p>{@code threads} sets Spark's {@code local[threads]} and the baseline's reader threads (each
 * reads whole files sequentially). Rounds alternate baseline and Spark after two warm-up rounds.
 * Each Spark round is timed as planning ({@code spark.read...executedPlan}: listing, schema from the
 * files' indexes) plus the scan's execution; the ratios printed are medians of per-round ratios
 * (plain read time / Spark time), since a round's two runs share the machine's load of the moment.
 *
 * <pre>ScanBench DIR ROUNDS THREADS [option=value ...]</pre>
 * (options are passed to the torchtensor reader, e.g. {@code batchRows=8192}).
 */
public final class ScanBench {
  private static final int CHUNK = 8 << 20;
  /** Unmeasured rounds first: JIT compilation of both paths, the page cache, Spark's first job. */
  private static final int WARM_UP = 2;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    java.util.Map<String, String> options = new java.util.TreeMap<>();
    for (int i = 3; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      options.put(kv[0], kv[1]);
    }
    // The folder also holds scan-sums.json and the generator's markers: read the shards only.
    options.putIfAbsent("pathGlobFilter", "shard-*.pt");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().matches("shard-\\d+\\.pt")).sorted().toList();
    }
    long bytes = 0;
    for (Path f : files) {
      bytes += Files.size(f);
    }
    double[] expected = torchSums(dir.resolve("scan-sums.json"), files);
    SparkSession spark = SparkSession.builder().master("local[" + threads + "]").appName("scan-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.files.maxPartitionBytes", "128m")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      System.out.printf("files: %d, %.1f MiB, threads: %d, rounds: %d (+%d warm-up), options: %s%n",
          files.size(), bytes / 1048576.0, threads, rounds, WARM_UP, options);
      double[] base = new double[rounds];
      double[] scan = new double[rounds];
      double[] query = new double[rounds];
      double[] queryRatio = new double[rounds];
      double[] scanRatio = new double[rounds];
      for (int r = -WARM_UP; r < rounds; r++) {
        long t0 = System.nanoTime();
        double[] b = baseline(files, threads);
        long t1 = System.nanoTime();
        SparkPlan scanNode = plan(spark, dir, options);
        long tp = System.nanoTime();
        double[] s = execute(scanNode);
        long t2 = System.nanoTime();
        if (s[1] != expected[1] || Math.abs(s[0] - expected[0]) > 1e-9 * Math.abs(expected[0]) + 1e-6) {
          throw new AssertionError("the scan disagrees with torch: " + (long) s[1] + " values summing to "
              + s[0] + ", torch: " + (long) expected[1] + " values summing to " + expected[0]);
        }
        String tag = r < 0 ? "warm-up" + (WARM_UP + r) : "round " + r;
        System.out.printf("%-8s plain read %.3f s (sink %.3f s) | spark query %.3f s = plan %.3f s + scan %.3f s"
            + " (%d tasks; task time: reader %.3f s, sink %.3f s) | %d values, sum %.6f (plain %.3g)%n",
            tag, (t1 - t0) / 1e9, b[1], (t2 - t1) / 1e9, (tp - t1) / 1e9, (t2 - tp) / 1e9, (long) s[4], s[2], s[3],
            (long) s[1], s[0], b[0]);
        if (r >= 0) {
          base[r] = (t1 - t0) / 1e9;
          query[r] = (t2 - t1) / 1e9;
          scan[r] = (t2 - tp) / 1e9;
          queryRatio[r] = base[r] / query[r];
          scanRatio[r] = base[r] / scan[r];
        }
      }
      double mb = median(base);
      System.out.printf("median plain read:  %.3f s = %.0f MiB/s%n", mb, bytes / 1048576.0 / mb);
      System.out.printf("median spark query: %.3f s = %.0f MiB/s (planning included)%n", median(query),
          bytes / 1048576.0 / median(query));
      System.out.printf("median spark scan:  %.3f s = %.0f MiB/s (the planned scan's execution)%n", median(scan),
          bytes / 1048576.0 / median(scan));
      System.out.printf("ratio to the plain read, median of per-round ratios: query %.2f, scan %.2f%n",
          median(queryRatio), median(scanRatio));
      // On a shared machine the fastest round of each side is the one least disturbed by other work.
      System.out.printf("ratio of the fastest rounds: query %.2f (%.3f s vs %.3f s), scan %.2f (%.3f s)%n",
          min(base) / min(query), min(base), min(query), min(base) / min(scan), min(scan));
    } finally {
      spark.stop();
    }
  }

  /**
   * Plain read: each file front to back through a FileChannel into a reused direct buffer, every
   * 4-byte word summed as a float (header bytes too: the same work per byte as the scan's sink; the
   * sum itself is not meaningful and only keeps the work from being optimized away). Returns the sum
   * and the seconds spent in the sink.
   */
  static double[] baseline(List<Path> files, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<double[]>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        parts.add(pool.submit(() -> {
          ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
          double sum = 0;
          long sinkNanos = 0;
          for (int i = first; i < files.size(); i += threads) {
            try (FileChannel ch = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
              buf.clear();
              while (ch.read(buf) >= 0) {
                buf.flip();
                long ts = System.nanoTime();
                sum += sum(buf.asFloatBuffer());
                sinkNanos += System.nanoTime() - ts;
                buf.clear();
              }
            }
          }
          return new double[] {sum, sinkNanos / 1e9};
        }));
      }
      double sum = 0;
      double sink = 0;
      for (Future<double[]> p : parts) {
        sum += p.get()[0];
        sink += p.get()[1];
      }
      return new double[] {sum, sink};
    } finally {
      pool.shutdown();
    }
  }

  /** The sink of both sides: every value added into a double. */
  static double sum(FloatBuffer fb) {
    double s = 0;
    for (int i = 0, n = fb.limit(); i < n; i++) {
      s += fb.get(i);
    }
    return s;
  }

  /** The Spark scan: the physical scan node's columnar RDD, summed per partition in the tasks. */
  /**
   * Plans the query (listing, schema from the files' indexes, physical plan) and returns its columnar
   * scan node.
   */
  static SparkPlan plan(SparkSession spark, Path dir, java.util.Map<String, String> options) {
    SparkPlan plan = spark.read().format("torchtensor").options(options).load(dir.toString()).select("x")
        .queryExecution().executedPlan();
    SparkPlan scan = columnarScan(plan);
    if (scan == null) {
      throw new IllegalStateException("no columnar batch scan in the plan:\n" + plan);
    }
    return scan;
  }

  /** Runs the scan: Spark tasks read the partitions and sum every value of every batch; [sum, values, read s, sink s, tasks]. */
  static double[] execute(SparkPlan scan) {
    List<double[]> parts = scan.executeColumnar().toJavaRDD().mapPartitions(new SumBatches()).collect();
    double sum = 0;
    double n = 0;
    double read = 0;
    double sink = 0;
    for (double[] p : parts) {
      sum += p[0];
      n += p[1];
      read += p[2];
      sink += p[3];
    }
    return new double[] {sum, n, read, sink, parts.size()};
  }

  static SparkPlan columnarScan(SparkPlan p) {
    if (p.supportsColumnar() && p.getClass().getSimpleName().startsWith("BatchScan")) {
      return p;
    }
    Iterator<SparkPlan> it = scala.jdk.javaapi.CollectionConverters.asJava(p.children()).iterator();
    while (it.hasNext()) {
      SparkPlan found = columnarScan(it.next());
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /** Per task: every batch's float child vector handed to the sink through its Arrow data buffer. */
  static final class SumBatches implements FlatMapFunction<Iterator<ColumnarBatch>, double[]> {
    @Override
    public Iterator<double[]> call(Iterator<ColumnarBatch> batches) {
      double sum = 0;
      long n = 0;
      long readNanos = 0;
      long sinkNanos = 0;
      while (true) {
        long t0 = System.nanoTime();
        if (!batches.hasNext()) {
          readNanos += System.nanoTime() - t0;
          break;
        }
        ColumnarBatch b = batches.next();
        long t1 = System.nanoTime();
        readNanos += t1 - t0;
        ColumnVector c = b.column(0);
        ListVector list = (ListVector) ((ArrowColumnVector) c).getValueVector();
        FieldVector data = list.getDataVector();
        Float4Vector floats = (Float4Vector) data;
        if (b.numRows() == 0) {
          continue;
        }
        // The rows' values: one run of the child vector, from the first row's offset to the last's end.
        int start = list.getElementStartIndex(0);
        int count = list.getElementEndIndex(b.numRows() - 1) - start;
        FloatBuffer fb = floats.getDataBuffer().nioBuffer((long) start * 4, count * 4)
            .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        sum += sum(fb);
        n += count;
        sinkNanos += System.nanoTime() - t1;
      }
      return List.of(new double[] {sum, n, readNanos / 1e9, sinkNanos / 1e9}).iterator();
    }
  }

  /**
   * Torch's value count and float64 sum over the files, from torch_sums.py's scan-sums.json (a flat
   * {"file": {"rows": .., "size": .., "sum": .., "values": ..}} object with sorted keys, read with a
   * regex to keep this file free of a JSON dependency).
   */
  static double[] torchSums(Path json, List<Path> files) throws IOException {
    String text = Files.readString(json);
    double sum = 0;
    double values = 0;
    for (Path f : files) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(
          f.getFileName().toString()) + "\":\\s*\\{\\s*\"rows\":\\s*\\d+,\\s*\"size\":\\s*\\d+,\\s*\"sum\":\\s*([-0-9.eE+]+),"
          + "\\s*\"values\":\\s*(\\d+)").matcher(text);
      if (!m.find()) {
        throw new IllegalStateException(json + " has no record of " + f.getFileName());
      }
      sum += Double.parseDouble(m.group(1));
      values += Long.parseLong(m.group(2));
    }
    return new double[] {sum, values};
  }

  static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
