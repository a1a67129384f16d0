"""The rows layout through Spark and the connector: every dtype equals torch.load(f)[key].numpy()."""
import numpy as np
import pytest

from helpers import assert_same, torch_load

import cases_python as dt
import torchtensor

HANDOFFS = ["fast", "arrow"]


@pytest.mark.parametrize("handoff", HANDOFFS)
@pytest.mark.parametrize("name", dt.DTYPES)
def test_every_dtype_per_row_tensor_and_scalar_column(spark, testdata, name, handoff):
    f = testdata / "python" / "rows" / f"{name}.pt"
    df = torchtensor.read(spark, f)
    meta = df.schema["x"].metadata
    assert meta["torchtensor.dtype"] == name
    assert meta["torchtensor.shape"].replace(" ", "") == "[4,16]"
    arrays = torchtensor.to_numpy(df.select("x", "i"), handoff=handoff)
    want = torch_load(f)
    assert_same(arrays["x"], want["x"], f"{name} x via {handoff}")
    assert_same(arrays["i"], want["i"], f"{name} i via {handoff}")


@pytest.mark.parametrize("handoff", HANDOFFS)
@pytest.mark.parametrize("name", dt.DTYPES)
def test_every_dtype_root_tensor(spark, testdata, name, handoff):
    f = testdata / "python" / "root" / f"{name}.pt"
    arrays = torchtensor.to_numpy(torchtensor.read(spark, f), handoff=handoff)
    assert list(arrays) == ["tensor"]
    assert_same(arrays["tensor"], torch_load(f), f"{name} root via {handoff}")


@pytest.mark.parametrize("handoff", HANDOFFS)
def test_image_batch_keeps_its_shape(spark, testdata, handoff):
    f = testdata / "python" / "images.pt"
    arrays = torchtensor.to_numpy(torchtensor.read(spark, f), handoff=handoff)
    assert arrays["tensor"].shape == (4, 28, 28)
    assert_same(arrays["tensor"], torch_load(f), "images")


@pytest.mark.parametrize("handoff", HANDOFFS)
def test_safetensors_file(spark, testdata, handoff):
    f = testdata / "python" / "mixed.safetensors"
    from safetensors.torch import load_file

    want = load_file(str(f))
    arrays = torchtensor.to_numpy(torchtensor.read(spark, f), handoff=handoff)
    assert set(arrays) == set(want)
    for k, t in want.items():
        assert_same(arrays[k], t, k)


@pytest.mark.parametrize("handoff", HANDOFFS)
def test_shards_of_a_folder_concatenate_with_their_labels(spark, testdata, handoff):
    folder = testdata / "python" / "shards"
    arrays = torchtensor.to_numpy(torchtensor.read(spark, folder), handoff=handoff)
    files = sorted(folder.glob("*.pt"))
    feats = np.concatenate([torch_load(f)["features"].numpy() for f in files])
    labels = np.concatenate([torch_load(f)["labels"].numpy() for f in files])
    assert arrays["features"].shape == (100, 3, 8, 8) and arrays["features"].dtype == np.float32
    # Spark may order the files' partitions differently; the labels are unique and say which row is which.
    got, want = np.argsort(arrays["labels"]), np.argsort(labels)
    np.testing.assert_array_equal(arrays["labels"][got], labels[want])
    np.testing.assert_array_equal(arrays["features"][got], feats[want])


def test_iter_batches_and_to_pandas(spark, testdata):
    folder = testdata / "python" / "shards"
    df = torchtensor.read(spark, folder, batchRows=16)
    batches = list(torchtensor.iter_batches(df))
    assert len(batches) >= 7  # 40, 25, 33 and 2 rows in batches of at most 16
    assert all(b["features"].shape[1:] == (3, 8, 8) and len(b["features"]) <= 16 for b in batches)
    assert sorted(np.concatenate([b["labels"] for b in batches]).tolist()) == sorted(
        torchtensor.to_numpy(df)["labels"].tolist())
    pdf = torchtensor.to_pandas(df)
    assert len(pdf) == 100 and pdf["labels"].dtype == np.int64 and pdf["features"][0].shape == (3, 8, 8)
