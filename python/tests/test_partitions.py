"""Partition columns (``name=value`` directories) through to_numpy: the fast hand-off keeps them,
and a partition filter gives torch's values of that partition's files only."""
import numpy as np
import pytest

from helpers import torch_load

import torchtensor


@pytest.fixture(scope="module")
def root(testdata):
    return testdata / "spark" / "partitioned"


def _torch_rows(files, day):
    rows = []
    for f in files:
        d = torch_load(f)
        rows += [(int(l), day, d["features"][i].numpy().tobytes()) for i, l in enumerate(d["labels"])]
    return sorted(rows)


def test_partition_filter_gives_torchs_values_of_that_partition(spark, root, expected):
    df = torchtensor.read(spark, root).where("split = 'train'")
    assert torchtensor.collect_arrow(df).path == "fast"  # the scan decides the filter: still a plain scan
    got = torchtensor.to_numpy(df, handoff="fast")
    assert list(got) == ["features", "labels", "split", "day"]
    assert got["features"].dtype == np.float32 and got["features"].shape[1:] == (4,)
    assert got["labels"].dtype == np.int64
    assert got["day"].dtype == np.dtype("datetime64[D]")
    assert set(got["split"]) == {"train"}

    want = []
    for day in ("2024-01-01", "2024-01-02"):
        files = sorted((root / "split=train" / f"day={day}").glob("*.pt"))
        assert files
        want += _torch_rows(files, np.datetime64(day))
    rows = sorted((int(l), d, f.tobytes()) for l, d, f in zip(got["labels"], got["day"], got["features"]))
    assert rows == sorted(want)
    n = sum(r["nrows"] for f, r in expected.items() if f.startswith("spark/partitioned/split=train/"))
    assert len(got["labels"]) == n


def test_escaped_values_and_the_default_partition(spark, root):
    df = torchtensor.read(spark, root).where("split = 'a=b c'").select("labels", "split", "day")
    got = torchtensor.to_numpy(df)
    files = sorted(root.glob("split=a%3Db c/day=__HIVE_DEFAULT_PARTITION__/*.pt"))
    np.testing.assert_array_equal(got["labels"], np.concatenate([torch_load(f)["labels"].numpy() for f in files]))
    assert got["split"].tolist() == ["a=b c"] * len(got["labels"])
    assert got["day"].dtype == object and got["day"].tolist() == [None] * len(got["labels"])


def test_numeric_partition_columns_are_arrays_of_their_spark_type(spark, testdata):
    df = torchtensor.read(spark, testdata / "spark" / "partitioned_types").select("v", "i", "l", "d")
    got = torchtensor.to_numpy(df.orderBy("i", "v"))
    assert got["i"].dtype == np.int32 and got["l"].dtype == np.int64 and got["d"].dtype == np.float64
    np.testing.assert_array_equal(got["i"], [1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(got["l"], [3000000000] * 3 + [5] * 3)
    fast = torchtensor.to_numpy(df.where("i = 2"), handoff="fast")
    np.testing.assert_array_equal(fast["v"], [10, 11, 12])
    np.testing.assert_array_equal(fast["i"], [2, 2, 2])
    assert fast["d"].tolist() == [2.0] * 3


def test_iter_batches_carries_partition_values(spark, root):
    df = torchtensor.read(spark, root).where("split = 'test'").select("labels", "split", "day")
    batches = list(torchtensor.iter_batches(df))
    labels = np.concatenate([b["labels"] for b in batches])
    np.testing.assert_array_equal(labels, torch_load(root / "split=test/day=2024-01-01/shard-0.pt")["labels"].numpy())
    for b in batches:
        assert b["split"].tolist() == ["test"] * len(b["labels"])
        assert (b["day"] == np.datetime64("2024-01-01")).all()
