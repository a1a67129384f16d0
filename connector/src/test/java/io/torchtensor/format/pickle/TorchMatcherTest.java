package io.torchtensor.format.pickle;

import static io.torchtensor.format.pickle.PickleBytes.global;
import static io.torchtensor.format.pickle.PickleBytes.of;
import static io.torchtensor.format.pickle.PickleBytes.str;
import static io.torchtensor.format.pickle.TensorPickles.bint;
import static io.torchtensor.format.pickle.TensorPickles.call;
import static io.torchtensor.format.pickle.TensorPickles.dict;
import static io.torchtensor.format.pickle.TensorPickles.emptyHooks;
import static io.torchtensor.format.pickle.TensorPickles.long8;
import static io.torchtensor.format.pickle.TensorPickles.persid;
import static io.torchtensor.format.pickle.TensorPickles.pickle;
import static io.torchtensor.format.pickle.TensorPickles.storage;
import static io.torchtensor.format.pickle.TensorPickles.tuple;
import static io.torchtensor.format.pickle.TensorPickles.v2;
import static io.torchtensor.format.pickle.TensorPickles.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.ConjNegBits;
import io.torchtensor.format.DType;
import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** The allow-list matcher on byte-literal torch pickles: what it recognises and each way it refuses. */
class TorchMatcherTest {

  private static final byte[] NONE = of('N');
  private static final byte[] FALSE = of(0x89);
  private static final byte[] TRUE = of(0x88);

  static TorchPickle.Result read(byte[] p, boolean legacy, ReadLimits limits) throws TensorFormatException {
    return TorchPickle.read(ByteBuffer.wrap(p), "m.pt", "m/data.pkl", limits, legacy);
  }

