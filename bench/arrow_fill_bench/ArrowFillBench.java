import io.torchtensor.arrow.RowsColumnWriter;
import io.torchtensor.arrow.TensorFields;
import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.memory.RootAllocator;

/**
 * Arrow floor throughput: {@code RowsColumnWriter.fill} per dtype against {@code readRows} of the
 * same rows into a plain direct buffer (the format floor alone).
 *
 * <pre>
 * java -cp CONNECTOR_JAR:ARROW_CLASSPATH bench/arrow_fill_bench/ArrowFillBench.java DIR [ROUNDS] [BATCH_ROWS]
 * </pre>
 *
 * <p>For each tensor of DIR/mixed.pt: every row in batches of BATCH_ROWS (default 4096), once as a
 * plain {@code readRows} into a reused direct buffer and once through the column writer (direct
 * read into the Arrow buffer for float32/float64, read plus widening loop for float16, bfloat16 and
 * uint8). One warm-up round, then ROUNDS rounds alternating the order; prints medians in MB/s of
 * storage bytes, and the ratio writer / plain.
 */
public final class ArrowFillBench {

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]).resolve("mixed.pt");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
    try (RootAllocator allocator = new RootAllocator(Long.MAX_VALUE); TensorFile f = TensorFile.open(file)) {
      System.out.printf("%s, batches of %d rows, %d rounds%n", file, batch, rounds);
      System.out.printf("%-6s %10s %12s %12s %7s%n", "dtype", "MB", "plain MB/s", "arrow MB/s", "ratio");
      for (TensorInfo t : f.tensors()) {
        long[] shape = t.shape();
        long[] rowShape = Arrays.copyOfRange(shape, 1, shape.length);
        ByteBuffer plainBuf = ByteBuffer.allocateDirect((int) (batch * t.rowBytes()));
        try (RowsColumnWriter w = new RowsColumnWriter(TensorFields.rowsColumn(t.key(), t.dtype(), rowShape, false),
            t.dtype(), rowShape, batch, allocator)) {
          plain(f, t, batch, plainBuf);
          arrow(f, t, batch, w);
          double[] p = new double[rounds];
          double[] a = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
              p[r] = plain(f, t, batch, plainBuf);
              a[r] = arrow(f, t, batch, w);
            } else {
              a[r] = arrow(f, t, batch, w);
              p[r] = plain(f, t, batch, plainBuf);
            }
          }
          double mp = median(p);
          double ma = median(a);
          System.out.printf("%-6s %10.1f %12.0f %12.0f %7.2f%n", t.dtype().torchName(), t.nbytes() / 1e6, mp, ma, ma / mp);
        }
      }
    }
  }

  private static double plain(TensorFile f, TensorInfo t, int batch, ByteBuffer buf) throws Exception {
    long n = t.dim(0);
    long t0 = System.nanoTime();
    for (long first = 0; first < n; first += batch) {
      int rows = (int) Math.min(batch, n - first);
      buf.clear().limit((int) (rows * t.rowBytes()));
      f.readRows(t, first, rows, buf);
    }
    return t.nbytes() / 1e6 / ((System.nanoTime() - t0) / 1e9);
  }

  private static double arrow(TensorFile f, TensorInfo t, int batch, RowsColumnWriter w) throws Exception {
    long n = t.dim(0);
    long t0 = System.nanoTime();
    for (long first = 0; first < n; first += batch) {
      w.fill(f, t, first, (int) Math.min(batch, n - first));
    }
    return t.nbytes() / 1e6 / ((System.nanoTime() - t0) / 1e9);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
