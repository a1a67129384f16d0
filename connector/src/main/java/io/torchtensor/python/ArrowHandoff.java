package io.torchtensor.python;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.SQLExecution;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The JVM side of {@code torchtensor.to_numpy} and {@code iter_batches}: runs a DataFrame's
 * torchtensor columnar scan itself and hands the connector's Arrow buffers to Python through files
 * in a local folder that Python memory-maps: either the result arrays themselves, one file per
 * column ({@link #writeColumns}, {@link DirectColumnHandoff}), or the batches as Arrow IPC stream
 * files, one per partition ({@link #write}).
 *
 * <p>Why: {@code Dataset.toArrow}, {@code toPandas} and {@code mapInArrow} turn every value of a
 * columnar scan into a Spark row and back into Arrow ({@code ColumnarToRowExec}, then
 * {@code ArrowConverters} / {@code ArrowWriter}). Tensor columns are already Arrow vectors in the
 * scan, so for a plain scan ({@link PlainScanPlan}) the buffers can go out as they are.
 *
 * <p>Where the files are written: with a local master the executors run in the driver's JVM and write
 * the files themselves, in parallel; on a cluster each task sends its IPC messages to the driver
 * ({@code toLocalIterator}, one partition at a time), which appends them to the files.
 *
 * <p>The jobs of a hand-off run as one SQL execution of the DataFrame's own query
 * ({@code SQLExecution.withNewExecutionId}, as {@code Dataset.collect} and {@code toArrow} run
 * theirs): the Spark UI's SQL tab lists the query, and the scan node shows the metrics its tasks
 * post (see {@link DirectColumnHandoff} for the file-to-file copy's).
 *
 * <p>Called from Python through py4j; answers a small JSON document (see {@link #write}).
 */
public final class ArrowHandoff {
  static final String FILE_PATTERN = "part-%05d.arrows";
  /** The execution's name, as {@code QueryExecutionListener}s see it (Spark's own are the action's). */
  static final String EXECUTION_NAME = "torchtensorHandoff";

  private ArrowHandoff() {}

  /**
   * Writes {@code df} into {@code dir} when its plan is a plain torchtensor scan.
   *
   * @return {@code {"fast": false, "reason": "..."}} when the plan does not qualify (nothing run), or
   *     {@code {"fast": true, "mode": "local"|"driver", "limit": n|-1, "columns": [...],
   *     "files": [{"partition": i, "path": "...", "rows": n}, ...]}} in partition order.
   */
  public static String write(Dataset<Row> df, String dir) throws IOException {
    PlainScanPlan plan = PlainScanPlan.match(df.queryExecution().executedPlan());
    if (!plan.matched()) {
      return refusal(plan);
    }
    return asQuery(df, () -> writeIpc(df, plan, dir));
  }

  private static String refusal(PlainScanPlan plan) {
    return "{\"fast\": false, \"reason\": " + quote(plan.reason()) + "}";
  }

  /** A body that writes files. */
  private interface Writing {
    String run() throws IOException;
  }

  /**
   * Runs {@code body} as an execution of {@code df}'s query (see the class notes). The executed plan
   * is the DataFrame's own, shared with its other actions, so its metrics are reset first, as
   * {@code Dataset.withAction} does: each run reports its own reads.
   */
  private static String asQuery(Dataset<Row> df, Writing body) throws IOException {
    try {
      return SQLExecution.withNewExecutionId(df.queryExecution(), Option.apply(EXECUTION_NAME), () -> {
        try {
          df.queryExecution().executedPlan().resetMetrics();
          return body.run();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static String writeIpc(Dataset<Row> df, PlainScanPlan plan, String dir) throws IOException {
    String[] names = outputNames(df);
    Files.createDirectories(Paths.get(dir));
    JavaRDD<ColumnarBatch> batches = plan.scan().executeColumnar().toJavaRDD();
    boolean local = df.sparkSession().sparkContext().isLocal();
    List<String> files = new ArrayList<>(local
        ? writeOnExecutors(batches, dir, names, plan.ordinals(), plan.limit())
        : writeOnDriver(batches, dir, names, plan.ordinals(), plan.limit()));
    // "partition TAB ..." sorts by partition once the numbers have the same width
    files.sort(java.util.Comparator.comparingInt(f -> Integer.parseInt(f.substring(0, f.indexOf('\t')))));
    StringBuilder json = new StringBuilder("{\"fast\": true, \"mode\": ")
        .append(quote(local ? "local" : "driver")).append(", \"limit\": ").append(plan.limit())
        .append(", \"columns\": [");
    for (int i = 0; i < names.length; i++) {
      json.append(i == 0 ? "" : ", ").append(quote(names[i]));
    }
    json.append("], \"files\": [");
    for (int i = 0; i < files.size(); i++) {
      String[] f = files.get(i).split("\t", -1);
      json.append(i == 0 ? "" : ", ").append("{\"partition\": ").append(Integer.parseInt(f[0]))
          .append(", \"path\": ").append(quote(f[1])).append(", \"rows\": ").append(f[2]).append('}');
    }
    return json.append("]}").toString();
  }

  /**
   * For {@code to_numpy}: with a local master and fixed-width columns, writes the result arrays
   * themselves, one file per column ({@link DirectColumnHandoff}: one copy from the connector's
   * buffers to the array); otherwise the same as {@link #write}.
   *
   * @return {@code {"fast": true, "mode": "columns", "rows": n, "limit": -1, "columns": [{"name": "...",
   *     "path": "...", "row_bytes": n}, ...]}}, or an answer of {@link #write}
   */
  public static String writeColumns(Dataset<Row> df, String dir) throws IOException {
    PlainScanPlan plan = PlainScanPlan.match(df.queryExecution().executedPlan());
    if (!plan.matched()) {
      return refusal(plan);
    }
    return asQuery(df, () -> {
      if (df.sparkSession().sparkContext().isLocal()) {
        Files.createDirectories(Paths.get(dir));
        String answer = DirectColumnHandoff.write(df, plan, outputNames(df), dir);
        if (answer != null) {
          return answer;
        }
      }
      return writeIpc(df, plan, dir);
    });
  }

  private static String[] outputNames(Dataset<Row> df) {
    List<Attribute> output = CollectionConverters.asJava(df.queryExecution().executedPlan().output());
    String[] names = new String[output.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = output.get(i).name();
    }
    return names;
  }

  /** Each task writes its partition's file; returns "partition TAB path TAB rows" per non-empty one. */
  private static List<String> writeOnExecutors(
      JavaRDD<ColumnarBatch> batches, String dir, String[] names, int[] ordinals, long limit) {
    return batches.mapPartitionsWithIndex((index, it) -> {
      Path path = Paths.get(dir, String.format(Locale.ROOT, FILE_PATTERN, index));
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        IpcBatchWriter w = new IpcBatchWriter(ch, names, ordinals);
        // A limit is applied per partition here (no partition needs more); Python trims the total.
        while ((limit < 0 || w.rows() < limit) && it.hasNext()) {
          w.write(it.next());
        }
        if (w.finish()) {
          return Collections.singletonList(index + "\t" + path + "\t" + w.rows()).iterator();
        }
      }
      Files.delete(path);
      return Collections.<String>emptyIterator();
    }, false).collect();
  }

  /** Tasks send their IPC messages as byte chunks; the driver writes them, partition by partition. */
  private static List<String> writeOnDriver(
      JavaRDD<ColumnarBatch> batches, String dir, String[] names, int[] ordinals, long limit)
      throws IOException {
    Iterator<Tuple2<Integer, byte[]>> chunks = batches.mapPartitionsWithIndex(
        (index, it) -> new ChunkIterator(index, it, names, ordinals, limit), false).toLocalIterator();
    Map<Integer, FileChannel> open = new TreeMap<>();
    List<String> files = new ArrayList<>();
    try {
      while (chunks.hasNext()) {
        Tuple2<Integer, byte[]> c = chunks.next();
        if (c._2() == null) { // an empty partition writes nothing
          continue;
        }
        FileChannel ch = open.get(c._1());
        if (ch == null) {
          Path p = Paths.get(dir, String.format(Locale.ROOT, FILE_PATTERN, c._1()));
          ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          open.put(c._1(), ch);
          files.add(c._1() + "\t" + p + "\t");
        }
        ch.write(java.nio.ByteBuffer.wrap(c._2()));
      }
    } finally {
      for (FileChannel ch : open.values()) {
        ch.close();
      }
    }
    // Row counts stay on the executors here; the IPC stream carries them, so -1 marks "unknown".
    List<String> out = new ArrayList<>();
    for (String f : files) {
      out.add(f + "-1");
    }
    return out;
  }

  /** One partition as IPC byte chunks: the schema and first batch, further batches, end of stream. */
  private static final class ChunkIterator implements Iterator<Tuple2<Integer, byte[]>> {
    private final int index;
    private final Iterator<ColumnarBatch> batches;
    private final long limit;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final IpcBatchWriter writer;
    private boolean done;

    ChunkIterator(int index, Iterator<ColumnarBatch> batches, String[] names, int[] ordinals, long limit) {
      this.index = index;
      this.batches = batches;
      this.limit = limit;
      this.writer = new IpcBatchWriter(Channels.newChannel(buffer), names, ordinals);
    }

    @Override
    public boolean hasNext() {
      return !done;
    }

    @Override
    public Tuple2<Integer, byte[]> next() {
      try {
        buffer.reset();
        if ((limit < 0 || writer.rows() < limit) && batches.hasNext()) {
          writer.write(batches.next());
        } else {
          done = true;
          writer.finish();
        }
        return new Tuple2<>(index, buffer.size() == 0 ? null : buffer.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
