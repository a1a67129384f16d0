"""The tensors layout: one row per tensor, data bytes decoded, device and requires_grad as saved."""
import pytest

from helpers import assert_same, torch_load

import torchtensor

FILES = ["python/rows/bfloat16.pt", "python/rows/complex128.pt", "python/rows/uint64.pt",
         "python/rows/complex32.pt", "python/root/float8_e5m2.pt", "python/root/float8_e8m0fnu.pt", "python/cuda_saved.pt", "python/grad.pt",
         "python/state_dict.pt", "python/images.pt", "python/mixed.safetensors"]


@pytest.mark.parametrize("handoff", ["fast", "arrow"])
@pytest.mark.parametrize("rel", FILES)
def test_tensors_equal_torch_load(spark, testdata, expected, rel, handoff):
    f = testdata / rel
    df = torchtensor.read(spark, f, layout="tensors")
    records = {r.key: r for r in torchtensor.iter_tensors(df, handoff=handoff)}
    want = expected[rel]["tensors"]
    assert sorted(records) == sorted(t["key"] for t in want)
    if f.suffix == ".safetensors":
        from safetensors.torch import load_file
        loaded = load_file(str(f))
    else:
        loaded = torch_load(f)
        loaded = {"tensor": loaded} if not isinstance(loaded, dict) else loaded
    for t in want:
        rec = records[t["key"]]
        assert (rec.dtype, list(rec.shape), rec.device, rec.requires_grad) == (
            t["dtype"], t["shape"], t["device"], t["requires_grad"]), t["key"]
        assert_same(rec.array, loaded[t["key"]], f"{rel}:{t['key']}")


def test_gpu_saved_tensors_read_without_a_gpu(spark, testdata):
    f = testdata / "python" / "cuda_saved.pt"
    arrays = torchtensor.to_numpy(torchtensor.read(spark, f, layout="tensors"))
    devices = torchtensor.read(spark, f, layout="tensors").select("key", "device").collect()
    assert {r["device"] for r in devices} == {"cuda:0"}
    assert arrays["w"].shape == (6, 3)
    assert_same(arrays["w"], torch_load(f)["w"], "w")


def test_duplicate_keys_across_files_need_by_path(spark, testdata):
    df = torchtensor.read(spark, testdata / "python" / "shards", layout="tensors")
    with pytest.raises(torchtensor.TorchTensorError, match="pass by_path=True"):
        torchtensor.tensors_to_numpy(df)
    by_path = torchtensor.tensors_to_numpy(df, by_path=True)
    assert len(by_path) == 8 and all(isinstance(k, tuple) for k in by_path)
