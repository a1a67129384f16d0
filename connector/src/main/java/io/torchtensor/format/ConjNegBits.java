package io.torchtensor.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * torch's lazy conjugate and negative bits of a saved tensor, and how they resolve on its bytes.
 *
 * <p>{@code x.conj()} on a complex tensor and {@code x.conj().imag} (or {@code torch._neg_view(x)})
 * are views that share the storage of {@code x} and only set a bit. torch.save writes the storage as
 * it is, plus the optional last argument of {@code _rebuild_tensor_v2/v3}, a dict
 * {@code {'conj': True}}, {@code {'neg': True}} or both [torch/_tensor.py _reduce_ex_internal,
 * torch/csrc/jit/serialization/pickler.h getTensorMetadata: a key only when its bit is set].
 * torch.load sets the bits again [torch/_utils.py set_tensor_metadata], and the tensor's values are
 * then {@code x.resolve_conj().resolve_neg()} [aten/src/ATen/ConjugateFallback.cpp,
 * NegateFallback.cpp]. The reader resolves them where bytes become values ({@link StridedReader}), so
 * every consumer of {@link TensorFile#readRows} sees the resolved values.
 *
 * <p>Resolution is exactly that of torch's CPU kernels (checked with torch 2.15 on every float16 and
 * bfloat16 bit pattern, and on float32/float64 zeros, infinities and NaN payloads): negating a float
 * flips its sign bit, NaN and zero included; conj flips the sign bit of the imaginary half; both
 * together flip the real half only; an integer is negated in two's complement, wrapping
 * ({@code -(-128)} is -128 as int8, {@code -1} is 255 as uint8). One difference, in bits only:
 * torch's vectorized complex kernel computes {@code 0 - z}, which keeps a NaN's sign and turns -0.0
 * into +0.0, while its scalar complex kernel flips signs, so torch's own bits for those depend on the
 * tensor's size; the reader always flips (IEEE negation, as NumPy's {@code np.negative}), the same
 * values. complex32 resolves by the same flips: its halves are float16 (torch's kernels convert
 * through float and back, which quiets a signalling NaN; the reader keeps it, the same value).
 * torch has no negation for bool,
 * uint16/32/64 or the float8 types ({@code "neg_cpu" not implemented}), and none for a complex32
 * view with both bits ({@code "neg_conj_cpu" not implemented}), so it cannot resolve such a
 * view either; {@link #unsupported} names them and the reader refuses the tensor. A conj bit on a
 * real dtype is refused too: torch asserts a complex dtype when it sets one.
 *
 * @param conj the conjugate bit: the imaginary parts are negated
 * @param neg  the negative bit: every value is negated
 */
public record ConjNegBits(boolean conj, boolean neg) {

  /** No bit set: the storage bytes are the values. */
  public static final ConjNegBits NONE = new ConjNegBits(false, false);

  /** Floats negated by flipping the sign bit (IEEE-style sign-magnitude formats with a neg kernel). */
  private static final Set<DType> SIGN_BIT = EnumSet.of(DType.FLOAT16, DType.BFLOAT16, DType.FLOAT32,
      DType.FLOAT64, DType.COMPLEX32, DType.COMPLEX64, DType.COMPLEX128);
  /** Integers torch negates in two's complement. */
  private static final Set<DType> TWOS_COMPLEMENT = EnumSet.of(DType.INT8, DType.INT16, DType.INT32,
      DType.INT64, DType.UINT8);

  public boolean isNone() {
    return !conj && !neg;
  }

  /** Why these bits cannot be resolved on {@code dtype} as torch would, or null when they can. */
  public String unsupported(DType dtype) {
    if (conj && !dtype.isComplex()) {
      return "a conj bit on a " + dtype.torchName() + " tensor (torch sets it only on complex tensors)";
    }
    if (conj && neg && dtype == DType.COMPLEX32) {
      return "a conj and neg view of a complex32 tensor (torch has no \"neg_conj\" kernel for"
          + " complex32 and cannot resolve it either)";
    }
    if (neg && !SIGN_BIT.contains(dtype) && !TWOS_COMPLEMENT.contains(dtype)) {
      return "a neg view of a " + dtype.torchName() + " tensor (torch has no negation for "
          + dtype.torchName() + " and cannot resolve it either)";
    }
    return null;
  }

  /**
   * Resolves the bits in place on {@code len} bytes of C-order little-endian {@code dtype} elements
   * starting at byte {@code at} of {@code buf}; the buffer's position and limit are unchanged.
   * {@code len} is a multiple of the item size and the bits passed {@link #unsupported}.
   */
  void apply(DType dtype, ByteBuffer buf, int at, int len) {
    if (isNone()) {
      return;
    }
    ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (TWOS_COMPLEMENT.contains(dtype)) {
      negateIntegers(b, at, len, dtype.itemSize());
    } else {
      flipSignBits(b, at, len, signMask(dtype));
    }
  }

  /**
   * One element's XOR mask, little-endian: the top bit of each scalar component that changes sign.
   * A complex element is (re, im); conj negates im, neg negates both, so both together negate re.
   */
  private byte[] signMask(DType dtype) {
    int item = dtype.itemSize();
    int comp = dtype.componentSize();
    byte[] mask = new byte[item];
    boolean re = neg;
    boolean im = dtype.isComplex() && (conj ^ neg);
    if (re) {
      mask[comp - 1] = (byte) 0x80;
    }
    if (im) {
      mask[item - 1] = (byte) 0x80;
    }
    return mask;
  }

  /** XORs the mask into every element: whole longs where the mask's period divides them, then bytes. */
  private static void flipSignBits(ByteBuffer b, int at, int len, byte[] mask) {
    int item = mask.length;
    // Items of 2, 4 and 8 bytes repeat within a long; a 16-byte complex128 alternates two longs.
    long[] longs = new long[item == 16 ? 2 : 1];
    for (int k = 0; k < longs.length * 8; k++) {
      longs[k / 8] |= (mask[k % item] & 0xFFL) << (8 * (k % 8));
    }
    int end = at + len;
    int i = at;
    if (longs.length == 1) {
      long m = longs[0];
      for (; i + 8 <= end; i += 8) {
        b.putLong(i, b.getLong(i) ^ m);
      }
    } else {
      for (; i + 16 <= end; i += 16) {
        b.putLong(i, b.getLong(i) ^ longs[0]);
        b.putLong(i + 8, b.getLong(i + 8) ^ longs[1]);
      }
    }
    for (; i < end; i++) {
      b.put(i, (byte) (b.get(i) ^ mask[(i - at) % item]));
    }
  }

  private static void negateIntegers(ByteBuffer b, int at, int len, int item) {
    int end = at + len;
    switch (item) {
      case 1:
        for (int i = at; i < end; i++) {
          b.put(i, (byte) -b.get(i));
        }
        break;
      case 2:
        for (int i = at; i < end; i += 2) {
          b.putShort(i, (short) -b.getShort(i));
        }
        break;
      case 4:
        for (int i = at; i < end; i += 4) {
          b.putInt(i, -b.getInt(i));
        }
        break;
      default:
        for (int i = at; i < end; i += 8) {
          b.putLong(i, -b.getLong(i));
        }
    }
  }
}
