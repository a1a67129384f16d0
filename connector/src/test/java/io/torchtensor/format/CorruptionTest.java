package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture, cut short at 60 points and with seeded byte flips, mostly in its first and last 4 KiB
 * (the safetensors header, the pickles at the start of legacy files and torch zips, the zip central
 * directory and end records at the end), some anywhere: opening it and reading every tensor either
 * succeeds or fails with {@link TensorFormatException}. Never another exception, an OOM or a hang.
 */
class CorruptionTest {

  private static final int CUTS = 60;
  /** Flipped copies per fixture; raise with -Dtorchtensor.flips=N for a longer fuzzing run. */
  private static final int FLIPS = Integer.getInteger("torchtensor.flips", 150);
  private static final int REGION = 4096;
  /** Rows read per request, so a corrupt stride-0 view claiming terabytes reads in small pieces. */
  private static final long MAX_READ = 1 << 20;

  static Stream<String> fixtures() throws Exception {
    return Fixtures.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void cutFilesFailWithTheNamedError(String name) throws Exception {
    byte[] whole = Fixtures.bytes(name);
    for (int i = 0; i < CUTS; i++) {
      int len = (int) ((long) whole.length * i / CUTS);
      Outcome o = openAndReadAll(name + " cut at " + len, Arrays.copyOf(whole, len));
      assertThat(o).as(name + " cut at " + len + " of " + whole.length).isEqualTo(Outcome.REFUSED);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void flippedBytesFailWithTheNamedErrorOrStillRead(String name) throws Exception {
    byte[] whole = Fixtures.bytes(name);
    Random rnd = new Random(name.hashCode());
    int refused = 0;
    for (int i = 0; i < FLIPS; i++) {
      byte[] b = whole.clone();
      int n = 1 + rnd.nextInt(3);
      StringBuilder what = new StringBuilder(name).append(" with bytes");
      for (int k = 0; k < n; k++) {
        int region = Math.min(headRegion(whole), b.length);
        int where = rnd.nextInt(5);
        int at = where < 2 ? rnd.nextInt(region) : where < 4 ? b.length - 1 - rnd.nextInt(region) : rnd.nextInt(b.length);
        byte v = (byte) (rnd.nextInt(4) == 0 ? 0xFF : rnd.nextInt(256));
        b[at] = v;
        what.append(' ').append(at).append('=').append(v & 0xFF);
      }
      if (openAndReadAll(what.toString(), b) == Outcome.REFUSED) {
        refused++;
      }
    }
    // Not vacuous: flips in headers, pickles and directories must be caught, not only survived.
    assertThat(refused).as(name + ": flipped copies refused").isGreaterThan(FLIPS / 20);
  }

  /** Where the structure is: a safetensors header is {@code 8 + N} bytes; else the first 4 KiB. */
  private static int headRegion(byte[] b) {
    if (b.length > 8 && b[8] == '{') {
      long n = ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      if (n > 0 && n < REGION) {
        return (int) n + 8;
      }
    }
    return REGION;
  }

  enum Outcome { READ, REFUSED }

  /** Opens and reads every tensor in row chunks; any throwable but TensorFormatException fails the test. */
  static Outcome openAndReadAll(String what, byte[] bytes) {
    try (TensorFile f = TensorFile.open(new ByteArrayInput(what, bytes))) {
      for (TensorInfo t : f.tensors()) {
        long rows = t.rank() == 0 ? 1 : t.dim(0);
        long rowBytes = t.rowBytes();
        if (rowBytes > MAX_READ) {
          continue; // a corrupt shape claiming huge rows: the index accepted it, nothing to read cheaply
        }
        long chunk = Math.max(1, MAX_READ / Math.max(1, rowBytes));
        ByteBuffer dst = ByteBuffer.allocate((int) Math.min(MAX_READ, Math.max(rowBytes, chunk * rowBytes)));
        // first and last chunks only: enough to touch both ends of every storage
        long[] starts = rows <= chunk ? new long[] {0} : new long[] {0, rows - chunk};
        for (long s : starts) {
          dst.clear();
          f.readRows(t, s, Math.min(chunk, rows - s), dst);
        }
      }
      return Outcome.READ;
    } catch (TensorFormatException e) {
      assertThat(e.getMessage()).as(what).contains(what);
      return Outcome.REFUSED;
    } catch (Throwable e) {
      throw new AssertionError(what + ": " + e, e);
    }
  }
}