  static TorchPickle.Result read(byte[] p) throws TensorFormatException {
    return read(p, false, ReadLimits.DEFAULT);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> refused(Reason reason, byte[] p, boolean legacy,
      ReadLimits limits) {
    return assertThatThrownBy(() -> read(p, legacy, limits))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageStartingWith(reason + ": m.pt: m/data.pkl: ");
  }

  static AbstractThrowableAssert<?, ? extends Throwable> refused(Reason reason, byte[] p) {
    return refused(reason, p, false, ReadLimits.DEFAULT);
  }

  private static byte[] v2With(byte[] storage, long offset, long[] size, long[] stride) {
    return v2(storage, offset, size, stride, new byte[0]);
  }

  // ------------------------------------------------------------------ what is recognised

  @Test
  void denseTensorsAndKeys() throws Exception {
    TorchPickle.Result r = read(dict("w", v2("FloatStorage", "0", 12, 2, new long[] {2, 3}, new long[] {1, 2}),
        "n", vector("1", 0)));
    PickledTensor w = r.tensors().get(0);
    assertThat(w.key()).isEqualTo("w");
    assertThat(w.storage()).isEqualTo(new PickledStorage("0", DType.FLOAT32, "cpu", 12, 48));
    assertThat(w.storageOffset()).isEqualTo(2);
    assertThat(w.shape()).containsExactly(2, 3);
    assertThat(w.strides()).containsExactly(1, 2);
    assertThat(w.requiresGrad()).isFalse();
    assertThat(w.attributes()).isEmpty();
    assertThat(r.tensors().get(1).shape()).containsExactly(0);
  }

  @Test
  void rootTensorAndRootValueKeys() throws Exception {
    assertThat(read(pickle(vector("0", 3))).tensors()).extracting(PickledTensor::key).containsExactly("tensor");
    assertThat(read(pickle(bint(5))).metadata()).containsExactly(Map.entry("value", 5L));
  }

  @Test
  void nonStringKeysReadAsPythonStr() throws Exception {
    byte[] p = pickle(of('}', '(', bint(0), '}', '(', str("x"), vector("0", 1), 'u',
        TRUE, bint(1), NONE, bint(2), '(', bint(1), str("a"), 't', bint(3), 'G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, bint(4),
        'G', 0x3e, 0x45, 0x79, 0x8e, 0xe2, 0x30, 0x8c, 0x3a, bint(5), 'u'));
    TorchPickle.Result r = read(p);
    assertThat(r.tensors()).extracting(PickledTensor::key).containsExactly("0.x");
    assertThat(new ArrayList<>(r.metadata().keySet())).containsExactly("True", "None", "(1, 'a')", "0.5", "1e-08");
  }

  @Test
  void duplicateKeysAreRefused() {
    refused(Reason.BAD_PICKLE, pickle(of('}', '(', bint(1), bint(5), str("1"), bint(6), 'u')))
        .hasMessageContaining("key '1': duplicate key");
    // A sparse part's key may also collide with a real key.
    refused(Reason.BAD_PICKLE, dict("a.b", vector("0", 1), "a", of('}', str("b"), vector("1", 1), 's')))
        .hasMessageContaining("key 'a.b': duplicate key");
  }

  @Test
  void rebuildTensorV1AndMetadataArgument() throws Exception {
    TorchPickle.Result r = read(pickle(call("torch._utils", "_rebuild_tensor", storage("LongStorage", "0", 4),
        bint(1), tuple(3), tuple(1))));
    assertThat(r.tensors().get(0).dtype()).isEqualTo(DType.INT64);
    assertThat(r.tensors().get(0).storageOffset()).isEqualTo(1);
    byte[] notConj = of('}', str("conj"), FALSE, 's');
    assertThat(read(pickle(v2(storage("FloatStorage", "0", 2), 0, new long[] {2}, new long[] {1}, notConj)))
        .tensors()).hasSize(1);
  }

  private static PickledTensor withMetadata(String storageClass, byte[] metadata) throws TensorFormatException {
    return read(pickle(v2(storage(storageClass, "0", 2), 0, new long[] {2}, new long[] {1}, metadata)))
        .tensors().get(0);
  }

  @Test
  void conjAndNegBitsAreKeptForTheReadToResolve() throws Exception {
    byte[] conj = of('}', str("conj"), TRUE, 's');
    byte[] neg = of('}', str("neg"), TRUE, 's');
    // torch writes neg before conj when both bits are set [pickler.h getTensorMetadata].
    byte[] both = of('}', '(', str("neg"), TRUE, str("conj"), TRUE, 'u');
    assertThat(withMetadata("ComplexFloatStorage", conj).conjNeg()).isEqualTo(new ConjNegBits(true, false));
    assertThat(withMetadata("ComplexDoubleStorage", both).conjNeg()).isEqualTo(new ConjNegBits(true, true));
    assertThat(withMetadata("FloatStorage", neg).conjNeg()).isEqualTo(new ConjNegBits(false, true));
    assertThat(withMetadata("CharStorage", neg).conjNeg()).isEqualTo(new ConjNegBits(false, true));
    assertThat(withMetadata("FloatStorage", of('}', str("neg"), FALSE, 's')).conjNeg()).isEqualTo(ConjNegBits.NONE);
    assertThat(withMetadata("FloatStorage", of('}')).conjNeg()).isEqualTo(ConjNegBits.NONE);
    // A parameter keeps the bits of its data.
    byte[] param = call("torch._utils", "_rebuild_parameter",
        v2(storage("HalfStorage", "0", 2), 0, new long[] {2}, new long[] {1}, neg), TRUE, emptyHooks());
    assertThat(read(pickle(param)).tensors().get(0).conjNeg()).isEqualTo(new ConjNegBits(false, true));
    byte[] f8 = call("torch._utils", "_rebuild_tensor_v3", persid("torch.storage", "UntypedStorage", "0", 2,
        new byte[0]), bint(0), tuple(2), tuple(1), FALSE, emptyHooks(), global("torch", "float8_e4m3fn"), neg);
    refused(Reason.UNSUPPORTED_TENSOR, pickle(f8))
        .hasMessageContaining("key 'tensor': a neg view of a float8_e4m3fn tensor (torch has no negation for"
            + " float8_e4m3fn and cannot resolve it either) is not supported")
        .hasMessageContaining("REDUCE of torch._utils._rebuild_tensor_v3 at byte");
  }

  @Test
  void conjNegBitsTorchCannotResolveAreRefused() {
    byte[] conj = of('}', str("conj"), TRUE, 's');
    byte[] neg = of('}', str("neg"), TRUE, 's');
    refused(Reason.UNSUPPORTED_TENSOR, pickle(v2(storage("FloatStorage", "0", 2), 0, new long[] {2}, new long[] {1},
        conj))).hasMessageContaining("key 'tensor': a conj bit on a float32 tensor (torch sets it only on complex"
            + " tensors) is not supported");
    refused(Reason.UNSUPPORTED_TENSOR, pickle(v2(storage("BoolStorage", "0", 2), 0, new long[] {2}, new long[] {1},
        neg))).hasMessageContaining("a neg view of a bool tensor");
    refused(Reason.UNSUPPORTED_TENSOR, pickle(v2(storage("FloatStorage", "0", 2), 0, new long[] {2}, new long[] {1},
        of('}', str("zero"), TRUE, 's'))))
        .hasMessageContaining("tensor metadata {'zero': true} is not supported (only 'conj' and 'neg' bits are)");
    refused(Reason.UNSUPPORTED_TENSOR, pickle(v2(storage("ComplexFloatStorage", "0", 2), 0, new long[] {2},
        new long[] {1}, of('}', str("conj"), bint(1), 's'))))
        .hasMessageContaining("tensor metadata {'conj': 1} is not supported");
    refused(Reason.BAD_PICKLE, pickle(v2(storage("FloatStorage", "0", 2), 0, new long[] {2}, new long[] {1},
        of(']')))).hasMessageContaining("tensor metadata must be a dict, got list");
  }

  @Test
  void argumentCountsAreChecked() {
    refused(Reason.BAD_PICKLE, pickle(v2(storage("FloatStorage", "0", 2), 0, new long[] {2}, new long[] {1},
        of(NONE, NONE)))).hasMessageContaining("torch._utils._rebuild_tensor_v2 takes 6 or 7 arguments, got 8");
    refused(Reason.BAD_PICKLE, pickle(call("torch._utils", "_rebuild_parameter", vector("0", 1))))
        .hasMessageContaining("_rebuild_parameter takes 3 arguments, got 1");
    refused(Reason.BAD_PICKLE, pickle(call("torch._utils", "_rebuild_tensor_v2", str("x"), bint(0), tuple(1),
        tuple(1), FALSE, emptyHooks()))).hasMessageContaining("a tensor's storage must be a persistent id, got str");
    refused(Reason.BAD_PICKLE, pickle(call("torch._utils", "_rebuild_tensor_v2", storage("FloatStorage", "0", 1),
        bint(0), tuple(1), tuple(1), NONE, emptyHooks()))).hasMessageContaining("requires_grad must be a bool, got None");
  }

  @Test
  void rebuildTensorV3CountsUntypedStorageInBytes() throws Exception {
    byte[] t = call("torch._utils", "_rebuild_tensor_v3", persid("torch.storage", "UntypedStorage", "0", 8, new byte[0]),
        bint(0), tuple(4), tuple(1), FALSE, emptyHooks(), global("torch", "float16"));
    PickledTensor x = read(pickle(t)).tensors().get(0);
    assertThat(x.dtype()).isEqualTo(DType.FLOAT16);
    assertThat(x.storage()).isEqualTo(new PickledStorage("0", DType.FLOAT16, "cpu", 4, 8, true));
    assertThat(x.storage().legacyCount()).isEqualTo(8);
    byte[] odd = call("torch._utils", "_rebuild_tensor_v3", persid("torch.storage", "UntypedStorage", "0", 7, new byte[0]),
        bint(0), tuple(3), tuple(1), FALSE, emptyHooks(), global("torch", "float16"));
    refused(Reason.BAD_STORAGE, pickle(odd))
        .hasMessageContaining("UntypedStorage '0' of 7 bytes is not a whole number of float16 elements (2 bytes each)");
    byte[] c32 = call("torch._utils", "_rebuild_tensor_v3", persid("torch.storage", "UntypedStorage", "0", 8, new byte[0]),
        bint(0), tuple(2), tuple(1), FALSE, emptyHooks(), global("torch", "complex32"));
    assertThat(read(pickle(c32)).tensors().get(0).storage())
        .isEqualTo(new PickledStorage("0", DType.COMPLEX32, "cpu", 2, 8, true));
    byte[] f4 = call("torch._utils", "_rebuild_tensor_v3", persid("torch.storage", "UntypedStorage", "0", 8, new byte[0]),
        bint(0), tuple(8), tuple(1), FALSE, emptyHooks(), global("torch", "float4_e2m1fn_x2"));
    refused(Reason.UNSUPPORTED_DTYPE, pickle(f4)).hasMessageContaining("dtype torch.float4_e2m1fn_x2 is not supported");
    refused(Reason.BAD_STORAGE, pickle(v2With(persid("torch.storage", "UntypedStorage", "0", 8, new byte[0]), 0,
        new long[] {8}, new long[] {1}))).hasMessageContaining("UntypedStorage '0' without a dtype");
    byte[] mismatch = call("torch._utils", "_rebuild_tensor_v3", storage("FloatStorage", "0", 2),
        bint(0), tuple(2), tuple(1), FALSE, emptyHooks(), global("torch", "int32"));
    refused(Reason.BAD_STORAGE, pickle(mismatch))
        .hasMessageContaining("storage class torch.FloatStorage holds float32 but the tensor is int32");
  }

  @Test
  void shapesStridesAndOffsetsAreChecked() {
    byte[] s3 = storage("FloatStorage", "0", 3);
    refused(Reason.BAD_SHAPE, pickle(v2With(s3, 0, new long[] {4}, new long[] {1})))
        .hasMessageContaining("key 'tensor': size [4] stride [1] offset 0 reaches element 3 of a storage of 3 elements");
    refused(Reason.BAD_SHAPE, pickle(v2With(s3, 0, new long[] {2}, new long[] {-1})))
        .hasMessageContaining("stride[0] is negative (-1)");
    refused(Reason.BAD_SHAPE, pickle(v2With(s3, 0, new long[] {2}, new long[] {1, 1})))
        .hasMessageContaining("size has 1 dims but stride has 2");
    refused(Reason.BAD_SHAPE, pickle(call("torch._utils", "_rebuild_tensor_v2", s3, bint(0),
        of('(', long8(1L << 40), long8(1L << 40), 't'), tuple(1, 1), FALSE, emptyHooks())))
        .hasMessageContaining("overflows a long");
    refused(Reason.BAD_SHAPE, pickle(call("torch._utils", "_rebuild_tensor_v2", s3, bint(0),
        of('(', 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, 't'), tuple(1), FALSE, emptyHooks())))
        .hasMessageContaining("size[0] 18446744073709551616 does not fit in a long");
    ReadLimits small = new ReadLimits(1 << 20, 100, 100, 1000, 1 << 20, 1 << 20);
    refused(Reason.LIMIT_EXCEEDED, pickle(v2With(storage("FloatStorage", "0", 1 << 30), 0, new long[] {1 << 30},
        new long[] {1})), false, small)
        .hasMessageContaining("tensor of 1073741824 float32 elements exceeds the limit of 1048576 bytes");
  }

  @Test
  void storagesMustAgreeAcrossViews() {
    refused(Reason.BAD_STORAGE, dict("a", vector("0", 3), "b", v2("LongStorage", "0", 3, 0, new long[] {3}, new long[] {1})))
        .hasMessageContaining("key 'b': storage '0' is seen as 3 x float32 and as 3 x int64");
    refused(Reason.UNSUPPORTED_DTYPE, pickle(v2("QUInt4x2Storage", "0", 2, 0, new long[] {2}, new long[] {1})))
        .hasMessageContaining("storage class torch.QUInt4x2Storage (packed sub-byte quantized) is not supported");
    refused(Reason.BAD_STORAGE, pickle(v2With(persid("torch.storage", "TypedStorage", "0", 2, new byte[0]), 0,
        new long[] {2}, new long[] {1}))).hasMessageContaining("unknown storage type torch.storage.TypedStorage");
  }

  @Test
  void persistentIdsOtherThanStoragesAreRefused() {
    byte[] six = pickle(v2With(persid("torch", "FloatStorage", "0", 2, NONE), 0, new long[] {2}, new long[] {1}));
    int binpersid = new String(six, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('Q');
    refused(Reason.BAD_PICKLE, six).hasMessageEndingWith("key 'tensor': storage persistent id has 6 elements, expected 5"
        + " (BINPERSID at byte " + binpersid + ")");
    refused(Reason.FORBIDDEN_GLOBAL, pickle(v2With(of('(', str("module"), NONE, 't', 'Q'), 0, new long[] {2},
        new long[] {1}))).hasMessageContaining("persistent id ('module', ...) holds a pickled nn.Module class");
    refused(Reason.BAD_PICKLE, pickle(v2With(of(str("x"), 'Q'), 0, new long[] {2}, new long[] {1})))
        .hasMessageContaining("persistent id must be a tuple, got str");
    refused(Reason.UNSUPPORTED_TENSOR, dict("s", storage("FloatStorage", "0", 2)))
        .hasMessageContaining("key 's': a bare storage (not inside a tensor) is not supported");
  }

  /** Legacy view_metadata (view_key, offset, view_size) is folded into the tensor's storage offset. */
  @Test
  void legacyViewsFoldIntoTheOffset() throws Exception {
    byte[] view = of('(', str("v"), bint(2), bint(4), 't');
    PickledTensor t = read(pickle(v2With(persid("torch", "FloatStorage", "0", 10, view), 1, new long[] {3},
        new long[] {1})), true, ReadLimits.DEFAULT).tensors().get(0);
    assertThat(t.storageOffset()).isEqualTo(3);
    assertThat(t.storage()).isEqualTo(new PickledStorage("0", DType.FLOAT32, "cpu", 10, 40));
    assertThat(read(pickle(v2With(persid("torch", "FloatStorage", "0", 10, NONE), 0, new long[] {10},
        new long[] {1})), true, ReadLimits.DEFAULT).tensors().get(0).storageOffset()).isZero();
    refused(Reason.BAD_SHAPE, pickle(v2With(persid("torch", "FloatStorage", "0", 10, view), 1, new long[] {4},
        new long[] {1})), true, ReadLimits.DEFAULT).hasMessageContaining("reaches element 4 of a storage of 4 elements");
    byte[] outside = of('(', str("v"), bint(8), bint(4), 't');
    refused(Reason.BAD_SHAPE, pickle(v2With(persid("torch", "FloatStorage", "0", 10, outside), 0, new long[] {1},
        new long[] {1})), true, ReadLimits.DEFAULT)
        .hasMessageContaining("view of elements [8, 8+4) lies outside storage '0' of 10 elements");
  }

  @Test
  void parametersAndTensorTypes() throws Exception {
    PickledTensor p = read(pickle(call("torch._utils", "_rebuild_parameter", vector("0", 2), TRUE, emptyHooks())))
        .tensors().get(0);
    assertThat(p.requiresGrad()).isTrue();
    assertThat(p.attributes()).containsEntry("parameter", true);
    PickledTensor ws = read(pickle(call("torch._utils", "_rebuild_parameter_with_state", vector("0", 2), FALSE,
        emptyHooks(), of('}', str("note"), str("hi"), 's')))).tensors().get(0);
    assertThat(ws.requiresGrad()).isFalse();
    assertThat(ws.attributes()).containsExactly(Map.entry("parameter", true));
    PickledTensor n = read(pickle(of(global("torch.nn.parameter", "Parameter"), '(', vector("0", 2), FALSE, 't', 0x81,
        emptyHooks(), 'b'))).tensors().get(0);
    assertThat(n.requiresGrad()).isFalse();
    assertThat(n.attributes()).containsEntry("parameter", true);
    byte[] args = of('(', storage("FloatStorage", "0", 2), bint(0), tuple(2), tuple(1), TRUE, emptyHooks(), 't');
    PickledTensor plain = read(pickle(call("torch._tensor", "_rebuild_from_type_v2",
        global("torch._utils", "_rebuild_tensor_v2"), global("torch", "Tensor"), args, of('}')))).tensors().get(0);
    assertThat(plain.requiresGrad()).isTrue();
    assertThat(plain.attributes()).isEmpty();
    PickledTensor param = read(pickle(call("torch._tensor", "_rebuild_from_type_v2",
        global("torch._utils", "_rebuild_tensor_v2"), global("torch.nn.parameter", "Parameter"), args, of('}'))))
        .tensors().get(0);
    assertThat(param.attributes()).containsEntry("parameter", true);
    refused(Reason.FORBIDDEN_GLOBAL, pickle(call("torch._tensor", "_rebuild_from_type_v2",
        global("torch._utils", "_rebuild_tensor_v2"), global("torch", "Size"), args, of('}'))))
        .hasMessageContaining("tensor subclass torch.Size is not on the allow-list");
    refused(Reason.UNSUPPORTED_TENSOR, pickle(call("torch._utils", "_rebuild_meta_tensor_no_storage",
        global("torch", "float32"), tuple(2), tuple(1), FALSE)))
        .hasMessageContaining("torch._utils._rebuild_meta_tensor_no_storage tensors are not supported");
    refused(Reason.UNSUPPORTED_TENSOR, pickle(call("torch._utils", "_rebuild_nested_tensor", NONE, NONE, NONE, NONE)))
        .hasMessageContaining("torch._utils._rebuild_nested_tensor tensors are not supported");
    refused(Reason.UNSUPPORTED_TENSOR, pickle(call("torch._utils", "_rebuild_device_tensor_from_numpy", NONE, NONE, NONE, NONE)))
        .hasMessageContaining("_rebuild_device_tensor_from_numpy tensors are not supported");
  }

  @Test
  void globalsOutsideTheAllowListAreRefusedByName() {
    refused(Reason.FORBIDDEN_GLOBAL, pickle(call("__builtin__", "eval", str("1"))))
        .hasMessageContaining("m/data.pkl: GLOBAL at byte 2: global builtins.eval (pickled as __builtin__.eval) is not on the allow-list");
    refused(Reason.FORBIDDEN_GLOBAL, pickle(call("os", "system", str("ls")))).hasMessageContaining("global os.system ");
    refused(Reason.FORBIDDEN_GLOBAL, pickle(of(global("__torch__", "Net"), ')', 0x81)))
        .hasMessageContaining("global __torch__.Net ");
    refused(Reason.FORBIDDEN_GLOBAL, pickle(of(0x8c, 5, "torch", 0x8c, 4, "load", 0x93)))
        .hasMessageContaining("STACK_GLOBAL at byte 15: global torch.load ");
  }

  @Test
  void quantizedTensors() throws Exception {
    byte[] perTensor = of('(', global("torch", "per_tensor_affine"), 'G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, bint(3), 't');
    PickledTensor q = read(pickle(call("torch._utils", "_rebuild_qtensor", storage("QInt8Storage", "0", 2), bint(0),
        tuple(2), tuple(1), perTensor, FALSE, emptyHooks()))).tensors().get(0);
    assertThat(q.dtype()).isEqualTo(DType.QINT8);
    assertThat(q.attributes()).containsExactly(Map.entry("qscheme", "torch.per_tensor_affine"),
        Map.entry("scale", 0.5), Map.entry("zero_point", 3L));
    byte[] lists = of('(', global("torch", "per_channel_affine"), ']', '(', 'G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0,
        'G', 0x3f, 0xd0, 0, 0, 0, 0, 0, 0, 'e', ']', '(', bint(1), bint(2), 'e', bint(0), 't');
    PickledTensor pc = read(pickle(call("torch._utils", "_rebuild_qtensor", storage("QUInt8Storage", "0", 2), bint(0),
        tuple(2), tuple(1), lists, FALSE, emptyHooks()))).tensors().get(0);
    assertThat(pc.attributes()).containsEntry("axis", 0L).containsEntry("q_scales", List.of(0.5, 0.25))
        .containsEntry("q_zero_points", List.of(1L, 2L));
    byte[] badAxis = of('(', global("torch", "per_channel_affine"), ']', ']', bint(1), 't');
    refused(Reason.BAD_SHAPE, pickle(call("torch._utils", "_rebuild_qtensor", storage("QInt8Storage", "0", 2), bint(0),
        tuple(2), tuple(1), badAxis, FALSE, emptyHooks()))).hasMessageContaining("per-channel axis 1 out of range for 1 dims");
    byte[] fewScales = of('(', global("torch", "per_channel_affine"), ']', ']', bint(0), 't');
    refused(Reason.BAD_SHAPE, pickle(call("torch._utils", "_rebuild_qtensor", storage("QInt8Storage", "0", 2), bint(0),
        tuple(2), tuple(1), fewScales, FALSE, emptyHooks()))).hasMessageContaining("q_scales holds 0 values for 2 channels");
    byte[] sym = of('(', global("torch", "per_tensor_symmetric"), 'G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, bint(3), 't');
    refused(Reason.UNSUPPORTED_TENSOR, pickle(call("torch._utils", "_rebuild_qtensor", storage("QInt8Storage", "0", 2),
        bint(0), tuple(2), tuple(1), sym, FALSE, emptyHooks())))
        .hasMessageContaining("quantizer params torch.per_tensor_symmetric with 3 elements are not supported");
    refused(Reason.BAD_STORAGE, pickle(call("torch._utils", "_rebuild_qtensor", storage("FloatStorage", "0", 2), bint(0),
        tuple(2), tuple(1), perTensor, FALSE, emptyHooks()))).hasMessageContaining("_rebuild_qtensor on a float32 storage");
    refused(Reason.BAD_STORAGE, pickle(v2("QInt8Storage", "0", 2, 0, new long[] {2}, new long[] {1})))
        .hasMessageContaining("quantized storage qint8 outside _rebuild_qtensor");
  }

  @Test
  void compressedSparseLayoutsNameTheirParts() throws Exception {
    byte[] layout = call("torch.serialization", "_get_layout", str("torch.sparse_csc"));
    byte[] size = call("torch", "Size", tuple(2, 2));
    byte[] data = of('(', v2("LongStorage", "0", 3, 0, new long[] {3}, new long[] {1}),
        v2("LongStorage", "1", 2, 0, new long[] {2}, new long[] {1}), vector("2", 2), size, 't');
    TorchPickle.Result r = read(dict("s", call("torch._utils", "_rebuild_sparse_tensor", layout, data)));
    assertThat(r.tensors()).extracting(PickledTensor::key).containsExactly("s.ccol_indices", "s.row_indices", "s.values");
    assertThat(r.tensors().get(2).attributes()).containsEntry("layout", "torch.sparse_csc")
        .containsEntry("size", List.of(2L, 2L));
    byte[] other = call("torch.serialization", "_get_layout", str("torch.sparse_xyz"));
    refused(Reason.UNSUPPORTED_TENSOR, dict("s", call("torch._utils", "_rebuild_sparse_tensor", other, data)))
        .hasMessageContaining("sparse layout torch.sparse_xyz with 4 data elements is not supported");
  }

  @Test
  void plainValueCalls() throws Exception {
    TorchPickle.Result r = read(dict(
        "dev", call("torch", "device", str("cuda"), bint(1)),
        "c", call("__builtin__", "complex", bint(1)),
        "fs", call("builtins", "frozenset", of(']', '(', bint(1), 'e')),
        "ba", call("__builtin__", "bytearray", str("\u00ff"), str("latin-1")),
        "cnt", call("collections", "Counter", of('}', str("a"), bint(1), 's'))));
    Map<String, Object> m = r.metadata();
    assertThat(m).containsEntry("dev", "cuda:1").containsEntry("c", List.of(1.0, 0.0))
        .containsEntry("fs", List.of(1L)).containsEntry("cnt.a", 1L);
    assertThat((byte[]) m.get("ba")).containsExactly(0xff);
    refused(Reason.BAD_PICKLE, dict("b", call("_codecs", "encode", PickleBytes.of('X', 2, 0, 0, 0, 0xc4, 0x80),
        str("latin1")))).hasMessageContaining("key 'b': character U+100 cannot be encoded as latin1");
    refused(Reason.BAD_PICKLE, dict("g", global("torch._utils", "_rebuild_tensor_v2")))
        .hasMessageContaining("global torch._utils._rebuild_tensor_v2 cannot stand as a value");
    refused(Reason.BAD_PICKLE, dict("x", of(']', ')', 'R'))).hasMessageContaining("call of list[0] cannot be a value");
    refused(Reason.BAD_PICKLE, dict("d", call("torch", "float32"))).hasMessageContaining("torch.float32 cannot be called here");
  }

  @Test
  void python2OrderedDictItemsAsPairs() throws Exception {
    byte[] items = of(']', '(', ']', '(', str("a"), bint(1), 'e', '(', str("b"), vector("0", 1), 't', 'e');
    TorchPickle.Result r = read(pickle(call("collections", "OrderedDict", items)));
    assertThat(r.metadata()).containsExactly(Map.entry("a", 1L));
    assertThat(r.tensors()).extracting(PickledTensor::key).containsExactly("b");
    refused(Reason.BAD_PICKLE, pickle(call("collections", "OrderedDict", of(']', '(', bint(1), 'e'))))
        .hasMessageContaining("collections.OrderedDict items must be [key, value] pairs with scalar keys");
  }

  @Test
  void deviceTensorsSavedThroughTheCpu() throws Exception {
    PickledTensor t = read(pickle(call("torch._utils", "_rebuild_device_tensor_from_cpu_tensor", vector("0", 2),
        global("torch", "float32"), call("torch", "device", str("xla"), bint(0)), TRUE))).tensors().get(0);
    assertThat(t.attributes()).containsEntry("device", "xla:0");
    assertThat(t.requiresGrad()).isTrue();
    refused(Reason.UNSUPPORTED_TENSOR, pickle(call("torch._utils", "_rebuild_device_tensor_from_cpu_tensor",
        vector("0", 2), global("torch", "int64"), str("xla:0"), TRUE)))
        .hasMessageContaining("_rebuild_device_tensor_from_cpu_tensor with a dtype conversion is not supported");
  }

  /** Nesting up to maxDepth fits a 1 MiB thread stack (the JVM's default on 64-bit Linux). */
  @Test
  void deepNestingWithinTheLimitFitsASmallStack() throws Exception {
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < 998; i++) {
      p.append("}X\u0001\u0000\u0000\u0000k");
    }
    p.append(']');
    p.append("s".repeat(998));
    byte[] deep = pickle(of(p.toString()));
    Object[] out = new Object[1];
    Thread t = new Thread(null, () -> {
      try {
        out[0] = read(deep).metadata();
      } catch (Throwable e) {
        out[0] = e;
      }
    }, "small-stack", 1024 * 1024);
    t.start();
    t.join();
    assertThat(out[0]).isInstanceOf(Map.class);
    assertThat(((Map<?, ?>) out[0]).keySet()).singleElement().asString().hasSize(998 * 2 - 1).startsWith("k.k.k");
  }

  @Test
  void treeWalksAreBounded() {
    // 419 bytes may walk 64 nodes per byte: 26816.
    byte[] fan = pickle(of(PickleMachineTest.fanOut(60)));
    assertThat(fan).hasSize(419);
    refused(Reason.LIMIT_EXCEEDED, fan)
        .hasMessageContaining("object tree walk exceeds 26816 nodes (memo references fan out)");
    refused(Reason.LIMIT_EXCEEDED, pickle(of(']', 'q', 0, 'h', 0, 'a', 'h', 0, 'a')))
        .hasMessageContaining("object tree nests deeper than 1000");
  }
}
