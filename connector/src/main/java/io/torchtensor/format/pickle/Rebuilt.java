package io.torchtensor.format.pickle;

import io.torchtensor.format.ConjNegBits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tensor recognised in the value tree, before it is given its key. A dense tensor has a storage; a
 * sparse tensor has none and only parts (indices, values...); a per-channel quantized tensor has a
 * storage and parts (its scales and zero points). Each part is emitted under
 * {@code <key>.<suffix>}; when a part has an {@code attribute} name, the main tensor's attribute of
 * that name is set to the part's full key.
 */
final class Rebuilt {

  record Part(String suffix, Rebuilt tensor, String attribute) {
  }

  PickledStorage storage;
  long offset;
  long[] shape;
  long[] strides;
  boolean requiresGrad;
  /** torch's lazy conj/neg bits, from the metadata argument of _rebuild_tensor_v2/v3. */
  ConjNegBits conjNeg = ConjNegBits.NONE;
  final Map<String, Object> attributes = new LinkedHashMap<>();
  final List<Part> parts = new ArrayList<>(0);

  /** Element count; the shape was checked with exact arithmetic when this was built. */
  long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  List<Rebuilt> partTensors() {
    List<Rebuilt> out = new ArrayList<>(parts.size());
    for (Part p : parts) {
      out.add(p.tensor());
    }
    return out;
  }
}
