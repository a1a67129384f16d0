package io.torchtensor.format.pickle;

import io.torchtensor.format.ConjNegBits;
import io.torchtensor.format.DType;
import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.CallKind;
import io.torchtensor.format.pickle.PickleTree.PyCall;
import io.torchtensor.format.pickle.PickleTree.PyDict;
import io.torchtensor.format.pickle.PickleTree.PyGlobal;
import io.torchtensor.format.pickle.PickleTree.PyTuple;
import io.torchtensor.format.pickle.TorchGlobals.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recognises torch's tensor rebuild calls and checks their arguments. Argument orders and counts are
 * those of {@code torch/_utils.py} ({@code _rebuild_tensor}, {@code _rebuild_tensor_v2},
 * {@code _rebuild_tensor_v3}, {@code _rebuild_parameter}, {@code _rebuild_parameter_with_state},
 * {@code _rebuild_qtensor}, {@code _rebuild_sparse_tensor}, {@code _rebuild_device_tensor_from_cpu_tensor})
 * and {@code torch/_tensor.py} ({@code _rebuild_from_type_v2}); 1.13's
 * {@code _rebuild_sparse_csr_tensor} takes the same arguments as {@code _rebuild_sparse_tensor}.
 * Quantized and sparse tensors come out as several dense parts (see {@link Rebuilt}). The conj/neg
 * bits of v2/v3 are kept on the tensor ({@link ConjNegBits}) and resolved when it is read.
 */
final class TensorRebuilder {

  /** The layouts of {@code torch.serialization._get_layout} and their part names [torch/_utils.py]. */
  private static final Map<String, String[]> COMPRESSED = Map.of(
      "torch.sparse_csr", new String[] {"crow_indices", "col_indices"},
      "torch.sparse_bsr", new String[] {"crow_indices", "col_indices"},
      "torch.sparse_csc", new String[] {"ccol_indices", "row_indices"},
      "torch.sparse_bsc", new String[] {"ccol_indices", "row_indices"});

  private final NodeAccess nodes;
  private final StorageTable storages;
  private final ReadLimits limits;

  TensorRebuilder(NodeAccess nodes, StorageTable storages, ReadLimits limits) {
    this.nodes = nodes;
    this.storages = storages;
    this.limits = limits;
  }

  /** True when the node is a call that builds a tensor (or is refused as one). */
  static boolean isTensorCall(Object node) {
    if (!(node instanceof PyCall)) {
      return false;
    }
    Kind k = NodeAccess.kindOf(((PyCall) node).callable);
    return k != null && (k.name().startsWith("REBUILD_") || k == Kind.PARAMETER_CLASS || k == Kind.TENSOR_CLASS);
  }

