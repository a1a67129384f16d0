package io.torchtensor.arrow;

import io.torchtensor.format.DType;

/**
 * Exact widening of torch's narrow floating types to {@code float}. Every value of these types is a
 * {@code float} value, so nothing is rounded; NaN stays NaN, with its sign and (e5m2, float16)
 * payload bits, and infinities stay infinite.
 *
 * <p>Java 17 has no {@code Float.float16ToFloat} (added in Java 20), so half floats are decoded by
 * hand. The float8 encodings follow the definitions torch uses
 * (c10/util/Float8_e4m3fn.h, Float8_e5m2.h, Float8_e4m3fnuz.h, Float8_e5m2fnuz.h): the "fn" type has
 * no infinities and one NaN pattern per sign (all exponent and mantissa bits set); the "fnuz" types
 * have no infinities, no negative zero, and 0x80 is their only NaN.
 *
 * <p>float8_e8m0fnu (the OCP MX block-scale type, c10/util/Float8_e8m0fnu.h) is an unsigned exponent
 * byte: {@code b} is 2^(b-127), with no sign, no zero and no infinities; 0xFF is its one NaN. Its
 * values are the float exponents, so they widen to floats exactly: {@code b << 23}, and 0 is the
 * float subnormal 2^-127 (0x00400000). The NaN widens to the bits torch's own conversion gives,
 * 0x7F800001 ({@code Float8_e8m0fnu::operator float}), so the floats equal {@code t.float()} bit for bit.
 */
public final class SmallFloats {

  private static final float[] E4M3FN = table(4, 3, 7, Kind.FN);
  private static final float[] E5M2 = table(5, 2, 15, Kind.IEEE);
  private static final float[] E4M3FNUZ = table(4, 3, 8, Kind.FNUZ);
  private static final float[] E5M2FNUZ = table(5, 2, 16, Kind.FNUZ);
  private static final float[] E8M0FNU = e8m0Table();

  private enum Kind { IEEE, FN, FNUZ }

  private SmallFloats() {
  }

  /** IEEE 754 binary16 bits to float. */
  public static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      // Infinity or NaN: keep the payload in the top mantissa bits.
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal half: mant * 2^-24, exactly representable as a normal float.
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** bfloat16 bits to float: bfloat16 is the upper half of a float. */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** The 256-entry decoding table of a float8 dtype. */
  static float[] float8Table(DType dtype) {
    switch (dtype) {
      case FLOAT8_E4M3FN: return E4M3FN;
      case FLOAT8_E5M2: return E5M2;
      case FLOAT8_E4M3FNUZ: return E4M3FNUZ;
      case FLOAT8_E5M2FNUZ: return E5M2FNUZ;
      case FLOAT8_E8M0FNU: return E8M0FNU;
      default: throw new IllegalArgumentException("not a float8 dtype: " + dtype.torchName());
    }
  }

  /** Decodes one float8 byte. */
  public static float float8ToFloat(DType dtype, byte bits) {
    return float8Table(dtype)[bits & 0xff];
  }

  /** 2^(b-127) for b in 0..254: the exponent field of a float; 0xFF is NaN. */
  private static float[] e8m0Table() {
    float[] t = new float[256];
    t[0] = Float.intBitsToFloat(0x00400000); // 2^-127: below the float normals, a subnormal
    for (int b = 1; b < 255; b++) {
      t[b] = Float.intBitsToFloat(b << 23);
    }
    t[255] = Float.intBitsToFloat(0x7f800001);
    return t;
  }

  private static float[] table(int expBits, int mantBits, int bias, Kind kind) {
    float[] t = new float[256];
    int expMax = (1 << expBits) - 1;
    int mantMax = (1 << mantBits) - 1;
    for (int b = 0; b < 256; b++) {
      boolean negative = (b & 0x80) != 0;
      int exp = (b >>> mantBits) & expMax;
      int mant = b & mantMax;
      int sign = negative ? 0x80000000 : 0;
      float v;
      if (kind == Kind.FNUZ && b == 0x80) {
        v = Float.NaN; // the one NaN; its sign bit is the pattern itself
      } else if (kind == Kind.FN && exp == expMax && mant == mantMax) {
        v = Float.intBitsToFloat(sign | 0x7fc00000); // 0x7f or 0xff: the sign is kept
      } else if (kind == Kind.IEEE && exp == expMax) {
        // Infinity, or NaN with its sign and payload in the top mantissa bits, as halfToFloat does
        // (e5m2 is the upper byte of a half), so the pattern can be restored from the float.
        v = Float.intBitsToFloat(sign | 0x7f800000 | (mant << (23 - mantBits)));
      } else {
        float m = exp == 0 ? Math.scalb((float) mant, 1 - bias - mantBits) // subnormal
            : Math.scalb((float) (mant + (1 << mantBits)), exp - bias - mantBits);
        v = negative ? -m : m;
      }
      t[b] = v;
    }
    return t;
  }
}
