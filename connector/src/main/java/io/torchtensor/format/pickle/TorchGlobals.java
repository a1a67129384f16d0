package io.torchtensor.format.pickle;

import io.torchtensor.format.DType;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The globals a torch.save pickle may name, modelled on {@code _get_allowed_globals()} in PyTorch's
 * {@code torch/_weights_only_unpickler.py}, and the py2→py3 renaming it applies first
 * ({@code IMPORT_MAPPING} / {@code NAME_MAPPING} in {@code torch/_utils.py}, adapted from CPython's
 * {@code Lib/_compat_pickle.py}; torch applies them whatever the protocol, and so do we).
 *
 * <p>Only names are classified here; {@link TorchMatcher} decides what each one means where it is
 * used. Anything not classified is refused at GLOBAL time, naming {@code module.name}.
 */
final class TorchGlobals {

  /** What an allowed global is. */
  enum Kind {
    REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_TENSOR_V3, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE,
    REBUILD_QTENSOR, REBUILD_SPARSE, REBUILD_SPARSE_CSR, REBUILD_FROM_TYPE_V2,
    REBUILD_DEVICE_FROM_CPU,
    /** Rebuild functions that are recognised only to be refused by name (meta, nested, numpy...). */
    REBUILD_UNSUPPORTED,
    ORDERED_DICT, COUNTER, SIZE, DEVICE, CODECS_ENCODE, SET, FROZENSET, COMPLEX, BYTEARRAY, GET_LAYOUT,
    PARAMETER_CLASS, TENSOR_CLASS, DTYPE, QSCHEME, STORAGE_CLASS, UNTYPED_STORAGE, TYPED_STORAGE
  }

  private static final Map<String, String> IMPORT_MAPPING = Map.ofEntries(
      Map.entry("__builtin__", "builtins"), Map.entry("copy_reg", "copyreg"), Map.entry("Queue", "queue"),
      Map.entry("repr", "reprlib"), Map.entry("_abcoll", "collections.abc"),
      Map.entry("UserDict", "collections"), Map.entry("UserList", "collections"),
      Map.entry("UserString", "collections"), Map.entry("whichdb", "dbm"), Map.entry("StringIO", "io"),
      Map.entry("cStringIO", "io"));

  private static final Map<String, String> NAME_MAPPING = Map.ofEntries(
      Map.entry("__builtin__.xrange", "builtins.range"), Map.entry("__builtin__.reduce", "functools.reduce"),
      Map.entry("__builtin__.intern", "sys.intern"), Map.entry("__builtin__.unichr", "builtins.chr"),
      Map.entry("__builtin__.unicode", "builtins.str"), Map.entry("__builtin__.long", "builtins.int"),
      Map.entry("itertools.izip", "builtins.zip"), Map.entry("itertools.imap", "builtins.map"),
      Map.entry("itertools.ifilter", "builtins.filter"),
      Map.entry("itertools.ifilterfalse", "itertools.filterfalse"),
      Map.entry("itertools.izip_longest", "itertools.zip_longest"),
      Map.entry("UserDict.IterableUserDict", "collections.UserDict"),
      Map.entry("UserList.UserList", "collections.UserList"),
      Map.entry("UserString.UserString", "collections.UserString"),
      Map.entry("__builtin__.basestring", "builtins.str"),
      Map.entry("exceptions.StandardError", "builtins.Exception"),
      Map.entry("UserDict.UserDict", "collections.UserDict"));

  /** Storage class name → dtype [torch/storage.py _dtype_to_storage_type_map]. */
  static final Map<String, DType> STORAGE_DTYPES = Map.ofEntries(
      Map.entry("DoubleStorage", DType.FLOAT64), Map.entry("FloatStorage", DType.FLOAT32),
      Map.entry("HalfStorage", DType.FLOAT16), Map.entry("BFloat16Storage", DType.BFLOAT16),
      Map.entry("LongStorage", DType.INT64), Map.entry("IntStorage", DType.INT32),
      Map.entry("ShortStorage", DType.INT16), Map.entry("CharStorage", DType.INT8),
      Map.entry("ByteStorage", DType.UINT8), Map.entry("BoolStorage", DType.BOOL),
      Map.entry("ComplexFloatStorage", DType.COMPLEX64), Map.entry("ComplexDoubleStorage", DType.COMPLEX128),
      Map.entry("QInt8Storage", DType.QINT8), Map.entry("QUInt8Storage", DType.QUINT8),
      Map.entry("QInt32Storage", DType.QINT32));

  /** Storage classes torch knows but this reader has no dtype for (packed sub-byte quantized). */
  static final Set<String> UNSUPPORTED_STORAGES = Set.of("QUInt4x2Storage", "QUInt2x4Storage");

  /**
   * Every dtype name torch allows as a global: the typed-storage dtypes, {@code _new_dtypes()} and
   * {@code uint1..7} / {@code int1..7} [torch/storage.py].
   */
  private static final Set<String> DTYPE_NAMES;

