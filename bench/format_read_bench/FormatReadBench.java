import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Format reader throughput against a plain sequential read of the same files.
 *
 * <pre>
 * java -cp connector/target/torchtensor-connector-0.1.0-SNAPSHOT.jar \
 *     bench/format_read_bench/FormatReadBench.java DIR [ROUNDS] [CHUNK_MB]
 * </pre>
 *
 * <p>Reader path: {@code TensorFile.open} + {@code readRows} of key {@code x} in row chunks of
 * CHUNK_MB into one reused direct buffer. Baseline: {@code FileChannel.read} of each whole file,
 * front to back, into the same buffer. One warm-up round of each, then ROUNDS rounds of both, the
 * order alternating per round (so both see the same page-cache and CPU state); prints the median
 * MB/s of each and the ratio.
 */
public final class FormatReadBench {

  /** Bytes the last pass delivered, checked against the expected total so no pass can skip work. */
  private static long lastBytes;

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int chunkMb = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().matches("shard-\\d+\\.pt")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no shard-<i>.pt in " + dir);
    }
    long fileBytes = 0;
    long tensorBytes = 0;
    for (Path p : files) {
      fileBytes += Files.size(p);
      try (TensorFile f = TensorFile.open(p)) {
        tensorBytes += f.tensor("x").nbytes();
      }
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(chunkMb << 20);
    System.out.printf("files: %d, %.1f MB on disk, %.1f MB of tensor data; chunk %d MB; %d rounds%n",
        files.size(), fileBytes / 1e6, tensorBytes / 1e6, chunkMb, rounds);

    long check = readerPass(files, buf) + plainPass(files, buf);   // warm-up: JIT and page cache
    double[] reader = new double[rounds];
    double[] plain = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      // Which path goes first alternates, so neither always follows the other's cache state.
      long readerNs = 0;
      long plainNs = 0;
      for (int k = 0; k < 2; k++) {
        long t0 = System.nanoTime();
        if ((k + r) % 2 == 0) {
          check += readerPass(files, buf);
          readerNs = System.nanoTime() - t0;
          expect(lastBytes, tensorBytes, "reader");
        } else {
          check += plainPass(files, buf);
          plainNs = System.nanoTime() - t0;
          expect(lastBytes, fileBytes, "plain");
        }
      }
      reader[r] = tensorBytes / 1e6 / (readerNs / 1e9);
      plain[r] = fileBytes / 1e6 / (plainNs / 1e9);
      System.out.printf("round %d: reader %.0f MB/s, plain %.0f MB/s%n", r + 1, reader[r], plain[r]);
    }
    double mr = median(reader);
    double mp = median(plain);
    System.out.printf("median: reader %.0f MB/s, plain FileChannel %.0f MB/s, ratio %.2f (target >= 0.80)"
        + " [checksum %x]%n", mr, mp, mr / mp, check);
  }

  /** Reads every tensor row of every file through the reader; returns a checksum of the data. */
  private static long readerPass(List<Path> files, ByteBuffer buf) throws IOException {
    long check = 0;
    long bytes = 0;
    for (Path p : files) {
      try (TensorFile f = TensorFile.open(p)) {
        TensorInfo x = f.tensor("x");
        long perChunk = Math.max(1, buf.capacity() / x.rowBytes());
        for (long row = 0; row < x.dim(0); row += perChunk) {
          buf.clear();
          f.readRows(x, row, Math.min(perChunk, x.dim(0) - row), buf);
          bytes += buf.position();
          check += buf.getLong(0) + buf.getLong(buf.position() - 8);
        }
      }
    }
    lastBytes = bytes;
    return check;
  }

  /** Reads every byte of every file with positioned FileChannel reads into the same buffer. */
  private static long plainPass(List<Path> files, ByteBuffer buf) throws IOException {
    long check = 0;
    long bytes = 0;
    for (Path p : files) {
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
        long pos = 0;
        while (true) {
          buf.clear();
          int n = ch.read(buf, pos);
          if (n < 0) {
            break;
          }
          pos += n;
          bytes += n;
          if (n >= 8) {
            check += buf.getLong(0) + buf.getLong(n - 8);
          }
        }
      }
    }
    lastBytes = bytes;
    return check;
  }

  private static void expect(long got, long want, String pass) {
    if (got != want) {
      throw new IllegalStateException(pass + " pass read " + got + " bytes, expected " + want);
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