  /** Rebuilds the tensor a call describes; {@code key} is only for messages. */
  Rebuilt rebuild(Object node, String key) throws TensorFormatException {
    if (!isTensorCall(node)) {
      throw nodes.fail(Reason.BAD_PICKLE, key, node, "expected a tensor, got " + PickleTree.describe(node));
    }
    PyCall call = (PyCall) node;
    PyGlobal fn = (PyGlobal) call.callable;
    Kind kind = NodeAccess.kindOf(fn);
    String name = fn.qualified();
    if (!call.setItems.isEmpty() || !call.appended.isEmpty()) {
      throw nodes.fail(Reason.BAD_PICKLE, key, call, "items set on or appended to a tensor");
    }
    if (kind != Kind.PARAMETER_CLASS && call.kind != CallKind.REDUCE) {
      throw nodes.fail(Reason.BAD_PICKLE, key, call, name + " must be called by REDUCE, not " + call.kind);
    }
    switch (kind) {
      case REBUILD_TENSOR: {
        PyTuple a = nodes.args(call, key, name, 4);
        return dense(call, key, a, null, false);
      }
      case REBUILD_TENSOR_V2: {
        PyTuple a = nodes.args(call, key, name, 6, 7);
        ConjNegBits bits = conjNeg(a.size() == 7 ? a.get(6) : null, key, call);
        return withBits(dense(call, key, a, null, nodes.asBool(a.get(4), key, call, "requires_grad")), bits,
            key, call);
      }
      case REBUILD_TENSOR_V3: {
        PyTuple a = nodes.args(call, key, name, 7, 8);
        ConjNegBits bits = conjNeg(a.size() == 8 ? a.get(7) : null, key, call);
        DType dtype = dtype(a.get(6), key, call);
        return withBits(dense(call, key, a, dtype, nodes.asBool(a.get(4), key, call, "requires_grad")), bits,
            key, call);
      }
      case REBUILD_PARAMETER:
      case REBUILD_PARAMETER_WITH_STATE: {
        // The state of _rebuild_parameter_with_state holds Python attributes; they are not kept.
        PyTuple a = nodes.args(call, key, name, kind == Kind.REBUILD_PARAMETER ? 3 : 4);
        return parameter(rebuild(a.get(0), key), nodes.asBool(a.get(1), key, call, "requires_grad"));
      }
      case PARAMETER_CLASS: {
        // Parameter.__new__(cls, data=None, requires_grad=True) [torch/nn/parameter.py]; BUILD states
        // (hooks) are not kept.
        PyTuple a = nodes.args(call, key, name, 1, 2);
        boolean rg = a.size() < 2 || nodes.asBool(a.get(1), key, call, "requires_grad");
        return parameter(rebuild(a.get(0), key), rg);
      }
      case REBUILD_FROM_TYPE_V2:
        return fromType(call, key);
      case REBUILD_QTENSOR:
        return quantized(call, key);
      case REBUILD_SPARSE:
      case REBUILD_SPARSE_CSR:
        return sparse(call, key, name);
      case REBUILD_DEVICE_FROM_CPU: {
        PyTuple a = nodes.args(call, key, name, 4);
        Rebuilt data = rebuild(a.get(0), key);
        DType to = dtype(a.get(1), key, call);
        if (data.storage == null || data.storage.dtype() != to) {
          throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, call, name + " with a dtype conversion is not supported");
        }
        data.requiresGrad = nodes.asBool(a.get(3), key, call, "requires_grad");
        data.attributes.put("device", nodes.device(a.get(2), key, call));
        return data;
      }
      case TENSOR_CLASS:
        throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, call,
            "torch.Tensor constructed directly (legacy set_ state) is not supported");
      default:
        // REBUILD_UNSUPPORTED: meta, nested, wrapper subclass, numpy/XLA device tensors.
        throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, call, name + " tensors are not supported");
    }
  }

  /** (storage, storage_offset, size, stride, ...) of the v1/v2/v3 rebuild functions. */
  private Rebuilt dense(PyCall call, String key, PyTuple a, DType dtype, boolean requiresGrad)
      throws TensorFormatException {
    StorageTable.View view = storages.resolve(a.get(0), dtype, key);
    if (view.storage().dtype().isQuantized()) {
      throw nodes.fail(Reason.BAD_STORAGE, key, call, "quantized storage "
          + view.storage().dtype().torchName() + " outside _rebuild_qtensor");
    }
    return geometry(call, key, view, a.get(1), a.get(2), a.get(3), requiresGrad);
  }

  private Rebuilt geometry(PyCall call, String key, StorageTable.View view, Object offsetNode, Object sizeNode,
      Object strideNode, boolean requiresGrad) throws TensorFormatException {
    long offset = nodes.asCount(offsetNode, key, call, "storage_offset");
    long[] shape = nodes.counts(sizeNode, key, call, "size");
    long[] strides = nodes.counts(strideNode, key, call, "stride");
    if (shape.length != strides.length) {
      throw nodes.fail(Reason.BAD_SHAPE, key, call, "size has " + shape.length + " dims but stride has "
          + strides.length);
    }
    DType dtype = view.storage().dtype();
    try {
      long numel = 1;
      long last = offset;
      for (int i = 0; i < shape.length; i++) {
        numel = Math.multiplyExact(numel, shape[i]);
        if (shape[i] > 0) {
          last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
        }
      }
      if (numel > limits.maxTensorBytes() / dtype.itemSize()) {
        throw nodes.fail(Reason.LIMIT_EXCEEDED, key, call, "tensor of " + numel + " " + dtype.torchName()
            + " elements exceeds the limit of " + limits.maxTensorBytes() + " bytes");
      }
      // An empty tensor reads nothing, so torch (set_) does not bound its offset; neither do we.
      if (numel > 0 && last >= view.size()) {
        throw nodes.fail(Reason.BAD_SHAPE, key, call, "size " + java.util.Arrays.toString(shape) + " stride "
            + java.util.Arrays.toString(strides) + " offset " + offset + " reaches element " + last
            + " of a storage of " + view.size() + " elements");
      }
      Rebuilt r = new Rebuilt();
      r.storage = view.storage();
      r.offset = Math.addExact(view.offset(), offset);
      r.shape = shape;
      r.strides = strides;
      r.requiresGrad = requiresGrad;
      return r;
    } catch (ArithmeticException e) {
      throw nodes.fail(Reason.BAD_SHAPE, key, call, "size " + java.util.Arrays.toString(shape) + " stride "
          + java.util.Arrays.toString(strides) + " offset " + offset + " overflows a long");
    }
  }

  /**
   * The optional metadata dict of v2/v3: {@code {'conj': True}}, {@code {'neg': True}} or both
   * [torch/_utils.py get_tensor_metadata / set_tensor_metadata]. A key set to False changes nothing;
   * any other key or value is refused (torch passes unknown keys to a device backend's hook).
   */
  private ConjNegBits conjNeg(Object m, String key, PyCall call) throws TensorFormatException {
    if (m == null) {
      return ConjNegBits.NONE;
    }
    if (!(m instanceof PyDict)) {
      throw nodes.fail(Reason.BAD_PICKLE, key, call, "tensor metadata must be a dict, got " + PickleTree.describe(m));
    }
    boolean conj = false;
    boolean neg = false;
    for (Map.Entry<Object, Object> e : ((PyDict) m).items.entrySet()) {
      if (Boolean.FALSE.equals(e.getValue())) {
        continue;
      }
      if (Boolean.TRUE.equals(e.getValue()) && "conj".equals(e.getKey())) {
        conj = true;
      } else if (Boolean.TRUE.equals(e.getValue()) && "neg".equals(e.getKey())) {
        neg = true;
      } else {
        throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, call, "tensor metadata {'" + e.getKey() + "': "
            + e.getValue() + "} is not supported (only 'conj' and 'neg' bits are)");
      }
    }
    return conj || neg ? new ConjNegBits(conj, neg) : ConjNegBits.NONE;
  }

  /** Sets the bits on a dense tensor once its dtype is known, refusing those torch cannot resolve. */
  private Rebuilt withBits(Rebuilt r, ConjNegBits bits, String key, PyCall call) throws TensorFormatException {
    String why = bits.unsupported(r.storage.dtype());
    if (why != null) {
      throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, call, why + " is not supported");
    }
    r.conjNeg = bits;
    return r;
  }

  private DType dtype(Object node, String key, PyCall call) throws TensorFormatException {
    PyGlobal g = nodes.asGlobal(node, key, call, "dtype");
    if (NodeAccess.kindOf(g) != Kind.DTYPE) {
      throw nodes.fail(Reason.BAD_PICKLE, key, call, "dtype must be a torch dtype, got " + g.qualified());
    }
    DType d = TorchGlobals.dtypeOf(g.name);
    if (d == null) {
      throw nodes.fail(Reason.UNSUPPORTED_DTYPE, key, call, "dtype " + g.qualified() + " is not supported");
    }
    return d;
  }

  private static Rebuilt parameter(Rebuilt data, boolean requiresGrad) {
    for (Rebuilt r : data.storage != null ? List.of(data) : data.partTensors()) {
      r.requiresGrad = requiresGrad;
      r.attributes.put("parameter", Boolean.TRUE);
    }
    return data;
  }

  /** _rebuild_from_type_v2(func, new_type, args, state): unwrapped only for Tensor and Parameter. */
  private Rebuilt fromType(PyCall call, String key) throws TensorFormatException {
    PyTuple a = nodes.args(call, key, "torch._tensor._rebuild_from_type_v2", 4);
    PyGlobal func = nodes.asGlobal(a.get(0), key, call, "func");
    PyGlobal type = nodes.asGlobal(a.get(1), key, call, "new_type");
    Kind typeKind = NodeAccess.kindOf(type);
    if (typeKind != Kind.TENSOR_CLASS && typeKind != Kind.PARAMETER_CLASS) {
      throw nodes.fail(Reason.FORBIDDEN_GLOBAL, key, call, "tensor subclass " + type.qualified()
          + " is not on the allow-list");
    }
    PyTuple args = nodes.asTuple(a.get(2), key, call, "args");
    PyCall inner = new PyCall(func, args, null, CallKind.REDUCE, call.offset);
    if (!isTensorCall(inner) || NodeAccess.kindOf(func) == Kind.REBUILD_FROM_TYPE_V2) {
      throw nodes.fail(Reason.BAD_PICKLE, key, call, "func must be a tensor rebuild function, got " + func);
    }
    Rebuilt r = rebuild(inner, key);
    // The state holds Python attributes of the subclass instance; they are not kept.
    return typeKind == Kind.PARAMETER_CLASS ? parameter(r, r.requiresGrad) : r;
  }

  /** _rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params, requires_grad, backward_hooks). */
  private Rebuilt quantized(PyCall call, String key) throws TensorFormatException {
    PyTuple a = nodes.args(call, key, "torch._utils._rebuild_qtensor", 7);
    StorageTable.View view = storages.resolve(a.get(0), null, key);
    if (!view.storage().dtype().isQuantized()) {
      throw nodes.fail(Reason.BAD_STORAGE, key, call, "_rebuild_qtensor on a "
          + view.storage().dtype().torchName() + " storage");
    }
    Rebuilt r = geometry(call, key, view, a.get(1), a.get(2), a.get(3),
        nodes.asBool(a.get(5), key, call, "requires_grad"));
    PyTuple q = nodes.asTuple(a.get(4), key, call, "quantizer_params");
    PyGlobal scheme = q.size() == 0 ? null : nodes.asGlobal(q.get(0), key, call, "qscheme");
    String qs = scheme == null ? "" : scheme.qualified();
    r.attributes.put("qscheme", qs);
    if (qs.equals("torch.per_tensor_affine") && q.size() == 3) {
      r.attributes.put("scale", nodes.asDouble(q.get(1), key, call, "scale"));
      r.attributes.put("zero_point", nodes.asLong(q.get(2), key, call, "zero_point"));
    } else if ((qs.equals("torch.per_channel_affine") || qs.equals("torch.per_channel_affine_float_qparams"))
        && q.size() == 4) {
      long axis = nodes.asCount(q.get(3), key, call, "axis");
      if (axis >= r.shape.length) {
        throw nodes.fail(Reason.BAD_SHAPE, key, call, "per-channel axis " + axis + " out of range for "
            + r.shape.length + " dims");
      }
      r.attributes.put("axis", axis);
      channelParam(r, q.get(1), "q_scales", r.shape[(int) axis], key, call, true);
      channelParam(r, q.get(2), "q_zero_points", r.shape[(int) axis], key, call, false);
    } else {
      throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, call, "quantizer params " + (qs.isEmpty() ? "()" : qs)
          + " with " + q.size() + " elements are not supported");
    }
    return r;
  }

  /** Per-channel scales / zero points: a tensor (emitted as part {@code <key>.<name>}) or a list. */
  private void channelParam(Rebuilt r, Object node, String name, long channels, String key, PyCall call,
      boolean isScale) throws TensorFormatException {
    long count;
    if (isTensorCall(node)) {
      Rebuilt t = rebuild(node, key + "." + name);
      if (t.storage == null) {
        throw nodes.fail(Reason.BAD_PICKLE, key, call, name + " must be a dense tensor");
      }
      count = t.numel();
      r.parts.add(new Rebuilt.Part(name, t, name));
    } else {
      List<Object> items = nodes.sequence(node, key, call, name);
      List<Object> values = new ArrayList<>(items.size());
      for (Object o : items) {
        values.add(!isScale && o instanceof Long ? o : (Object) nodes.asDouble(o, key, call, name));
      }
      count = values.size();
      r.attributes.put(name, values);
    }
    if (count != channels) {
      throw nodes.fail(Reason.BAD_SHAPE, key, call, name + " holds " + count + " values for " + channels + " channels");
    }
  }

  /** _rebuild_sparse_tensor(layout, data) and 1.13's _rebuild_sparse_csr_tensor(layout, data). */
  private Rebuilt sparse(PyCall call, String key, String name) throws TensorFormatException {
    PyTuple a = nodes.args(call, key, name, 2);
    Object layoutNode = a.get(0);
    if (!(layoutNode instanceof PyCall) || NodeAccess.kindOf(((PyCall) layoutNode).callable) != Kind.GET_LAYOUT) {
      throw nodes.fail(Reason.BAD_PICKLE, key, call, "sparse layout must be torch.serialization._get_layout(str), got "
          + PickleTree.describe(layoutNode));
    }
    PyCall lc = (PyCall) layoutNode;
    String layout = nodes.asString(nodes.args(lc, key, "_get_layout", 1).get(0), key, lc, "layout name");
    PyTuple data = nodes.asTuple(a.get(1), key, call, "sparse data");
    String[] names;
    Object size;
    Object coalesced = null;
    if (layout.equals("torch.sparse_coo") && (data.size() == 3 || data.size() == 4)) {
      names = new String[] {"indices", "values"};
      size = data.get(2);
      if (data.size() == 4 && data.get(3) != null) {
        coalesced = nodes.asBool(data.get(3), key, call, "is_coalesced");
      }
    } else if (COMPRESSED.containsKey(layout) && data.size() == 4) {
      String[] idx = COMPRESSED.get(layout);
      names = new String[] {idx[0], idx[1], "values"};
      size = data.get(3);
    } else {
      throw nodes.fail(Reason.UNSUPPORTED_TENSOR, key, call, "sparse layout " + layout + " with "
          + data.size() + " data elements is not supported");
    }
    List<Long> sizeList = new ArrayList<>();
    for (long s : nodes.counts(size, key, call, "sparse size")) {
      sizeList.add(s);
    }
    Rebuilt r = new Rebuilt();
    for (int i = 0; i < names.length; i++) {
      Rebuilt part = rebuild(data.get(i), key + "." + names[i]);
      if (part.storage == null) {
        throw nodes.fail(Reason.BAD_PICKLE, key, call, "sparse " + names[i] + " must be a dense tensor");
      }
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("layout", layout);
      attrs.put("size", List.copyOf(sizeList));
      if (coalesced != null) {
        attrs.put("is_coalesced", coalesced);
      }
      attrs.putAll(part.attributes);
      part.attributes.clear();
      part.attributes.putAll(attrs);
      r.parts.add(new Rebuilt.Part(names[i], part, null));
    }
    return r;
  }
}
