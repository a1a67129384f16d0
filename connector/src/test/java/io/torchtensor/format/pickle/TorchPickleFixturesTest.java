package io.torchtensor.format.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.DType;
import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link TorchPickle#read} on real data.pkl records and legacy files written by PyTorch. */
class TorchPickleFixturesTest {

  static TorchPickle.Result zip(String fixture) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Fixtures.dataPkl(fixture));
    TorchPickle.Result r = TorchPickle.read(b, fixture, "data.pkl", ReadLimits.DEFAULT, false);
    assertThat(b.hasRemaining()).as("STOP is the last byte of data.pkl").isFalse();
    return r;
  }

  private static Map<String, PickledTensor> byKey(TorchPickle.Result r) {
    Map<String, PickledTensor> m = new java.util.LinkedHashMap<>();
    r.tensors().forEach(t -> m.put(t.key(), t));
    return m;
  }

  /** Every plain tensor of every torch.save zip fixture agrees with the MANIFEST's pickletools view. */
  @Test
  void everyZipFixtureMatchesTheManifest() throws Exception {
    Map<String, String> structures = Manifest.structures();
    int checked = 0;
    for (String f : Manifest.filesOfKind("torch-zip")) {
      if (f.endsWith("gen_whole_module.pt") || f.endsWith("gen_tensor_subclass.pt")) {
        continue; // refused by design, see below
      }
      TorchPickle.Result r = zip(f);
      Manifest.assertAgrees(f, structures.get(f), r.tensors());
      checked += r.tensors().size();
    }
    assertThat(checked).isGreaterThan(60);
  }

  @Test
  void burnCheckpointNestedDictsAndScalars() throws Exception {
    TorchPickle.Result r = zip("burn_checkpoint.pt");
    assertThat(byKey(r).keySet()).containsExactly("model_state_dict.fc1.weight", "model_state_dict.fc1.bias",
        "model_state_dict.fc2.weight", "model_state_dict.fc2.bias", "optimizer_state_dict.state.0.momentum_buffer");
    PickledTensor w = byKey(r).get("model_state_dict.fc1.weight");
    assertThat(w.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(w.shape()).containsExactly(10, 5);
    assertThat(w.strides()).containsExactly(5, 1);
    assertThat(w.storage()).isEqualTo(new PickledStorage("0", DType.FLOAT32, "cpu", 50, 200));
    assertThat(r.metadata()).containsEntry("epoch", 42L).containsEntry("loss", 0.123);
  }

  @Test
  void adamCheckpointMetadataLeaves() throws Exception {
    TorchPickle.Result r = zip("generated/gen_checkpoint_adam.pt");
    assertThat(byKey(r).keySet()).containsExactly("model.weight", "model.bias", "optimizer.state.0.step",
        "optimizer.state.0.exp_avg", "optimizer.state.0.exp_avg_sq", "optimizer.state.1.step",
        "optimizer.state.1.exp_avg", "optimizer.state.1.exp_avg_sq");
    assertThat(byKey(r).get("optimizer.state.0.step").shape()).isEmpty();
    Map<String, Object> m = r.metadata();
    assertThat(m).containsEntry("epoch", 3L).containsEntry("step", 1L << 40).containsEntry("neg", -123456789L)
        .containsEntry("loss", 0.25)
        .containsEntry("optimizer.param_groups.0.lr", 0.001)
        .containsEntry("optimizer.param_groups.0.betas", List.of(0.9, 0.999))
        .containsEntry("optimizer.param_groups.0.eps", 1e-08)
        .containsEntry("optimizer.param_groups.0.amsgrad", false)
        .containsEntry("optimizer.param_groups.0.foreach", null)
        .containsEntry("optimizer.param_groups.0.params", List.of(0L, 1L))
        .containsEntry("shape", List.of(2L, 3L))
        .containsEntry("dtype", "torch.float16")
        .containsEntry("device", "cpu")
        .containsEntry("tags", List.of("b", "a"))
        .containsEntry("ratio", List.of(1.0, 2.0));
    assertThat((byte[]) m.get("blob")).containsExactly(0, 1, 0xff);
    // The state_dict's BUILD state (_metadata) is dropped, not reported as leaves.
    assertThat(m.keySet()).noneMatch(k -> k.contains("_metadata"));
    // Pickle order is kept.
    assertThat(new ArrayList<>(m.keySet()).subList(0, 4)).containsExactly("epoch", "step", "neg", "loss");
  }

  @Test
  void configWithoutTensors() throws Exception {
    TorchPickle.Result r = zip("candle_config.pt");
    assertThat(r.tensors()).isEmpty();
    assertThat(new ArrayList<>(r.metadata().entrySet())).containsExactly(Map.entry("some_float", 0.1),
        Map.entry("some_int", 1L), Map.entry("some_bool", true), Map.entry("some_str", "hello"));
  }

  @Test
  void quantizedTensors() throws Exception {
    TorchPickle.Result r = zip("generated/gen_quantized.pt");
    Map<String, PickledTensor> t = byKey(r);
    assertThat(t.keySet()).containsExactly("per_tensor_quint8", "per_tensor_qint8", "per_channel_qint8",
        "per_channel_qint8.q_scales", "per_channel_qint8.q_zero_points", "per_tensor_qint32");
    PickledTensor q8 = t.get("per_tensor_quint8");
    assertThat(q8.dtype()).isEqualTo(DType.QUINT8);
    assertThat(q8.shape()).containsExactly(2, 3);
    assertThat(q8.attributes()).containsEntry("qscheme", "torch.per_tensor_affine")
        .containsEntry("scale", 0.1).containsEntry("zero_point", 10L);
    assertThat(t.get("per_tensor_qint32").dtype()).isEqualTo(DType.QINT32);
    PickledTensor pc = t.get("per_channel_qint8");
    assertThat(pc.attributes()).containsEntry("qscheme", "torch.per_channel_affine").containsEntry("axis", 0L)
        .containsEntry("q_scales", "per_channel_qint8.q_scales")
        .containsEntry("q_zero_points", "per_channel_qint8.q_zero_points");
    assertThat(t.get("per_channel_qint8.q_scales").dtype()).isEqualTo(DType.FLOAT64);
    assertThat(t.get("per_channel_qint8.q_scales").shape()).containsExactly(2);
    assertThat(t.get("per_channel_qint8.q_zero_points").dtype()).isEqualTo(DType.INT64);
  }

  @Test
  void sparseTensorsBecomeTheirParts() throws Exception {
    Map<String, PickledTensor> t = byKey(zip("generated/gen_sparse.pt"));
    assertThat(t.keySet()).containsExactly("coo.indices", "coo.values", "coo_coalesced.indices",
        "coo_coalesced.values", "csr.crow_indices", "csr.col_indices", "csr.values");
    assertThat(t.get("coo.indices").dtype()).isEqualTo(DType.INT64);
    assertThat(t.get("coo.indices").shape()).containsExactly(2, 3);
    assertThat(t.get("coo.values").attributes()).containsEntry("layout", "torch.sparse_coo")
        .containsEntry("size", List.of(2L, 3L));
    assertThat(t.get("csr.values").attributes()).containsEntry("layout", "torch.sparse_csr")
        .containsEntry("size", List.of(2L, 3L));
    assertThat(t.get("csr.values").dtype()).isEqualTo(DType.FLOAT32);
  }

  @Test
  void nestedListsAndTuples() throws Exception {
    TorchPickle.Result r = zip("generated/gen_nested_list.pt");
    Map<String, PickledTensor> t = byKey(r);
    assertThat(t.keySet()).containsExactly("0.0", "0.1", "1.0", "2.a.0", "2.b.c");
    assertThat(t.get("1.0").dtype()).isEqualTo(DType.FLOAT16);
    assertThat(t.get("2.a.0").dtype()).isEqualTo(DType.BFLOAT16);
    assertThat(t.get("2.b.c").dtype()).isEqualTo(DType.INT8);
    assertThat(t.get("2.b.c").shape()).isEmpty();
    Map<String, Object> expected = new java.util.LinkedHashMap<>();
    expected.put("1.1", 3.5);
    expected.put("1.2", -7L);
    expected.put("1.3", "txt");
    expected.put("1.4", null);
    expected.put("3", List.of());
    assertThat(new ArrayList<>(r.metadata().entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
  }

  @Test
  void parametersAndRequiresGrad() throws Exception {
    Map<String, PickledTensor> t = byKey(zip("generated/gen_parameters_grad.pt"));
    assertThat(t.get("param").requiresGrad()).isTrue();
    assertThat(t.get("param").attributes()).containsEntry("parameter", true);
    assertThat(t.get("frozen_param").requiresGrad()).isFalse();
    assertThat(t.get("frozen_param").attributes()).containsEntry("parameter", true);
    assertThat(t.get("leaf_requires_grad").requiresGrad()).isTrue();
    assertThat(t.get("leaf_requires_grad").attributes()).isEmpty();
    assertThat(t.get("scalar_i64").shape()).isEmpty();
    assertThat(t.get("empty_2x0").shape()).containsExactly(2, 0);
    assertThat(t.get("empty_2x0").storage().numel()).isZero();
  }

  @Test
  void protocols4And5() throws Exception {
    TorchPickle.Result p5 = zip("gopickle_tensor_float32_proto5_zip.pt");
    assertThat(p5.tensors()).singleElement().satisfies(t -> {
      assertThat(t.key()).isEqualTo("tensor");
      assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
      assertThat(t.shape()).containsExactly(4);
    });
    TorchPickle.Result p4 = zip("generated/gen_proto4_zip.pt");
    assertThat(p4.tensors()).singleElement().satisfies(t -> {
      assertThat(t.key()).isEqualTo("x");
      assertThat(t.dtype()).isEqualTo(DType.INT32);
    });
  }

  @Test
  void sharedStorageViews() throws Exception {
    List<PickledTensor> t = zip("generated/gen_views_shared_storage.pt").tensors();
    assertThat(t).extracting(x -> x.storage().key()).contains("0");
    assertThat(t.stream().filter(x -> x.storage().key().equals("0")).count()).isGreaterThan(1);
    assertThat(t).anySatisfy(x -> assertThat(x.strides()).contains(0L));
  }

  @Test
  void wholeModuleIsRefusedByName() {
    assertThatThrownBy(() -> zip("generated/gen_whole_module.pt"))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_GLOBAL))
        .hasMessageContaining("torch.nn.modules.linear.Linear")
        .hasMessageContaining("data.pkl: GLOBAL at byte");
  }

  @Test
  void tensorSubclassIsRefusedByName() {
    assertThatThrownBy(() -> zip("generated/gen_tensor_subclass.pt"))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FORBIDDEN_GLOBAL))
        .hasMessageContaining("__main__.MyTensor");
  }

  /**
   * Legacy files: magic, protocol version and sys_info through loadPlain, the object pickle with
   * six-element persistent ids, then the sorted storage keys, which must name every storage.
   */
  @Test
  void legacyFilesParseFromOffsetZero() throws Exception {
    Map<String, String> structures = Manifest.structures();
    List<String> legacy = Manifest.filesOfKind("legacy-pickle");
    assertThat(legacy).hasSizeGreaterThanOrEqualTo(6);
    for (String f : legacy) {
      ByteBuffer b = ByteBuffer.wrap(Fixtures.file(f));
      assertThat(PickleMachine.loadPlain(b, f, null, ReadLimits.DEFAULT))
          .isEqualTo(new BigInteger("1950a86a20f9469cfc6c", 16));
      assertThat(PickleMachine.loadPlain(b, f, null, ReadLimits.DEFAULT)).isEqualTo(1001L);
      assertThat(PickleMachine.loadPlain(b, f, null, ReadLimits.DEFAULT)).isInstanceOf(Map.class);
      TorchPickle.Result r = TorchPickle.read(b, f, null, ReadLimits.DEFAULT, true);
      Object keys = PickleMachine.loadPlain(b, f, null, ReadLimits.DEFAULT);
      assertThat(keys).isInstanceOf(List.class);
      List<String> storageKeys = new ArrayList<>();
      for (PickledTensor t : r.tensors()) {
        storageKeys.add(t.storage().key());
      }
      Manifest.assertAgrees(f, structures.get(f), r.tensors());
      @SuppressWarnings("unchecked")
      List<Object> keyList = (List<Object>) keys;
      assertThat(keyList).as(f).containsAll(storageKeys);
      assertThat(keyList).as(f).isEqualTo(keyList.stream().map(String.class::cast).sorted().toList());
      assertThat(r.tensors()).as(f).isNotEmpty();
    }
  }
}
