package io.torchtensor.format;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One tensor of a file's index: what it is and where its bytes are. Built from headers only; no
 * tensor byte has been read. Immutable.
 *
 * <p>Element {@code (i0..ik)} lives at storage element {@code storageOffset + sum(ij * strides[j])},
 * that is at byte {@code storage.dataOffset() + dtype.itemSize() * (that)} of the file, in
 * {@link #byteOrder()} [torch/_utils.py _rebuild_tensor_v2]. Its value is that stored value with the
 * lazy conj/neg bits of {@link #conjNeg()} resolved, which reads do.
 */
public final class TensorInfo {

  private final String key;
  private final DType dtype;
  private final long[] shape;
  private final long[] strides;
  private final long storageOffset;
  private final StorageRef storage;
  private final ByteOrder byteOrder;
  private final String device;
  private final boolean requiresGrad;
  private final Map<String, Object> attributes;
  private final ConjNegBits conjNeg;

  public TensorInfo(String key, DType dtype, long[] shape, long[] strides, long storageOffset,
      StorageRef storage, ByteOrder byteOrder, String device, boolean requiresGrad,
      Map<String, Object> attributes) {
    this(key, dtype, shape, strides, storageOffset, storage, byteOrder, device, requiresGrad, attributes,
        ConjNegBits.NONE);
  }

  /** A tensor with torch's lazy conj/neg bits. */
  public TensorInfo(String key, DType dtype, long[] shape, long[] strides, long storageOffset,
      StorageRef storage, ByteOrder byteOrder, String device, boolean requiresGrad,
      Map<String, Object> attributes, ConjNegBits conjNeg) {
    this.key = key;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.strides = strides.clone();
    this.storageOffset = storageOffset;
    this.storage = storage;
    this.byteOrder = byteOrder;
    this.device = device;
    this.requiresGrad = requiresGrad;
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    this.conjNeg = java.util.Objects.requireNonNull(conjNeg, "conjNeg");
  }

  /**
   * Row {@code i} along dim 0 as a tensor of one dimension less over the same storage, with the same
   * bits [torch select(0, i)]. {@code i} must be inside dim 0 of a tensor of rank 1 or more.
   */
  public TensorInfo row(long i) {
    if (shape.length == 0 || i < 0 || i >= shape[0]) {
      throw new IllegalArgumentException("row " + i + " of " + this);
    }
    long offset = Math.addExact(storageOffset, Math.multiplyExact(i, strides[0]));
    return new TensorInfo(key, dtype, Arrays.copyOfRange(shape, 1, shape.length),
        Arrays.copyOfRange(strides, 1, strides.length), offset, storage, byteOrder, device, requiresGrad,
        attributes, conjNeg);
  }

  /** Dot-joined path of dict keys and list indices from the root; {@code tensor} for a root tensor. */
  public String key() {
    return key;
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  /** Strides in elements, as torch saved them (may be 0, never negative). */
  public long[] strides() {
    return strides.clone();
  }

  /** Offset into the storage, in elements. */
  public long storageOffset() {
    return storageOffset;
  }

  public StorageRef storage() {
    return storage;
  }

  /** Byte order of the storage bytes in the file; reads always return little-endian. */
  public ByteOrder byteOrder() {
    return byteOrder;
  }

  /** Where torch saved it from: {@code cpu}, {@code cuda:0}, {@code mps}... All bytes are in the file. */
  public String device() {
    return device;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  /**
   * Extra facts that are not part of the dense value: for quantized tensors {@code qscheme},
   * {@code scale}, {@code zero_point} (or the per-channel keys), {@code parameter=true} for
   * {@code nn.Parameter}s, and so on. Never null.
   */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /**
   * torch's lazy conjugate / negative bits ({@code x.conj()}, {@code torch._neg_view(x)}): the
   * storage holds the values before them, and reads return them resolved, as
   * {@code x.resolve_conj().resolve_neg()} (see {@link ConjNegBits}). {@link ConjNegBits#NONE}
   * when the storage bytes are the values.
   */
  public ConjNegBits conjNeg() {
    return conjNeg;
  }

  /** Product of the shape (1 for a 0-dim tensor). Checked when the index is built. */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Bytes of the tensor in C order: {@code numel * itemSize}. */
  public long nbytes() {
    return Math.multiplyExact(numel(), dtype.itemSize());
  }

  /** Bytes of one row along dim 0 (the whole tensor for a 0-dim tensor). */
  public long rowBytes() {
    long n = dtype.itemSize();
    for (int i = 1; i < shape.length; i++) {
      n = Math.multiplyExact(n, shape[i]);
    }
    return n;
  }

  /** True when the elements are laid out in C order without gaps (size-1 dims ignore their stride). */
  public boolean isContiguous() {
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] == 0) {
        return true;
      }
      if (shape[i] != 1 && strides[i] != expected) {
        return false;
      }
      expected = Math.multiplyExact(expected, shape[i]);
    }
    return true;
  }

  @Override
  public String toString() {
    return key + ": " + dtype.torchName() + Arrays.toString(shape) + " stride=" + Arrays.toString(strides)
        + " offset=" + storageOffset + " " + storage + " " + device + (requiresGrad ? " requires_grad" : "")
        + (conjNeg.conj() ? " conj" : "") + (conjNeg.neg() ? " neg" : "");
  }
}
