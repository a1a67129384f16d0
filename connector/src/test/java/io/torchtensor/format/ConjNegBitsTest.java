package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Resolving torch's conj/neg bits on bytes, value by value as torch 2.15's CPU kernels do
 * ({@code torch._neg_view(x).resolve_neg()}, {@code z.conj().resolve_conj()}): sign-bit flips for
 * floats, NaN payloads and zeros included; two's complement for integers.
 */
class ConjNegBitsTest {

  private static final ConjNegBits CONJ = new ConjNegBits(true, false);
  private static final ConjNegBits NEG = new ConjNegBits(false, true);
  private static final ConjNegBits BOTH = new ConjNegBits(true, true);

  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void negFlipsTheSignBitOfEveryFloat32IncludingNanAndZero() {
    // 0, -0, NaN, -NaN, +inf, 1.5, a NaN payload, a signalling NaN, and a tail float (odd count).
    int[] in = {0x0, 0x80000000, 0x7fc00000, 0xffc00000, 0x7f800000, 0x3fc00000, 0x7fc00001, 0x7f800001, 0x40490fdb};
    ByteBuffer b = le(4 + in.length * 4);
    for (int i = 0; i < in.length; i++) {
      b.putInt(4 + 4 * i, in[i]);
    }
    b.position(3).limit(b.capacity());
    NEG.apply(DType.FLOAT32, b, 4, in.length * 4);
    assertThat(b.position()).isEqualTo(3);
    assertThat(b.limit()).isEqualTo(b.capacity());
    assertThat(b.getInt(0)).as("bytes before the range are untouched").isZero();
    for (int i = 0; i < in.length; i++) {
      assertThat(b.getInt(4 + 4 * i)).as("element %d", i).isEqualTo(in[i] ^ 0x80000000);
    }
  }

  @Test
  void negFlipsEvery16BitFloatPattern() {
    for (DType d : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
      ByteBuffer b = le(2 * 65536 + 2);
      for (int v = 0; v < 65536; v++) {
        b.putShort(2 + 2 * v, (short) v);
      }
      NEG.apply(d, b, 2, 2 * 65535 + 2);
      for (int v = 0; v < 65536; v++) {
        assertThat(b.getShort(2 + 2 * v) & 0xFFFF).as("%s pattern %04x", d, v).isEqualTo(v ^ 0x8000);
      }
    }
  }

  @Test
  void negOfFloat64() {
    ByteBuffer b = le(24);
    b.putDouble(0, -0.0).putDouble(8, Double.NaN).putDouble(16, 2.5);
    NEG.apply(DType.FLOAT64, b, 0, 24);
    assertThat(b.getLong(0)).isZero();
    assertThat(b.getLong(8)).isEqualTo(0xfff8000000000000L);
    assertThat(b.getDouble(16)).isEqualTo(-2.5);
  }

  @Test
  void conjNegatesTheImaginaryHalfNegTheWholeBothTheRealHalf() {
    float[] z = {1f, 2f, -3f, Float.NaN, 0f, -0f}; // three complex64 (re, im)
    for (ConjNegBits bits : new ConjNegBits[] {CONJ, NEG, BOTH}) {
      ByteBuffer b = le(24);
      for (int i = 0; i < z.length; i++) {
        b.putFloat(4 * i, z[i]);
      }
      bits.apply(DType.COMPLEX64, b, 0, 24);
      for (int i = 0; i < z.length; i++) {
        boolean imag = i % 2 == 1;
        boolean flipped = imag ? bits.conj() ^ bits.neg() : bits.neg();
        int want = Float.floatToRawIntBits(z[i]) ^ (flipped ? 0x80000000 : 0);
        assertThat(b.getInt(4 * i)).as("%s component %d", bits, i).isEqualTo(want);
      }
    }
  }

  @Test
  void conjOfComplex128AlternatesRealAndImaginaryLongs() {
    ByteBuffer b = le(48);
    double[] z = {1.0, -2.0, 3.0, 4.0, -0.0, Double.NaN};
    for (int i = 0; i < z.length; i++) {
      b.putDouble(8 * i, z[i]);
    }
    CONJ.apply(DType.COMPLEX128, b, 0, 48);
    for (int i = 0; i < z.length; i++) {
      long want = Double.doubleToRawLongBits(z[i]) ^ (i % 2 == 1 ? Long.MIN_VALUE : 0);
      assertThat(b.getLong(8 * i)).as("component %d", i).isEqualTo(want);
    }
  }

