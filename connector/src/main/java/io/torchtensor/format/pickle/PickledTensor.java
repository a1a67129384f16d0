package io.torchtensor.format.pickle;

import io.torchtensor.format.ConjNegBits;
import io.torchtensor.format.DType;
import java.util.Map;

/**
 * A dense tensor recognised in a pickle, before its storage is located in the file.
 *
 * @param key           dot-joined path from the root ({@code encoder.0.weight}); {@code tensor} for a root tensor
 * @param storage       the storage it views
 * @param storageOffset offset into the storage, in elements
 * @param shape         sizes (torch.Size / tuple of ints)
 * @param strides       strides in elements
 * @param requiresGrad  as pickled (a Parameter's flag wins over its data's)
 * @param attributes    extra facts: quantization parameters, {@code parameter=true}, sparse layout...
 * @param conjNeg       torch's lazy conj/neg bits, checked against the dtype
 */
public record PickledTensor(String key, PickledStorage storage, long storageOffset, long[] shape,
    long[] strides, boolean requiresGrad, Map<String, Object> attributes, ConjNegBits conjNeg) {

  public DType dtype() {
    return storage.dtype();
  }
}
