package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickledTensor;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a container reader found: the tensors in file order and the non-tensor leaves. Every
 * {@link TensorInfo} in it has passed {@link #checkExtent}: its elements lie inside its storage.
 */
record TensorIndex(FileFormat format, List<TensorInfo> tensors, Map<String, Object> metadata) {

  /**
   * Checks a view against its storage with exact arithmetic and the caps, before any byte is read:
   * ranks agree, sizes, strides and offset are non-negative, the tensor's byte count fits
   * {@code maxTensorBytes}, and for a non-empty tensor its last element
   * {@code offset + sum((size_i - 1) * stride_i)} is below the storage's element count
   * [torch/_utils.py _rebuild_tensor_v2 -> Tensor.set_, which checks the same bound].
   */
  static void checkExtent(String file, String key, DType dtype, long[] shape, long[] strides,
      long storageOffset, long storageNumel, ReadLimits limits) throws TensorFormatException {
    if (shape.length != strides.length) {
      throw new TensorFormatException(Reason.BAD_SHAPE, file, "tensor " + key + ": " + shape.length
          + " sizes but " + strides.length + " strides");
    }
    if (storageOffset < 0) {
      throw new TensorFormatException(Reason.BAD_SHAPE, file,
          "tensor " + key + ": negative storage offset " + storageOffset);
    }
    long numel = 1;
    long last = storageOffset;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || strides[i] < 0) {
        throw new TensorFormatException(Reason.BAD_SHAPE, file, "tensor " + key + ": negative size "
            + shape[i] + " or stride " + strides[i] + " in dim " + i);
      }
      numel = Bytes.mul(numel, shape[i], Reason.BAD_SHAPE, file, "tensor " + key + " element count");
    }
    long nbytes = Bytes.mul(numel, dtype.itemSize(), Reason.BAD_SHAPE, file, "tensor " + key + " bytes");
    if (nbytes > limits.maxTensorBytes()) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file, "tensor " + key + " of " + nbytes
          + " bytes exceeds the limit of " + limits.maxTensorBytes() + " bytes");
    }
    if (numel == 0) {
      return;
    }
    for (int i = 0; i < shape.length; i++) {
      long span = Bytes.mul(shape[i] - 1, strides[i], Reason.BAD_SHAPE, file, "tensor " + key + " extent");
      last = Bytes.add(last, span, Reason.BAD_SHAPE, file, "tensor " + key + " extent");
    }
    if (last >= storageNumel) {
      throw new TensorFormatException(Reason.BAD_SHAPE, file, "tensor " + key + ": size "
          + Arrays.toString(shape) + " stride " + Arrays.toString(strides) + " offset " + storageOffset
          + " reaches element " + last + " of a storage of " + storageNumel + " elements");
    }
  }

  /** A torch tensor's index entry once its storage has been located in the file. */
  static TensorInfo torchTensor(String file, PickledTensor p, StorageRef ref, ByteOrder order,
      ReadLimits limits) throws TensorFormatException {
    checkExtent(file, p.key(), p.dtype(), p.shape(), p.strides(), p.storageOffset(), p.storage().numel(),
        limits);
    return new TensorInfo(p.key(), p.dtype(), p.shape(), p.strides(), p.storageOffset(), ref, order,
        p.storage().location(), p.requiresGrad(), p.attributes() == null ? Map.of() : p.attributes(),
        p.conjNeg());
  }

  /** Refuses more tensors than {@code maxElements}. */
  static void checkCount(String file, long count, ReadLimits limits) throws TensorFormatException {
    if (count > limits.maxElements()) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file,
          count + " tensors in one file, limit " + limits.maxElements());
    }
  }
}
