"""Which path hands the batches over, and that the fast one copies nothing it need not."""
import numpy as np
import pyarrow as pa
import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from helpers import assert_same, torch_load

import torchtensor


@pytest.fixture(scope="module")
def shards(testdata):
    return testdata / "python" / "shards"


def test_plain_scan_projection_and_limit_take_the_fast_path(spark, shards):
    df = torchtensor.read(spark, shards)
    for query in (df, df.select("labels", "features"), df.select("labels"), df.limit(7),
                  df.select("features").limit(30)):
        res = torchtensor.collect_arrow(query)
        assert res.path == "fast", res.reason
        batches = list(res.batches())
        assert [f.name for f in batches[0].schema] == query.columns
        assert sum(b.num_rows for b in batches) == query.count()
    arrays = torchtensor.to_numpy(df.select("labels", "features"), handoff="fast")
    assert list(arrays) == ["labels", "features"]


def test_limit_rows_are_rows_of_the_files(spark, shards):
    got = torchtensor.to_numpy(torchtensor.read(spark, shards).limit(30), handoff="fast")
    assert len(got["labels"]) == 30
    by_label = {}
    for f in sorted(shards.glob("*.pt")):
        d = torch_load(f)
        by_label.update({int(l): d["features"][i].numpy() for i, l in enumerate(d["labels"])})
    for label, feats in zip(got["labels"], got["features"]):
        np.testing.assert_array_equal(feats, by_label[int(label)])


def test_other_plans_fall_back_to_to_arrow(spark, shards):
    df = torchtensor.read(spark, shards)
    for query in (df.where("labels % 2 = 0"), df.orderBy(F.desc("labels")), df.cache()):
        res = torchtensor.collect_arrow(query)
        assert res.path == "arrow" and res.reason, query
        with pytest.raises(torchtensor.TorchTensorError, match="fast hand-off cannot run"):
            torchtensor.collect_arrow(query, handoff="fast")
    even = torchtensor.to_numpy(df.where("labels % 2 = 0"))
    assert (even["labels"] % 2 == 0).all() and even["features"].shape[1:] == (3, 8, 8)
    df.unpersist()


def test_single_batch_column_is_a_view_of_the_mapped_arrow_buffer(spark, testdata):
    f = testdata / "python" / "rows" / "float32.pt"
    df = torchtensor.read(spark, f, batchRows=100000).select("x")
    res = torchtensor.collect_arrow(df, handoff="fast")
    batches = list(res.batches())
    assert len(batches) == 1
    arr = torchtensor.batches_to_numpy(batches, torchtensor.tensor_columns(df.schema))["x"]
    values = batches[0].column(0).values
    assert np.shares_memory(arr, np.frombuffer(values.buffers()[1], dtype=np.uint8))
    assert not values.buffers()[1].is_mutable  # a read-only memory map, not a copy
    assert_same(arr, torch_load(f)["x"], "x")
    # and the whole to_numpy call keeps it a view
    whole = torchtensor.to_numpy(df, handoff="fast")["x"]
    assert not whole.flags.owndata


def test_no_staging_files_are_left(spark, shards, tmp_path, monkeypatch):
    monkeypatch.setenv(torchtensor.HANDOFF_DIR_ENV, str(tmp_path))
    df = torchtensor.read(spark, shards)
    torchtensor.to_numpy(df, handoff="fast")
    list(torchtensor.iter_batches(df))
    unread = torchtensor.collect_arrow(df, "fast")  # batches never read: removed when dropped
    assert list(tmp_path.iterdir()) != []
    del unread
    import gc
    gc.collect()
    assert list(tmp_path.iterdir()) == []


def test_map_batches_runs_numpy_on_executors(spark, shards):
    df = torchtensor.read(spark, shards)

    def fn(batch):
        return {"labels": batch["labels"], "mean": batch["features"].mean(axis=(1, 2, 3)),
                "half": batch["features"][:, 0].astype(np.float16)}

    schema = T.StructType([torchtensor.tensor_field("labels", "int64"),
                           torchtensor.tensor_field("mean", "float32"),
                           torchtensor.tensor_field("half", "float16", [8, 8])])
    out = torchtensor.to_numpy(torchtensor.map_batches(df, fn, schema))
    full = torchtensor.to_numpy(df)
    order = np.argsort(full["labels"])
    got = np.argsort(out["labels"])
    np.testing.assert_allclose(out["mean"][got], full["features"][order].mean(axis=(1, 2, 3)), rtol=1e-6)
    assert out["half"].dtype == np.float16 and out["half"].shape == (100, 8, 8)
    np.testing.assert_array_equal(out["half"][got], full["features"][order][:, 0].astype(np.float16))


def test_to_arrow_batches_have_the_same_values(spark, testdata):
    f = testdata / "python" / "rows" / "int16.pt"
    df = torchtensor.read(spark, f)
    a = pa.Table.from_batches(list(torchtensor.collect_arrow(df, "fast").batches()))
    b = pa.Table.from_batches(list(torchtensor.collect_arrow(df, "arrow").batches()))
    assert a.column("x").combine_chunks().equals(b.column("x").combine_chunks())


def _mapped(arr) -> bool:
    import mmap

    while arr is not None and not isinstance(arr, mmap.mmap):
        arr = getattr(arr, "base", None) if not isinstance(arr, memoryview) else arr.obj
    return arr is not None


