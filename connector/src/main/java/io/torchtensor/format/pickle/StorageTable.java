package io.torchtensor.format.pickle;

import io.torchtensor.format.DType;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleTree.PyGlobal;
import io.torchtensor.format.pickle.PickleTree.PyPersistentId;
import io.torchtensor.format.pickle.PickleTree.PyTuple;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves persistent ids to storages, as torch's {@code persistent_load} does in
 * {@code torch/serialization.py} ({@code _load} for zip files, {@code _legacy_load} for legacy ones),
 * and keeps one {@link PickledStorage} per key so that every view of a storage agrees on it.
 *
 * <p>Zip id: {@code ('storage', StorageClass, key, location, numel)}. Legacy id: the same plus
 * {@code view_metadata}, which is None or {@code (view_key, offset, view_size)}: a sub-storage of the
 * root storage, counted in elements. A view is folded into the tensor's storage offset (the tensor
 * then points into the root storage {@code key}) after checking that the view lies inside the root
 * storage and that the tensor lies inside the view. {@code numel} counts elements of the storage
 * class's dtype, except for {@code UntypedStorage}, where it counts bytes and the dtype comes from
 * {@code _rebuild_tensor_v3}; the byte count must then divide exactly by the item size.
 */
final class StorageTable {

  /** A storage as a tensor sees it: the root storage and the element window the pickle allows. */
  record View(PickledStorage storage, long offset, long size) {
  }

  private final NodeAccess nodes;
  private final boolean legacy;
  private final Map<String, PickledStorage> byKey = new HashMap<>();

  StorageTable(NodeAccess nodes, boolean legacy) {
    this.nodes = nodes;
    this.legacy = legacy;
  }

  /**
   * The storage a rebuild call's first argument names.
   *
   * @param explicitDtype the {@code _rebuild_tensor_v3} dtype, or null
   */
  View resolve(Object node, DType explicitDtype, String key) throws TensorFormatException {
    if (!(node instanceof PyPersistentId)) {
      throw nodes.fail(Reason.BAD_PICKLE, key, node, "a tensor's storage must be a persistent id, got "
          + PickleTree.describe(node));
    }
    PyPersistentId pid = (PyPersistentId) node;
    if (!(pid.pid instanceof PyTuple)) {
      throw nodes.fail(Reason.BAD_PICKLE, key, pid, "persistent id must be a tuple, got "
          + PickleTree.describe(pid.pid));
    }
    PyTuple t = (PyTuple) pid.pid;
    String typename = t.size() == 0 ? null : nodes.asString(t.get(0), key, pid, "persistent id type");
    if ("module".equals(typename)) {
      throw nodes.fail(Reason.FORBIDDEN_GLOBAL, key, pid,
          "persistent id ('module', ...) holds a pickled nn.Module class; not allowed");
    }
    if (!"storage".equals(typename)) {
      throw nodes.fail(Reason.BAD_PICKLE, key, pid, "persistent id type must be 'storage', got "
          + (typename == null ? "an empty tuple" : "'" + typename + "'"));
    }
    int want = legacy ? 6 : 5;
    if (t.size() != want) {
      throw nodes.fail(Reason.BAD_PICKLE, key, pid, "storage persistent id has " + t.size()
          + " elements, expected " + want);
    }
    PyGlobal cls = nodes.asGlobal(t.get(1), key, pid, "storage class");
    String rootKey = t.get(2) instanceof Long ? String.valueOf(t.get(2))
        : nodes.asString(t.get(2), key, pid, "storage key");
    String location = nodes.asString(t.get(3), key, pid, "storage location");
    long numel = nodes.asCount(t.get(4), key, pid, "storage numel");

    boolean untyped;
    DType dtype;
    TorchGlobals.Kind kind = TorchGlobals.classify(cls.module, cls.name);
    if (kind == TorchGlobals.Kind.UNTYPED_STORAGE) {
      untyped = true;
      dtype = explicitDtype;
      if (dtype == null) {
        throw nodes.fail(Reason.BAD_STORAGE, key, pid, "UntypedStorage '" + rootKey
            + "' without a dtype (only _rebuild_tensor_v3 gives one)");
      }
    } else if (kind == TorchGlobals.Kind.STORAGE_CLASS) {
      untyped = false;
      dtype = TorchGlobals.STORAGE_DTYPES.get(cls.name);
      if (dtype == null) {
        throw nodes.fail(Reason.UNSUPPORTED_DTYPE, key, pid, "storage class " + cls.qualified()
            + " (packed sub-byte quantized) is not supported");
      }
      if (explicitDtype != null && explicitDtype != dtype) {
        throw nodes.fail(Reason.BAD_STORAGE, key, pid, "storage class " + cls.qualified() + " holds "
            + dtype.torchName() + " but the tensor is " + explicitDtype.torchName());
      }
    } else {
      throw nodes.fail(Reason.BAD_STORAGE, key, pid, "unknown storage type " + cls.qualified());
    }

    int item = dtype.itemSize();
    if (untyped) {
      if (numel % item != 0) {
        throw nodes.fail(Reason.BAD_STORAGE, key, pid, "UntypedStorage '" + rootKey + "' of " + numel
            + " bytes is not a whole number of " + dtype.torchName() + " elements (" + item + " bytes each)");
      }
      numel /= item;
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(numel, (long) item);
    } catch (ArithmeticException e) {
      throw nodes.fail(Reason.BAD_STORAGE, key, pid, "storage '" + rootKey + "' byte count overflows");
    }
    PickledStorage s = new PickledStorage(rootKey, dtype, location, numel, bytes, untyped);
    PickledStorage known = byKey.putIfAbsent(rootKey, s);
    if (known != null) {
      if (known.dtype() != dtype || known.numel() != numel || known.untyped() != untyped) {
        throw nodes.fail(Reason.BAD_STORAGE, key, pid, "storage '" + rootKey + "' is seen as " + known.numel()
            + " x " + known.dtype().torchName() + " and as " + numel + " x " + dtype.torchName());
      }
      s = known;
    }
    if (!legacy || t.get(5) == null) {
      return new View(s, 0, numel);
    }
    PyTuple vm = nodes.asTuple(t.get(5), key, pid, "view_metadata");
    if (vm.size() != 3) {
      throw nodes.fail(Reason.BAD_PICKLE, key, pid, "view_metadata has " + vm.size() + " elements, expected 3");
    }
    nodes.asString(vm.get(0), key, pid, "view key");
    long offset = nodes.asCount(vm.get(1), key, pid, "view offset");
    long size = nodes.asCount(vm.get(2), key, pid, "view size");
    if (untyped) {
      // _legacy_load counts UntypedStorage views in uint8 elements, that is bytes.
      if (offset % item != 0 || size % item != 0) {
        throw nodes.fail(Reason.BAD_STORAGE, key, pid, "byte view (" + offset + ", " + size
            + ") does not align to " + dtype.torchName());
      }
      offset /= item;
      size /= item;
    }
    if (offset > numel || size > numel - offset) {
      throw nodes.fail(Reason.BAD_SHAPE, key, pid, "view of elements [" + offset + ", " + offset + "+" + size
          + ") lies outside storage '" + rootKey + "' of " + numel + " elements");
    }
    return new View(s, offset, size);
  }
}