  @Test
  void integersAreNegatedInTwosComplementAndWrap() {
    ByteBuffer b = le(5);
    b.put(0, (byte) 0).put(1, (byte) 1).put(2, (byte) -1).put(3, Byte.MIN_VALUE).put(4, Byte.MAX_VALUE);
    NEG.apply(DType.INT8, b, 0, 5);
    assertThat(new byte[] {b.get(0), b.get(1), b.get(2), b.get(3), b.get(4)})
        .containsExactly(0, -1, 1, Byte.MIN_VALUE, -Byte.MAX_VALUE);
    ByteBuffer u = le(4);
    u.put(0, (byte) 0).put(1, (byte) 1).put(2, (byte) 2).put(3, (byte) 100);
    NEG.apply(DType.UINT8, u, 0, 4);
    // torch: _neg_view(tensor([0, 1, 2, 100], dtype=uint8)).resolve_neg() == [0, 255, 254, 156]
    assertThat(new int[] {u.get(0) & 0xFF, u.get(1) & 0xFF, u.get(2) & 0xFF, u.get(3) & 0xFF})
        .containsExactly(0, 255, 254, 156);
    ByteBuffer s = le(4);
    s.putShort(0, Short.MIN_VALUE).putShort(2, (short) 7);
    NEG.apply(DType.INT16, s, 0, 4);
    assertThat(new short[] {s.getShort(0), s.getShort(2)}).containsExactly(Short.MIN_VALUE, (short) -7);
    ByteBuffer i = le(8);
    i.putInt(0, Integer.MIN_VALUE).putInt(4, -5);
    NEG.apply(DType.INT32, i, 0, 8);
    assertThat(new int[] {i.getInt(0), i.getInt(4)}).containsExactly(Integer.MIN_VALUE, 5);
    ByteBuffer l = le(16);
    l.putLong(0, Long.MIN_VALUE).putLong(8, Long.MAX_VALUE);
    NEG.apply(DType.INT64, l, 0, 16);
    assertThat(new long[] {l.getLong(0), l.getLong(8)}).containsExactly(Long.MIN_VALUE, -Long.MAX_VALUE);
  }

  @Test
  void noBitsLeaveTheBytesAlone() {
    ByteBuffer b = le(8);
    b.putFloat(0, 1f).putFloat(4, -2f);
    ConjNegBits.NONE.apply(DType.FLOAT32, b, 0, 8);
    assertThat(b.getFloat(0)).isEqualTo(1f);
    assertThat(b.getFloat(4)).isEqualTo(-2f);
    assertThat(ConjNegBits.NONE.isNone()).isTrue();
    assertThat(NEG.isNone()).isFalse();
  }

  @Test
  void unsupportedNamesWhatTorchCannotResolve() {
    for (DType d : DType.values()) {
      boolean negatable = d == DType.FLOAT16 || d == DType.BFLOAT16 || d == DType.FLOAT32 || d == DType.FLOAT64
          || d.isComplex() || d == DType.INT8 || d == DType.INT16 || d == DType.INT32 || d == DType.INT64
          || d == DType.UINT8;
      assertThat(NEG.unsupported(d)).as("neg on %s", d).isEqualTo(negatable ? null
          : "a neg view of a " + d.torchName() + " tensor (torch has no negation for " + d.torchName()
              + " and cannot resolve it either)");
      assertThat(CONJ.unsupported(d)).as("conj on %s", d).isEqualTo(d.isComplex() ? null
          : "a conj bit on a " + d.torchName() + " tensor (torch sets it only on complex tensors)");
      assertThat(ConjNegBits.NONE.unsupported(d)).isNull();
      assertThat(new ConjNegBits(true, true).unsupported(d)).as("conj and neg on %s", d).isEqualTo(
          d == DType.COMPLEX32 ? "a conj and neg view of a complex32 tensor (torch has no \"neg_conj\" kernel"
              + " for complex32 and cannot resolve it either)" : d.isComplex() ? null : CONJ.unsupported(d));
    }
  }

  @Test
  void complex32FlipsTheSignBitsOfItsFloat16Halves() {
    // Three complex32 elements (re, im), float16 bits: 1 + 2i, NaN(payload 0x155) - 0i, -inf + 0i.
    short[] halves = {0x3C00, 0x4000, 0x7D55, (short) 0x8000, (short) 0xFC00, 0x0000};
    ByteBuffer b = le(12);
    for (int i = 0; i < halves.length; i++) {
      b.putShort(2 * i, halves[i]);
    }
    ByteBuffer conj = le(12).put(0, b, 0, 12);
    CONJ.apply(DType.COMPLEX32, conj, 0, 12);
    ByteBuffer neg = le(12).put(0, b, 0, 12);
    NEG.apply(DType.COMPLEX32, neg, 0, 12);
    for (int i = 0; i < halves.length; i++) {
      boolean imag = i % 2 == 1;
      assertThat(conj.getShort(2 * i)).as("conj half %d", i).isEqualTo((short) (halves[i] ^ (imag ? 0x8000 : 0)));
      assertThat(neg.getShort(2 * i)).as("neg half %d", i).isEqualTo((short) (halves[i] ^ 0x8000));
    }
  }
}
