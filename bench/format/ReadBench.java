import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Read throughput of the format floor: time to open (index) each file, and to read every tensor
 * whole and in 4096-row requests into a direct buffer. Reports the median of the repetitions after
 * warm-up runs; files come from the page cache, so this measures the reader's own cost
 * (copies, gathers, index building), not the disk.
 *
 *   java -Xmx2g -cp connector/target/classes bench/format/ReadBench.java build/bench/format/*
 */
public class ReadBench {

  private static final int WARMUP = 2;
  private static final int RUNS = 5;
  private static final long BATCH_ROWS = 4096;

  public static void main(String[] args) throws Exception {
    System.out.printf("%-28s %10s %8s %12s %12s%n", "file", "MiB", "tensors", "open ms", "read MiB/s");
    for (String a : args) {
      Path p = Path.of(a);
      double[] open = new double[RUNS];
      double[] read = new double[RUNS];
      long bytes = 0;
      int count = 0;
      for (int r = -WARMUP; r < RUNS; r++) {
        long t0 = System.nanoTime();
        try (TensorFile f = TensorFile.open(p)) {
          long t1 = System.nanoTime();
          bytes = 0;
          count = f.tensors().size();
          ByteBuffer dst = null;
          for (TensorInfo t : f.tensors()) {
            long rows = t.rank() == 0 ? 1 : t.dim(0);
            long chunk = Math.min(rows, BATCH_ROWS);
            long need = chunk * t.rowBytes();
            if (dst == null || dst.capacity() < need) {
              dst = ByteBuffer.allocateDirect((int) need);
            }
            for (long s = 0; s < rows; s += chunk) {
              dst.clear();
              f.readRows(t, s, Math.min(chunk, rows - s), dst);
            }
            bytes += t.nbytes();
          }
          long t2 = System.nanoTime();
          if (r >= 0) {
            open[r] = (t1 - t0) / 1e6;
            read[r] = bytes / 1048576.0 / ((t2 - t1) / 1e9);
          }
        }
      }
      Arrays.sort(open);
      Arrays.sort(read);
      System.out.printf("%-28s %10.1f %8d %12.2f %12.0f%n", p.getFileName(), Files.size(p) / 1048576.0, count,
          open[RUNS / 2], read[RUNS / 2]);
    }
  }
}