  static {
    java.util.HashSet<String> s = new java.util.HashSet<>();
    for (DType d : DType.values()) {
      s.add(d.torchName());
    }
    s.addAll(Set.of("quint4x2", "quint2x4", "float4_e2m1fn_x2", "bits8", "bits16", "bits1x8", "bits2x4",
        "bits4x2"));
    for (int i = 1; i < 8; i++) {
      s.add("uint" + i);
      s.add("int" + i);
    }
    DTYPE_NAMES = Set.copyOf(s);
  }

  private static final Set<String> QSCHEMES = Set.of("per_tensor_affine", "per_tensor_symmetric",
      "per_channel_affine", "per_channel_symmetric", "per_channel_affine_float_qparams");

  private static final Map<String, Kind> FIXED = new HashMap<>();

  static {
    FIXED.put("torch._utils._rebuild_tensor", Kind.REBUILD_TENSOR);
    FIXED.put("torch._utils._rebuild_tensor_v2", Kind.REBUILD_TENSOR_V2);
    FIXED.put("torch._utils._rebuild_tensor_v3", Kind.REBUILD_TENSOR_V3);
    FIXED.put("torch._utils._rebuild_parameter", Kind.REBUILD_PARAMETER);
    FIXED.put("torch._utils._rebuild_parameter_with_state", Kind.REBUILD_PARAMETER_WITH_STATE);
    FIXED.put("torch._utils._rebuild_qtensor", Kind.REBUILD_QTENSOR);
    FIXED.put("torch._utils._rebuild_sparse_tensor", Kind.REBUILD_SPARSE);
    // PyTorch 1.13 wrote compressed sparse tensors with this function; later versions removed it.
    FIXED.put("torch._utils._rebuild_sparse_csr_tensor", Kind.REBUILD_SPARSE_CSR);
    FIXED.put("torch._utils._rebuild_device_tensor_from_cpu_tensor", Kind.REBUILD_DEVICE_FROM_CPU);
    for (String f : new String[] {"_rebuild_meta_tensor_no_storage", "_rebuild_nested_tensor",
        "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy", "_rebuild_xla_tensor",
        "_rebuild_mtia_tensor"}) {
      FIXED.put("torch._utils." + f, Kind.REBUILD_UNSUPPORTED);
    }
    FIXED.put("torch._tensor._rebuild_from_type_v2", Kind.REBUILD_FROM_TYPE_V2);
    FIXED.put("collections.OrderedDict", Kind.ORDERED_DICT);
    FIXED.put("collections.Counter", Kind.COUNTER);
    FIXED.put("torch.Size", Kind.SIZE);
    FIXED.put("torch.device", Kind.DEVICE);
    FIXED.put("_codecs.encode", Kind.CODECS_ENCODE);
    FIXED.put("builtins.set", Kind.SET);
    FIXED.put("builtins.frozenset", Kind.FROZENSET);
    FIXED.put("builtins.complex", Kind.COMPLEX);
    FIXED.put("builtins.bytearray", Kind.BYTEARRAY);
    FIXED.put("torch.serialization._get_layout", Kind.GET_LAYOUT);
    FIXED.put("torch.nn.parameter.Parameter", Kind.PARAMETER_CLASS);
    FIXED.put("torch.Tensor", Kind.TENSOR_CLASS);
    FIXED.put("torch.storage.UntypedStorage", Kind.UNTYPED_STORAGE);
    FIXED.put("torch.UntypedStorage", Kind.UNTYPED_STORAGE);
    FIXED.put("torch.storage.TypedStorage", Kind.TYPED_STORAGE);
    FIXED.put("torch.TypedStorage", Kind.TYPED_STORAGE);
  }

  private TorchGlobals() {
  }

  /** {@code {module, name}} after torch's py2→py3 renaming. */
  static String[] rename(String module, String name) {
    String mapped = NAME_MAPPING.get(module + "." + name);
    if (mapped != null) {
      int dot = mapped.lastIndexOf('.');
      return new String[] {mapped.substring(0, dot), mapped.substring(dot + 1)};
    }
    return new String[] {IMPORT_MAPPING.getOrDefault(module, module), name};
  }

  /** The kind of an allowed global, or null when it is not on the allow-list. */
  static Kind classify(String module, String name) {
    Kind k = FIXED.get(module + "." + name);
    if (k != null) {
      return k;
    }
    // Storage classes: torch.<X>Storage, and torch.cuda.<X>Storage as very old legacy files name them.
    if ((module.equals("torch") || module.equals("torch.cuda"))
        && (STORAGE_DTYPES.containsKey(name) || UNSUPPORTED_STORAGES.contains(name))) {
      return Kind.STORAGE_CLASS;
    }
    if (module.equals("torch") && DTYPE_NAMES.contains(name)) {
      return Kind.DTYPE;
    }
    if (module.equals("torch") && QSCHEMES.contains(name)) {
      return Kind.QSCHEME;
    }
    return null;
  }

  /** The dtype a dtype global names, or null when this reader has no {@link DType} for it. */
  static DType dtypeOf(String name) {
    return DType.fromTorchName(name.toLowerCase(Locale.ROOT));
  }
}
