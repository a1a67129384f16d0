package io.torchtensor.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import io.torchtensor.format.DType;
import org.junit.jupiter.api.Test;

/** Widening of the narrow float types: edge values from the IEEE and OCP float8 definitions. */
class SmallFloatsTest {

  @Test
  void halfFloats() {
    assertThat(SmallFloats.halfToFloat((short) 0x3C00)).isEqualTo(1.0f);
    assertThat(SmallFloats.halfToFloat((short) 0xC000)).isEqualTo(-2.0f);
    assertThat(SmallFloats.halfToFloat((short) 0x7BFF)).isEqualTo(65504.0f);
    assertThat(SmallFloats.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(SmallFloats.halfToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
    assertThat(SmallFloats.halfToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
    assertThat(Float.floatToRawIntBits(SmallFloats.halfToFloat((short) 0x8000))).isEqualTo(0x80000000);
    assertThat(SmallFloats.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(SmallFloats.halfToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(SmallFloats.halfToFloat((short) 0x7E00)).isNaN();
  }

  @Test
  void everyHalfRoundTripsThroughItsBits() {
    for (int h = 0; h < 0x10000; h++) {
      float f = SmallFloats.halfToFloat((short) h);
      if (Float.isNaN(f)) {
        assertThat((h >>> 10) & 0x1f).isEqualTo(0x1f);
        continue;
      }
      // Re-encode by hand: every finite half is exact in float, so the bits must come back.
      int bits = Float.floatToRawIntBits(f);
      int sign = (bits >>> 16) & 0x8000;
      float a = Math.abs(f);
      int back;
      if (Float.isInfinite(a)) {
        back = sign | 0x7C00;
      } else if (a < 0x1p-14f) {
        back = sign | (int) (a / 0x1p-24f);
      } else {
        int e = Math.getExponent(a);
        back = sign | ((e + 15) << 10) | (int) ((a / Math.scalb(1f, e) - 1f) * 1024);
      }
      assertThat(back).as("half 0x%04x", h).isEqualTo(h);
    }
  }

  @Test
  void bfloat16IsTheUpperHalfOfAFloat() {
    assertThat(SmallFloats.bfloat16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
    assertThat(SmallFloats.bfloat16ToFloat((short) 0xC2F7)).isEqualTo(-123.5f);
    assertThat(SmallFloats.bfloat16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
  }

  @Test
  void float8Encodings() {
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FN, (byte) 0x38)).isEqualTo(1.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FN, (byte) 0x7E)).isEqualTo(448.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FN, (byte) 0x7F)).isNaN();
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FN, (byte) 0x01)).isEqualTo(0x1p-9f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FN, (byte) 0xB8)).isEqualTo(-1.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2, (byte) 0x3C)).isEqualTo(1.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2, (byte) 0x7B)).isEqualTo(57344.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2, (byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2, (byte) 0x01)).isEqualTo(0x1p-16f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FNUZ, (byte) 0x40)).isEqualTo(1.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FNUZ, (byte) 0x7F)).isEqualTo(240.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FNUZ, (byte) 0x80)).isNaN();
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FNUZ, (byte) 0x01)).isEqualTo(0x1p-10f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2FNUZ, (byte) 0x40)).isEqualTo(1.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2FNUZ, (byte) 0x7F)).isEqualTo(57344.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2FNUZ, (byte) 0x80)).isNaN();
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2FNUZ, (byte) 0x01)).isEqualTo(0x1p-17f);
  }

  @Test
  void float8NaNsKeepTheirSignAndPayload() {
    // e5m2 is the upper byte of a half: its NaN (sign, 2 payload bits) widens as that half does.
    for (int b = 0; b < 256; b++) {
      if ((b & 0x7C) != 0x7C || (b & 0x03) == 0) {
        continue;
      }
      int bits = Float.floatToRawIntBits(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2, (byte) b));
      assertThat(Float.isNaN(Float.intBitsToFloat(bits))).isTrue();
      int half = ((bits >>> 16) & 0x8000) | 0x7C00 | ((bits >>> 13) & 0x3FF);
      assertThat(half >>> 8).as("e5m2 0x%02x from float 0x%08x", b, bits).isEqualTo(b);
    }
    assertThat(Float.floatToRawIntBits(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2, (byte) 0xFD))).isEqualTo(0xFFA00000);
    assertThat(Float.floatToRawIntBits(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FN, (byte) 0x7F))).isEqualTo(0x7FC00000);
    assertThat(Float.floatToRawIntBits(SmallFloats.float8ToFloat(DType.FLOAT8_E4M3FN, (byte) 0xFF))).isEqualTo(0xFFC00000);
    assertThat(Float.floatToRawIntBits(SmallFloats.float8ToFloat(DType.FLOAT8_E5M2FNUZ, (byte) 0x80))).isEqualTo(0x7FC00000);
  }

  @Test
  void e8m0IsAPowerOfTwoPerByte() {
    // c10/util/Float8_e8m0fnu.h: value 2^(b-127), 0 is 2^-127 (a float subnormal), 0xFF is NaN.
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E8M0FNU, (byte) 127)).isEqualTo(1.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E8M0FNU, (byte) 128)).isEqualTo(2.0f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E8M0FNU, (byte) 0)).isEqualTo(0x1p-127f);
    assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E8M0FNU, (byte) 254)).isEqualTo(0x1p127f);
    for (int b = 1; b < 255; b++) {
      assertThat(SmallFloats.float8ToFloat(DType.FLOAT8_E8M0FNU, (byte) b)).as("e8m0 %d", b)
          .isEqualTo(Math.scalb(1f, b - 127));
    }
    // torch's own float conversion of the NaN byte gives these bits; they survive the table.
    assertThat(Float.floatToRawIntBits(SmallFloats.float8ToFloat(DType.FLOAT8_E8M0FNU, (byte) 0xFF)))
        .isEqualTo(0x7F800001);
  }
}
