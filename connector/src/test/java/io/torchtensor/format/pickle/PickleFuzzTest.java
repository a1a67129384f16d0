package io.torchtensor.format.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random corruption of real pickles: byte flips, truncations and spliced ranges. Whatever the
 * bytes, the reader returns a result or throws {@link TensorFormatException}; any other throwable,
 * or a hang (the timeout), fails the test.
 */
class PickleFuzzTest {

  private static final List<String> ZIPS = List.of("burn_checkpoint.pt", "generated/gen_checkpoint_adam.pt",
      "generated/gen_quantized.pt", "generated/gen_sparse.pt", "generated/gen_nested_list.pt",
      "generated/gen_parameters_grad.pt", "gopickle_tensor_float32_proto5_zip.pt", "generated/gen_proto4_zip.pt",
      "generated/gen_views_shared_storage.pt", "generated/gen_whole_module.pt", "generated/gen_tensor_subclass.pt");
  private static final List<String> LEGACY = List.of("gopickle_tensor_float32_proto1.pt",
      "gopickle_tensor_bool_proto4.pt", "generated/gen_legacy_views.pt", "jl_offset-strides.bin");

  /** The last-line guards' wording (machine and matcher): explicit checks must catch every corruption first. */
  private static final String GUARD = "malformed pickle (";

  /** Small caps so that a corrupt memo fan-out is stopped quickly. */
  private static final ReadLimits LIMITS = new ReadLimits(1 << 20, 100_000, 200, 100_000, 1L << 30, 1 << 20);

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void corruptedObjectPicklesOnlyEverThrowTensorFormatException() throws Exception {
    Random rnd = new Random(0x5eed_2026L);
    int parsed = 0;
    int refused = 0;
    for (String f : ZIPS) {
      byte[] original = Fixtures.dataPkl(f);
      for (int i = 0; i < 600; i++) {
        byte[] b = mutate(original, rnd);
        try {
          TorchPickle.read(ByteBuffer.wrap(b), f, "data.pkl", LIMITS, false);
          parsed++;
        } catch (TensorFormatException e) {
          assertThat(e.getMessage()).contains(f).doesNotContain(GUARD);
          refused++;
        } catch (Throwable t) {
          fail("mutation " + i + " of " + f + " threw " + t, t);
        }
      }
    }
    assertThat(refused).isGreaterThan(1000);
    assertThat(parsed).isPositive();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void corruptedLegacyFilesOnlyEverThrowTensorFormatException() throws Exception {
    Random rnd = new Random(42);
    for (String f : LEGACY) {
      byte[] original = Fixtures.file(f);
      for (int i = 0; i < 600; i++) {
        ByteBuffer b = ByteBuffer.wrap(mutate(original, rnd));
        try {
          for (int k = 0; k < 3; k++) {
            PickleMachine.loadPlain(b, f, null, LIMITS);
          }
          TorchPickle.read(b, f, null, LIMITS, true);
          PickleMachine.loadPlain(b, f, null, LIMITS);
        } catch (TensorFormatException e) {
          assertThat(e.getMessage()).contains(f).doesNotContain(GUARD);
        } catch (Throwable t) {
          fail("mutation " + i + " of " + f + " threw " + t, t);
        }
      }
    }
  }

  private static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    switch (rnd.nextInt(4)) {
      case 0: { // flip 1-4 random bytes
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        return b;
      }
      case 1: // truncate
        return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
      case 2: { // flip one bit
        int p = rnd.nextInt(b.length);
        b[p] ^= (byte) (1 << rnd.nextInt(8));
        return b;
      }
      default: { // copy a range over another (duplicates opcodes, memo refs, marks)
        int len = 1 + rnd.nextInt(Math.min(32, b.length));
        int from = rnd.nextInt(b.length - len + 1);
        int to = rnd.nextInt(b.length - len + 1);
        System.arraycopy(in, from, b, to, len);
        return b;
      }
    }
  }
}