def test_fixed_width_columns_are_written_in_place_and_mapped(spark, shards):
    df = torchtensor.read(spark, shards)
    arrays = torchtensor.to_numpy(df, handoff="fast")
    assert _mapped(arrays["features"]) and _mapped(arrays["labels"])
    assert arrays["features"].flags.writeable  # copy-on-write mapping
    arrays["features"][0, 0, 0, 0] = 42.0
    # the same rows in the same (partition) order as the IPC batches
    batches = list(torchtensor.collect_arrow(df, "fast").batches())
    ipc = torchtensor.batches_to_numpy(batches, torchtensor.tensor_columns(df.schema))
    np.testing.assert_array_equal(arrays["labels"], ipc["labels"])
    np.testing.assert_array_equal(arrays["features"][1:], ipc["features"][1:])
    for n in (0, 1, 39, 41, 99, 100, 500):  # Spark plans limit(0) as an empty local relation
        limited = torchtensor.to_numpy(df.limit(n), handoff="fast" if n else "auto")
        assert len(limited["labels"]) == min(n, 100)
        np.testing.assert_array_equal(limited["labels"], ipc["labels"][:n])
        np.testing.assert_array_equal(limited["features"][1:], ipc["features"][1:n])


def test_converted_and_bit_packed_columns_keep_their_values(spark, testdata):
    for name in ("uint8", "bfloat16", "complex64", "bool"):
        f = testdata / "python" / "rows" / f"{name}.pt"
        arrays = torchtensor.to_numpy(torchtensor.read(spark, f, batchRows=100), handoff="fast")
        assert_same(arrays["x"], torch_load(f)["x"], name)
        # complex and bool are views of the mapped file; uint8 and bfloat16 are converted copies
        assert _mapped(arrays["x"]) == (name in ("complex64", "bool")) and _mapped(arrays["i"])


def test_executors_in_other_jvms_send_the_batches_to_the_driver(testdata):
    """local-cluster: two executor JVMs, so the tasks cannot write the driver's files themselves;
    the IPC messages travel to the driver (and to_numpy uses them instead of the column files)."""
    import subprocess
    import sys
    import textwrap

    from conftest import JAR, ROOT, require_jar

    require_jar()
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT / 'python')!r})
        os.environ["PYSPARK_PYTHON"] = sys.executable
        import numpy as np
        import torchtensor as tt
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.master("local-cluster[2,1,1024]").config("spark.jars", {str(JAR)!r})
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .getOrCreate())
        assert not spark.sparkContext._jsc.sc().isLocal()
        df = tt.read(spark, {str(testdata / 'python' / 'shards')!r})
        res = tt.collect_arrow(df, "fast")
        assert res.path == "fast" and res.files and sum(b.num_rows for b in res.batches()) == 100
        a, b = tt.to_numpy(df, handoff="fast"), tt.to_numpy(df, handoff="arrow")
        assert a["features"].shape == (100, 3, 8, 8)
        np.testing.assert_array_equal(a["labels"], b["labels"])
        np.testing.assert_array_equal(a["features"], b["features"])
        print("CLUSTER-OK")
        spark.stop()
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert "CLUSTER-OK" in out.stdout, out.stdout[-3000:] + out.stderr[-3000:]


def test_mixed_columns_keep_torchs_values_and_the_plain_one_stays_mapped(spark, testdata):
    # float32 features (copied file to file) beside uint8 label and bool mask (read as batches).
    folder = testdata / "spark" / "mixed"
    for f in sorted(folder.glob("*.pt")):
        arrays = torchtensor.to_numpy(torchtensor.read(spark, f), handoff="fast")
        want = torch_load(f)
        for name in ("features", "label", "mask"):
            assert_same(arrays[name], want[name], f"{name} of {f.name}")
        assert _mapped(arrays["features"]) and _mapped(arrays["mask"]) and not _mapped(arrays["label"])
        assert not np.shares_memory(arrays["features"], arrays["mask"])
    # row ranges of split files and limits: the same rows as the IPC batches, in the same order
    df = torchtensor.read(spark, folder, maxPartitionBytes=20000, openCostInBytes=0)
    assert df.rdd.getNumPartitions() > 3
    for query in (df.select("mask", "features", "label"), df.limit(450), df.limit(1000)):
        fast = torchtensor.to_numpy(query, handoff="fast")
        ipc = torchtensor.to_numpy(query, handoff="arrow")
        assert _mapped(fast["features"])
        for name in query.columns:
            assert fast[name].dtype == ipc[name].dtype, name
            np.testing.assert_array_equal(fast[name], ipc[name], err_msg=name)


def test_complex_rows_copied_file_to_file_are_complex_arrays(spark, testdata):
    for f in sorted((testdata / "spark" / "complex").glob("*.pt")):
        arrays = torchtensor.to_numpy(torchtensor.read(spark, f), handoff="fast")
        want = torch_load(f)
        for name in ("z64", "z128", "idx"):
            assert_same(arrays[name], want[name], f"{name} of {f.name}")
            assert _mapped(arrays[name]), name
        assert arrays["z64"].dtype == np.complex64 and arrays["z128"].dtype == np.complex128
