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

  /**
   * Random pickles: half spliced from opcode tokens, half well-formed values with calls of allowed
   * torch globals on random arguments, so that the matcher sees arbitrary argument shapes.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void randomTokenPicklesOnlyEverThrowTensorFormatException() {
    List<byte[]> tokens = new java.util.ArrayList<>();
    for (Opcode op : Opcode.values()) {
      tokens.add(new byte[] {(byte) op.code()});
    }
    tokens.add(PickleBytes.of('K', 3));
    tokens.add(PickleBytes.of('J', 0xff, 0xff, 0xff, 0xff));
    tokens.add(PickleBytes.of(0x8a, 1, 0x80));
    tokens.add(PickleBytes.str("storage"));
    tokens.add(PickleBytes.str("0"));
    tokens.add(PickleBytes.of('G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0));
    tokens.add(PickleBytes.of('q', 1));
    tokens.add(PickleBytes.of('h', 1));
    List<byte[]> globals = new java.util.ArrayList<>();
    for (String[] g : new String[][] {{"torch._utils", "_rebuild_tensor_v2"}, {"torch._utils", "_rebuild_tensor_v3"},
        {"torch._utils", "_rebuild_qtensor"}, {"torch._utils", "_rebuild_sparse_tensor"},
        {"torch._utils", "_rebuild_parameter"}, {"torch._tensor", "_rebuild_from_type_v2"},
        {"collections", "OrderedDict"}, {"torch", "FloatStorage"}, {"torch.storage", "UntypedStorage"},
        {"torch", "Size"}, {"torch", "device"}, {"torch", "float16"}, {"torch", "per_channel_affine"},
        {"_codecs", "encode"}, {"builtins", "set"}, {"builtins", "complex"}, {"torch.serialization", "_get_layout"},
        {"torch.nn.parameter", "Parameter"}, {"torch", "Tensor"}}) {
      globals.add(PickleBytes.global(g[0], g[1]));
    }
    tokens.addAll(globals);
    tokens.add(TensorPickles.vector("0", 4));
    tokens.add(TensorPickles.storage("FloatStorage", "1", 4));
    tokens.add(TensorPickles.tuple(2, 2));
    tokens.add(TensorPickles.emptyHooks());
    Random rnd = new Random(7);
    int parsed = 0;
    int matcherRefusals = 0;
    for (int i = 0; i < 30_000; i++) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      out.write(0x80);
      out.write(2);
      if (i % 2 == 0) {
        int n = 1 + rnd.nextInt(40);
        for (int k = 0; k < n; k++) {
          out.writeBytes(tokens.get(rnd.nextInt(tokens.size())));
        }
      } else {
        out.writeBytes(randomValue(rnd, globals, 0));
      }
      out.write('.');
      try {
        TorchPickle.read(ByteBuffer.wrap(out.toByteArray()), "r.pt", "data.pkl", LIMITS, rnd.nextBoolean());
        parsed++;
      } catch (TensorFormatException e) {
        assertThat(e.getMessage()).contains("r.pt").doesNotContain(GUARD);
        if (e.getMessage().contains("key '")) {
          matcherRefusals++;
        }
      } catch (Throwable t) {
        fail("random pickle " + i + " threw " + t, t);
      }
    }
    assertThat(parsed).isPositive();
    assertThat(matcherRefusals).as("refusals by the matcher").isGreaterThan(3000);
  }

  /** A well-formed random value: scalars, containers, or a call of an allowed global on random values. */
  private static byte[] randomValue(Random rnd, List<byte[]> globals, int depth) {
    int pick = rnd.nextInt(depth > 3 ? 6 : 10);
    switch (pick) {
      case 0: return PickleBytes.of('K', rnd.nextInt(5));
      case 1: return PickleBytes.str(rnd.nextBoolean() ? "storage" : "torch.sparse_coo");
      case 2: return PickleBytes.of(rnd.nextBoolean() ? 'N' : 0x88);
      case 3: return TensorPickles.vector(Integer.toString(rnd.nextInt(3)), rnd.nextInt(4));
      case 4: return TensorPickles.storage(rnd.nextBoolean() ? "FloatStorage" : "QInt8Storage", "0", rnd.nextInt(4));
      case 5: return TensorPickles.tuple(rnd.nextInt(3), rnd.nextInt(3));
      case 6:
      case 7: {
        byte[] g = globals.get(rnd.nextInt(globals.size()));
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(g);
        b.write('(');
        for (int k = rnd.nextInt(8); k > 0; k--) {
          b.writeBytes(randomValue(rnd, globals, depth + 1));
        }
        b.write('t');
        b.write(rnd.nextInt(4) == 0 ? 0x81 : 'R');
        return b.toByteArray();
      }
      case 8: {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write('}');
        b.write('(');
        for (int k = rnd.nextInt(3); k > 0; k--) {
          b.writeBytes(PickleBytes.str("k" + k));
          b.writeBytes(randomValue(rnd, globals, depth + 1));
        }
        b.write('u');
        return b.toByteArray();
      }
      default: {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write('(');
        for (int k = rnd.nextInt(5); k > 0; k--) {
          b.writeBytes(randomValue(rnd, globals, depth + 1));
        }
        b.write(rnd.nextBoolean() ? 't' : 'l');
        return b.toByteArray();
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
