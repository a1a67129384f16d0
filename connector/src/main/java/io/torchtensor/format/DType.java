package io.torchtensor.format;

import java.util.Locale;

/**
 * Every element type torch can write, named as torch names them ({@code str(torch.float32)} without
 * the {@code torch.} prefix).
 *
 * <p>{@link #itemSize()} is the number of bytes one element takes in a storage record. Complex types
 * count one (re, im) pair as one element. Quantized types are the raw integers of {@code int_repr()}.
 */
public enum DType {
  FLOAT64("float64", 8, "F64"),
  FLOAT32("float32", 4, "F32"),
  FLOAT16("float16", 2, "F16"),
  BFLOAT16("bfloat16", 2, "BF16"),
  FLOAT8_E4M3FN("float8_e4m3fn", 1, "F8_E4M3"),
  FLOAT8_E5M2("float8_e5m2", 1, "F8_E5M2"),
  FLOAT8_E4M3FNUZ("float8_e4m3fnuz", 1, "F8_E4M3FNUZ"),
  FLOAT8_E5M2FNUZ("float8_e5m2fnuz", 1, "F8_E5M2FNUZ"),
  /** The OCP MX block-scale type: an exponent byte, value 2^(b-127); 0xFF is NaN (c10/util/Float8_e8m0fnu.h). */
  FLOAT8_E8M0FNU("float8_e8m0fnu", 1, "F8_E8M0"),
  INT8("int8", 1, "I8"),
  INT16("int16", 2, "I16"),
  INT32("int32", 4, "I32"),
  INT64("int64", 8, "I64"),
  UINT8("uint8", 1, "U8"),
  UINT16("uint16", 2, "U16"),
  UINT32("uint32", 4, "U32"),
  UINT64("uint64", 8, "U64"),
  BOOL("bool", 1, "BOOL"),
  /** {@code torch.chalf}: (re, im) float16 pairs; safetensors has no name for it. */
  COMPLEX32("complex32", 4, null),
  COMPLEX64("complex64", 8, "C64"),
  COMPLEX128("complex128", 16, null),
  QINT8("qint8", 1, null),
  QUINT8("quint8", 1, null),
  QINT32("qint32", 4, null);

  private final String torchName;
  private final int itemSize;
  private final String safetensorsName;

  DType(String torchName, int itemSize, String safetensorsName) {
    this.torchName = torchName;
    this.itemSize = itemSize;
    this.safetensorsName = safetensorsName;
  }

  /** torch's name: {@code float32}, {@code bfloat16}, {@code float8_e4m3fn}, ... */
  public String torchName() {
    return torchName;
  }

  /** Bytes per element in storage. */
  public int itemSize() {
    return itemSize;
  }

  /** The safetensors header spelling, or {@code null} where safetensors has none. */
  public String safetensorsName() {
    return safetensorsName;
  }

  public boolean isComplex() {
    return this == COMPLEX32 || this == COMPLEX64 || this == COMPLEX128;
  }

  public boolean isQuantized() {
    return this == QINT8 || this == QUINT8 || this == QINT32;
  }

  /** Bytes of one scalar component: half the item size for complex types, else the item size. */
  public int componentSize() {
    return isComplex() ? itemSize / 2 : itemSize;
  }

  /** Looks a dtype up by torch name ({@code float32}, also {@code torch.float32}); null if unknown. */
  public static DType fromTorchName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("torch.")) {
      n = n.substring("torch.".length());
    }
    for (DType d : values()) {
      if (d.torchName.equals(n)) {
        return d;
      }
    }
    switch (n) {
      case "float": return FLOAT32;
      case "double": return FLOAT64;
      case "half": return FLOAT16;
      case "long": return INT64;
      case "int": return INT32;
      case "short": return INT16;
      case "chalf": return COMPLEX32;
      case "cfloat": return COMPLEX64;
      case "cdouble": return COMPLEX128;
      default: return null;
    }
  }

  /** Looks a dtype up by safetensors name ({@code F32}, {@code BF16}); null if unknown. */
  public static DType fromSafetensorsName(String name) {
    for (DType d : values()) {
      if (name.equals(d.safetensorsName)) {
        return d;
      }
    }
    return null;
  }
}
