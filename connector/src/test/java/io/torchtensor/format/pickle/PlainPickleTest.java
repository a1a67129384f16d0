package io.torchtensor.format.pickle;

import static io.torchtensor.format.pickle.PickleBytes.buf;
import static io.torchtensor.format.pickle.PickleBytes.global;
import static io.torchtensor.format.pickle.PickleBytes.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.PyCall;
import io.torchtensor.format.pickle.PickleTree.PyGlobal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PickleMachine#loadPlain}: the legacy header pickles, and refusal of every global. */
class PlainPickleTest {

  private static Object plain(ByteBuffer b) throws TensorFormatException {
    return PickleMachine.loadPlain(b, "f.pt", "header", ReadLimits.DEFAULT);
  }

  @Test
  void legacyMagicNumberAtProtocol2() throws Exception {
    ByteBuffer b = buf(0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.',
        0x80, 2, 'M', 0xe9, 3, '.');
    assertThat(plain(b)).isEqualTo(new BigInteger("1950a86a20f9469cfc6c", 16));
    assertThat(b.position()).isEqualTo(15);
    assertThat(plain(b)).isEqualTo(1001L);
    assertThat(b.position()).isEqualTo(21);
  }

  @Test
  void legacyMagicNumberAtProtocol1IsTextLong() throws Exception {
    // The first pickle of gopickle_tensor_float32_proto1.pt (FORMAT.md §1).
    ByteBuffer b = buf("L119547037146038801333356L\n.");
    assertThat(plain(b)).isEqualTo(new BigInteger("119547037146038801333356"));
  }

  @Test
  void sysInfoDictAndKeyList() throws Exception {
    Object info = plain(buf(0x80, 2, '}', 'q', 0, '(', str("protocol_version"), 'M', 0xe9, 3,
        str("little_endian"), 0x88, str("type_sizes"), '}', '(', str("short"), 'K', 2, str("int"), 'K', 4,
        str("long"), 'K', 4, 'u', 'u', '.'));
    assertThat(info).isInstanceOf(java.util.LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<Object, Object> m = (Map<Object, Object>) info;
    assertThat(List.copyOf(m.keySet())).containsExactly("protocol_version", "little_endian", "type_sizes");
    assertThat(m.get("protocol_version")).isEqualTo(1001L);
    assertThat(m.get("little_endian")).isEqualTo(true);
    assertThat(m.get("type_sizes")).isEqualTo(Map.of("short", 2L, "int", 4L, "long", 4L));
    Object keys = plain(buf(0x80, 2, ']', 'q', 0, '(', str("1"), str("10"), str("2"), 'e', '.'));
    assertThat(keys).isEqualTo(List.of("1", "10", "2"));
  }

  @Test
  void anyGlobalIsRefusedEvenAnAllowedTorchOne() {
    assertThatThrownBy(() -> plain(buf(0x80, 2, global("collections", "OrderedDict"), ')', 'R', '.')))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_GLOBAL))
        .hasMessageContaining("collections.OrderedDict")
        .hasMessageContaining("header: GLOBAL at byte 2");
  }

  @Test
  void persistentIdIsRefused() {
    assertThatThrownBy(() -> plain(buf(0x80, 2, str("storage"), 'Q', '.')))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_PICKLE))
        .hasMessageContaining("BINPERSID at byte 14: persistent id");
  }

  /**
   * picklescan's magic-number bypass: the "magic" is computed by {@code __builtin__.eval} and a later
   * pickle calls {@code posix.system('echo pwned')}. Parsing from offset 0 stops at the first GLOBAL.
   */
  @Test
  void magicBypassIsRefusedAtItsFirstGlobal() throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Fixtures.file("negative/picklescan_pytorch_magic_bypass.pt"));
    assertThatThrownBy(() -> plain(b))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_GLOBAL))
        .hasMessageContaining("builtins.eval (pickled as __builtin__.eval)")
        .hasMessageContaining("GLOBAL at byte 2");
    // The refusal happened before REDUCE (byte 55): the buffer was not advanced past the pickle.
    assertThat(b.position()).isZero();
  }

  /**
   * Proof that nothing runs even when every global is let through: the payload pickle becomes a
   * record of the call it asks for, with its argument as data.
   */
  @Test
  void magicBypassPayloadIsOnlyData() throws Exception {
    byte[] file = Fixtures.file("negative/picklescan_pytorch_magic_bypass.pt");
    ByteBuffer b = ByteBuffer.wrap(file);
    b.position(0x4c); // the fourth pickle: PROTO 2, GLOBAL posix system, 'echo pwned', TUPLE1, REDUCE
    Object tree = PickleMachine.loadTree(b, "m.pt", null, ReadLimits.DEFAULT, (g, in) -> { }, true);
    assertThat(tree).isInstanceOf(PyCall.class);
    PyCall call = (PyCall) tree;
    assertThat(((PyGlobal) call.callable).qualified()).isEqualTo("posix.system");
    assertThat(call.args.items).containsExactly("echo pwned");
    assertThat(b.position()).isEqualTo(0x76);
    // And the tensor reader refuses the same pickle by name.
    ByteBuffer again = ByteBuffer.wrap(file);
    again.position(0x4c);
    assertThatThrownBy(() -> TorchPickle.read(again, "m.pt", null, ReadLimits.DEFAULT, true))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_GLOBAL))
        .hasMessageContaining("global posix.system is not on the allow-list")
        .hasMessageContaining("GLOBAL at byte 78"); // offsets count from the buffer's start: file offsets
  }
}
