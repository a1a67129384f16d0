package io.torchtensor.format.pickle;

import static io.torchtensor.format.pickle.PickleBytes.buf;
import static io.torchtensor.format.pickle.PickleBytes.global;
import static io.torchtensor.format.pickle.PickleBytes.of;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Byte-literal pickles for each opcode family of the data-only machine, and each way it refuses one. */
class PickleMachineTest {

  private static Object load(Object... parts) throws TensorFormatException {
    return PickleMachine.loadPlain(buf(parts), "t.pkl", "e", ReadLimits.DEFAULT);
  }

  private static Object tree(Object... parts) throws TensorFormatException {
    return PickleMachine.loadTree(buf(parts), "t.pkl", "e", ReadLimits.DEFAULT, (g, in) -> { }, true);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> refused(Reason reason, ReadLimits limits, Object... parts) {
    return assertThatThrownBy(() -> PickleMachine.loadPlain(buf(parts), "t.pkl", "e", limits))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining("t.pkl: e: ");
  }

  static AbstractThrowableAssert<?, ? extends Throwable> refused(Reason reason, Object... parts) {
    return refused(reason, ReadLimits.DEFAULT, parts);
  }

  // ------------------------------------------------------------------ integers and floats

  @Test
  void textIntegersIncludingBooleanForms() throws Exception {
    assertThat(load("I00\n.")).isEqualTo(false);
    assertThat(load("I01\n.")).isEqualTo(true);
    assertThat(load("I-42\n.")).isEqualTo(-42L);
    assertThat(load("L123456789012345678901234567890L\n.")).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(load("L-5\n.")).isEqualTo(-5L);
  }

  @Test
  void binaryIntegers() throws Exception {
    assertThat(load('J', 0xfe, 0xff, 0xff, 0xff, '.')).isEqualTo(-2L);
    assertThat(load('K', 0xff, '.')).isEqualTo(255L);
    assertThat(load('M', 0xff, 0xff, '.')).isEqualTo(65535L);
    assertThat(load(0x8a, 0, '.')).isEqualTo(0L);
    assertThat(load(0x8a, 1, 0xff, '.')).isEqualTo(-1L);
    assertThat(load(0x8a, 2, 0x00, 0x80, '.')).isEqualTo(-32768L);
    assertThat(load(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, '.')).isEqualTo(BigInteger.ONE.shiftLeft(63));
    assertThat(load(0x8b, 2, 0, 0, 0, 0x01, 0x01, '.')).isEqualTo(257L);
  }

  @Test
  void floats() throws Exception {
    assertThat(load("F1.5\n.")).isEqualTo(1.5);
    assertThat(load("F-1e-08\n.")).isEqualTo(-1e-8);
    assertThat(load("Finf\n.")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(load('G', 0x3f, 0xd0, 0, 0, 0, 0, 0, 0, '.')).isEqualTo(0.25);
  }

  // ------------------------------------------------------------------ strings and bytes

  @Test
  void py2StringsDecodeAsUtf8ElseLatin1() throws Exception {
    assertThat(load("S'a\\x41\\n\\'q\\101'\n.")).isEqualTo("aA\n'qA");
    assertThat(load('U', 2, 0xc3, 0xa9, '.')).isEqualTo("\u00e9"); // valid UTF-8
    assertThat(load('U', 1, 0xe9, '.')).isEqualTo("\u00e9"); // not UTF-8: Latin-1
    assertThat(load('T', 3, 0, 0, 0, "abc", '.')).isEqualTo("abc");
  }

  @Test
  void unicodeStrings() throws Exception {
    assertThat(load("Vcaf\\u00e9 \\U0001f600\n.")).isEqualTo("caf\u00e9 \ud83d\ude00");
    assertThat(load(0x8c, 2, 0xc3, 0xa9, '.')).isEqualTo("\u00e9");
    assertThat(load(0x8d, 2, 0, 0, 0, 0, 0, 0, 0, "hi", '.')).isEqualTo("hi");
    assertThat(load(str("x"), '.')).isEqualTo("x");
  }

  @Test
  void bytesAndBytearrays() throws Exception {
    assertThat((byte[]) load('C', 2, 1, 0xff, '.')).containsExactly(1, 0xff);
    assertThat((byte[]) load('B', 1, 0, 0, 0, 7, '.')).containsExactly(7);
    assertThat((byte[]) load(0x8e, 1, 0, 0, 0, 0, 0, 0, 0, 9, '.')).containsExactly(9);
    assertThat((byte[]) load(0x96, 0, 0, 0, 0, 0, 0, 0, 0, '.')).isEmpty();
  }

  // ------------------------------------------------------------------ containers, stack, memo

  @Test
  void protocol0Containers() throws Exception {
    // [1, 2], {'a': (1,)} and a memo round trip, as pickle.dumps(..., protocol=0) writes them.
    assertThat(load("(lp0\nI1\naI2\na.")).isEqualTo(List.of(1L, 2L));
    assertThat(load("(dp0\nVa\np1\n(I1\ntp2\ns.")).isEqualTo(Map.of("a", List.of(1L)));
    assertThat(load("(I7\ntp0\n0g0\n.")).isEqualTo(List.of(7L));
  }

  @Test
  void tuplesSetsAndStackOps() throws Exception {
    assertThat(load('K', 1, 0x85, '.')).isEqualTo(List.of(1L));
    assertThat(load('K', 1, 'K', 2, 0x86, '.')).isEqualTo(List.of(1L, 2L));
    assertThat(load('K', 1, 'K', 2, 'K', 3, 0x87, '.')).isEqualTo(List.of(1L, 2L, 3L));
    assertThat(load(0x8f, '(', 'K', 1, 'K', 2, 0x90, '.')).isEqualTo(List.of(1L, 2L));
    assertThat(load('(', 'K', 3, 0x91, '.')).isEqualTo(List.of(3L));
    assertThat(load('K', 1, '2', 0x86, '.')).isEqualTo(List.of(1L, 1L)); // DUP
    assertThat(load('K', 1, '(', 'K', 2, '1', '.')).isEqualTo(1L); // POP_MARK
    assertThat(load('K', 1, 'K', 2, '0', '.')).isEqualTo(1L); // POP
    assertThat(load(']', '(', 'K', 1, 'K', 2, 'e', 'N', 'a', '.')).isEqualTo(Arrays.asList(1L, 2L, null));
  }

  @Test
  void dictKeysKeepOrderAndNeedNotBeStrings() throws Exception {
    Object d = load('}', '(', 'K', 2, 'N', 'N', 'K', 1, 'K', 1, 'K', 2, 0x86, 0x88, 'u', '.');
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) d).keySet())).isEqualTo(Arrays.asList(2L, null, List.of(1L, 2L)));
  }

  @Test
  void memoOpcodesAndFraming() throws Exception {
    assertThat(load(0x80, 4, 0x95, 6, 0, 0, 0, 0, 0, 0, 0, ']', 0x94, 'h', 0, 0x86, '.'))
        .isEqualTo(List.of(List.of(), List.of()));
    assertThat(load('K', 5, 'r', 0x10, 0x27, 0, 0, 'j', 0x10, 0x27, 0, 0, 0x86, '.')).isEqualTo(List.of(5L, 5L));
    assertThat(load(0x80, 5, 'K', 5, 'q', 3, 'h', 3, 0x86, '.')).isEqualTo(List.of(5L, 5L));
  }

  @Test
  void globalsAndCallsAreOnlyRecorded() throws Exception {
    Object t = tree(0x80, 4, 0x8c, 5, "torch", 0x8c, 4, "Size", 0x93, 'K', 2, 0x85, 0x85, 'R', '.');
    assertThat(t).isInstanceOf(PyCall.class);
    assertThat(((PyGlobal) ((PyCall) t).callable).qualified()).isEqualTo("torch.Size");
    Object n = tree(global("__builtin__", "set"), ')', 0x81, '}', 'b', '.');
    assertThat(((PyCall) n).kind).isEqualTo(PickleTree.CallKind.NEWOBJ);
    assertThat(((PyGlobal) ((PyCall) n).callable).qualified()).isEqualTo("builtins.set");
    assertThat(((PyCall) n).states).hasSize(1);
    Object ex = tree(global("a", "B"), ')', '}', 0x92, '.');
    assertThat(((PyCall) ex).kind).isEqualTo(PickleTree.CallKind.NEWOBJ_EX);
  }

  @Test
  void bufferStopsRightAfterStop() throws Exception {
    ByteBuffer b = buf('K', 1, '.', 'K', 2, '.');
    assertThat(PickleMachine.loadPlain(b, "t", null, ReadLimits.DEFAULT)).isEqualTo(1L);
    assertThat(b.position()).isEqualTo(3);
  }

  // ------------------------------------------------------------------ refusals

  @Test
  void refusesInstanceAndExtensionOpcodes() {
    refused(Reason.FORBIDDEN_GLOBAL, "(iposix\nsystem\n.").hasMessageContaining("INST at byte 1")
        .hasMessageContaining("posix.system");
    refused(Reason.FORBIDDEN_GLOBAL, 0x82, 1, '.').hasMessageContaining("EXT1 at byte 0: extension code 1");
    refused(Reason.FORBIDDEN_GLOBAL, 0x84, 1, 0, 0, 0, '.').hasMessageContaining("EXT4");
    refused(Reason.FORBIDDEN_GLOBAL, '(', 'N', 'o', '.').hasMessageContaining("OBJ at byte 2");
    refused(Reason.FORBIDDEN_GLOBAL, global("os", "system"), '.').hasMessageContaining("global os.system");
  }

  @Test
  void refusesMalformedStreams() {
    refused(Reason.BAD_PICKLE, 0x80, 2, 0xff).hasMessageContaining("opcode at byte 2: unknown opcode byte 0xff");
    refused(Reason.BAD_PICKLE, 0x80, 6, '.').hasMessageContaining("PROTO at byte 0: unsupported pickle protocol 6");
    refused(Reason.BAD_PICKLE, 0x97, '.').hasMessageContaining("NEXT_BUFFER at byte 0: out-of-band buffers");
    refused(Reason.BAD_PICKLE, 0x98, '.').hasMessageContaining("READONLY_BUFFER");
    refused(Reason.BAD_PICKLE, 'K', 1, 'R', '.').hasMessageContaining("REDUCE at byte 2: REDUCE arguments must be a tuple");
    refused(Reason.BAD_PICKLE, '.').hasMessageContaining("STOP at byte 0: stack underflow");
    refused(Reason.BAD_PICKLE, 'K', 1, '(', 0x85, '.').hasMessageContaining("TUPLE1 at byte 3: stack underflow");
    refused(Reason.BAD_PICKLE, 'K', 1, 't', '.').hasMessageContaining("TUPLE at byte 2: no MARK");
    refused(Reason.BAD_PICKLE, 'h', 4, '.').hasMessageContaining("BINGET at byte 0: memo index 4 was never stored");
    refused(Reason.BAD_PICKLE, 'X', 2, 0, 0, 0, 0xc3, 0x28, '.').hasMessageContaining("BINUNICODE at byte 0: string of 2 bytes is not valid UTF-8");
    refused(Reason.BAD_PICKLE, 'T', 0xff, 0xff, 0xff, 0xff, '.').hasMessageContaining("negative byte count -1");
    refused(Reason.BAD_PICKLE, 0x8b, 0xff, 0xff, 0xff, 0xff, '.').hasMessageContaining("LONG4 with negative byte count");
    refused(Reason.BAD_PICKLE, '}', '(', 'K', 1, 'u', '.').hasMessageContaining("SETITEMS at byte 4: odd number of items (1)");
    refused(Reason.BAD_PICKLE, '}', ']', 'K', 1, 's', '.').hasMessageContaining("SETITEM at byte 4: unsupported dict key of type list[0]");
    refused(Reason.BAD_PICKLE, ']', '}', 'b', '.').hasMessageContaining("BUILD at byte 2: BUILD on list[0]");
    refused(Reason.BAD_PICKLE, '}', 'K', 1, 'a', '.').hasMessageContaining("APPEND at byte 3: append to dict[0], not a list");
    refused(Reason.BAD_PICKLE, ')', '(', 0x90, '.').hasMessageContaining("ADDITEMS at byte 2: ADDITEMS on tuple[0], not a set");
    refused(Reason.BAD_PICKLE, 'K', 1, 'K', 2, 0x93, '.').hasMessageContaining("STACK_GLOBAL needs two str, got int and int");
    refused(Reason.BAD_PICKLE, "Ix12\n.").hasMessageContaining("INT at byte 0: 'x12' is not a decimal");
    refused(Reason.BAD_PICKLE, "Fnope\n.").hasMessageContaining("FLOAT at byte 0: 'nope' is not a float");
    refused(Reason.BAD_PICKLE, "Sabc\n.").hasMessageContaining("STRING at byte 0: the STRING argument must be quoted");
    refused(Reason.BAD_PICKLE, ']', ')', ')', 0x92, '.')
        .hasMessageContaining("NEWOBJ_EX at byte 3: NEWOBJ_EX keyword arguments must be a dict, got tuple[0]");
  }

  @Test
  void refusesTruncatedInput() {
    refused(Reason.TRUNCATED, 'X', 5, 0, 0, 0, "ab").hasMessageContaining("BINUNICODE at byte 0: pickle ends after 2 bytes, 5 needed");
    refused(Reason.TRUNCATED, 'K', 1).hasMessageContaining("opcode at byte 2: pickle ends after 0 bytes, 1 needed");
    refused(Reason.TRUNCATED, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, '.').hasMessageContaining("BINBYTES8");
    refused(Reason.TRUNCATED, "I12").hasMessageContaining("INT at byte 0");
    refused(Reason.TRUNCATED, 0x95, 100, 0, 0, 0, 0, 0, 0, 0, 'N', '.').hasMessageContaining("FRAME at byte 0: frame of 100 bytes");
    refused(Reason.BAD_PICKLE, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80, '.').hasMessageContaining("does not fit in a pickle");
  }

  @Test
  void refusesWhatExceedsTheLimits() {
    ReadLimits small = new ReadLimits(16, 2, 3, 4, 1 << 20, 1 << 20);
    refused(Reason.LIMIT_EXCEEDED, small, 'X', 20, 0, 0, 0, "abcdefghijklmnopqrst", '.')
        .hasMessageContaining("pickle is longer than the limit of 16 bytes");
    refused(Reason.LIMIT_EXCEEDED, small, 'N', 'q', 0, 'q', 1, 'q', 2, '.')
        .hasMessageContaining("BINPUT at byte 5: memo would hold more than 2 entries");
    refused(Reason.LIMIT_EXCEEDED, small, '(', '(', '(', '(', '.').hasMessageContaining("MARK at byte 3: MARK nesting deeper than 3");
    refused(Reason.LIMIT_EXCEEDED, small, ']', '(', 'N', 'N', 'N', 'e', '(', 'N', 'N', 'e', '.')
        .hasMessageContaining("APPENDS at byte 9: container would hold 5 elements, more than the limit of 4");
    refused(Reason.LIMIT_EXCEEDED, small, 'N', 'N', 'N', 'N', 'N', '.').hasMessageContaining("NONE at byte 4: stack would hold more than 4");
    byte[] big = new byte[3000];
    refused(Reason.LIMIT_EXCEEDED, 0x8b, 0xb8, 0x0b, 0, 0, big, '.').hasMessageContaining("integer of 3000 bytes exceeds the limit of 2048");
    refused(Reason.LIMIT_EXCEEDED, "I" + "1".repeat(5000) + "\n.").hasMessageContaining("INT at byte 0: text argument longer than 4302 bytes");
    refused(Reason.LIMIT_EXCEEDED, new ReadLimits(1 << 20, 100, 2, 100, 1, 1), ']', ']', ']', 'a', 'a', '.')
        .hasMessageContaining("e: values nest deeper than 2");
  }

  @Test
  void aListThatContainsItselfIsNotAPlainValue() {
    refused(Reason.BAD_PICKLE, ']', 'q', 0, 'h', 0, 'a', '.').hasMessageContaining("e: list[1] contains itself");
  }

  /** Memo references fanning out (each level holds the previous one twice) stay a shared graph. */
  @Test
  void sharedValuesAreConvertedOnce() throws Exception {
    Object v = load(fanOut(60), '.');
    for (int i = 0; i < 59; i++) {
      List<?> pair = (List<?>) v;
      assertThat(pair.get(0)).isSameAs(pair.get(1));
      v = pair.get(0);
    }
    assertThat(v).isEqualTo(List.of());
  }

  /** ]q0 (h(i-1) h(i-1) TUPLE2 q i)* : 2^levels leaves from a few hundred bytes. */
  static String fanOut(int levels) {
    StringBuilder fan = new StringBuilder("]q\u0000");
    for (int i = 1; i < levels; i++) {
      fan.append("h").append((char) (i - 1)).append("h").append((char) (i - 1)).append("\u0086q").append((char) i);
    }
    return fan.toString();
  }
}
