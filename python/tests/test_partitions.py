"""Partition columns (``name=value`` directories) through to_numpy: the fast hand-off keeps them,
and a partition filter gives torch's values of that partition's files only."""
from decimal import Decimal

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


def _mapped(arr) -> bool:
    import mmap

    while arr is not None and not isinstance(arr, mmap.mmap):
        arr = getattr(arr, "base", None) if not isinstance(arr, memoryview) else arr.obj
    return arr is not None


def _column_answer(df):
    """The column hand-off's answer for ``df``: {name: mapped array or ValueRuns}, or None (IPC)."""
    from torchtensor import _handoff

    got = _handoff.collect_columns(df, "fast")
    return got if isinstance(got, dict) else None


def _same(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        if a[k].dtype == object:
            assert a[k].tolist() == b[k].tolist(), k
        else:
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_string_and_date_partition_columns_keep_the_column_files(spark, root, expected):
    from torchtensor import _handoff

    df = torchtensor.read(spark, root).where("split != 'test'").select("features", "split", "labels", "day")
    answer = _column_answer(df)
    assert answer is not None, "the column hand-off refused the partition columns"
    assert isinstance(answer["split"], _handoff.ValueRuns) and isinstance(answer["day"], _handoff.ValueRuns)
    fast = torchtensor.to_numpy(df, handoff="fast")
    assert _mapped(fast["features"]) and _mapped(fast["labels"])  # column files, not IPC batches
    _same(fast, torchtensor.to_numpy(df, handoff="arrow"))
    # torch's values, each row beside its file's partition values (null day: None on both paths)
    want = []
    for rel, rec in expected.items():
        if rel.startswith("spark/partitioned/") and rec["partition"]["split"] != "test":
            d = torch_load(root.parent.parent / rel)
            p = rec["partition"]
            want += [(int(l), p["split"], p["day"], d["features"][i].numpy().tobytes())
                     for i, l in enumerate(d["labels"])]
    got = [(int(l), s, None if d is None else str(d), f.tobytes())
           for l, s, d, f in zip(fast["labels"], fast["split"], fast["day"], fast["features"])]
    assert sorted(got, key=str) == sorted(want, key=str) and len(got) == 17
    assert fast["day"].dtype == object and sum(d is None for d in fast["day"]) == 2


def test_split_files_and_limits_keep_rows_in_step(spark, root):
    df = torchtensor.read(spark, root, maxPartitionBytes=300, openCostInBytes=0).select("labels", "split", "day")
    assert df.rdd.getNumPartitions() > 4
    for query in (df, df.limit(6), df.limit(14), df.where("split = 'train'").limit(13)):
        assert _column_answer(query) is not None
        fast = torchtensor.to_numpy(query, handoff="fast")
        assert _mapped(fast["labels"])
        _same(fast, torchtensor.to_numpy(query, handoff="arrow"))
    days = torchtensor.to_numpy(df.where("split = 'train'"), handoff="fast")["day"]
    assert days.dtype == np.dtype("datetime64[D]")  # no null in the result: datetime64 as on the other paths


def test_decimal_timestamp_and_string_values_are_the_same_on_both_paths(spark, testdata):
    df = torchtensor.read(spark, testdata / "spark" / "partitioned_types").select("v", "i", "dec", "ts", "s")
    assert _column_answer(df) is not None
    fast = torchtensor.to_numpy(df, handoff="fast")
    _same(fast, torchtensor.to_numpy(df, handoff="arrow"))
    assert fast["ts"].dtype == np.dtype("datetime64[us]")
    by_v = dict(zip(fast["v"].tolist(), zip(fast["s"], fast["dec"])))
    assert by_v[0] == ("x1", Decimal("12345678901234567890")) and by_v[10] == ("007", Decimal(7))
    assert fast["ts"][0] < fast["ts"][3]  # instants depend on the session zone; their order does not


@pytest.mark.parametrize("where", ["split = 'none'", "split = 'test' AND labels < -1"])
def test_an_empty_result_has_the_dtypes_of_a_full_one(spark, root, where):
    df = torchtensor.read(spark, root).where(where)
    full = torchtensor.to_numpy(torchtensor.read(spark, root).where("split = 'test'"))
    for handoff in ("auto", "arrow"):
        got = torchtensor.to_numpy(df, handoff=handoff)
        assert {k: v.dtype for k, v in got.items()} == {k: v.dtype for k, v in full.items()}, handoff
        assert got["day"].dtype == np.dtype("datetime64[D]") and got["split"].dtype == object
        assert all(len(v) == 0 for v in got.values())
