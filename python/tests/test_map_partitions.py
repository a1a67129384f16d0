"""map_batches over DataFrames with partition columns and other plain scalar columns: ``fn`` gets
them as arrays of their Spark type (as to_numpy gives them) and may return them."""
import numpy as np
import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from helpers import torch_load

import torchtensor


@pytest.fixture(scope="module")
def root(testdata):
    return testdata / "spark" / "partitioned"


def _torch_rows(root, expected, where):
    """(label, split, day, features bytes) of every file whose partition values pass ``where``."""
    rows = []
    for rel, rec in expected.items():
        if not rel.startswith("spark/partitioned/") or not where(rec["partition"]):
            continue
        d = torch_load(root.parent.parent / rel)
        day = rec["partition"]["day"]
        for i, label in enumerate(d["labels"]):
            rows.append((int(label), rec["partition"]["split"], day, d["features"][i].numpy().tobytes()))
    return sorted(rows, key=lambda r: (r[0], r[3]))


def test_partition_columns_reach_the_function_as_arrays_of_their_spark_type(spark, root, expected):
    df = torchtensor.read(spark, root).where("split = 'train'")
    def fn(batch):
        # Executors run this; what it saw comes back as columns of the result.
        assert batch["split"].dtype == object and batch["day"].dtype == np.dtype("datetime64[D]")
        n = len(batch["labels"])
        assert batch["features"].shape == (n, 4) and batch["features"].dtype == np.float32
        return {"labels": batch["labels"], "features": batch["features"] * 2,
                "split": batch["split"], "day": batch["day"],
                "split_type": np.array([type(s).__name__ for s in batch["split"]], dtype=object)}

    schema = T.StructType([torchtensor.tensor_field("labels", "int64"),
                           torchtensor.tensor_field("features", "float32", [4]),
                           T.StructField("split", T.StringType()), T.StructField("day", T.DateType()),
                           T.StructField("split_type", T.StringType())])
    out = torchtensor.to_numpy(torchtensor.map_batches(df, fn, schema), infer=True)
    assert set(out["split_type"]) == {"str"}
    assert out["day"].dtype == np.dtype("datetime64[D]")  # the result's date column, read back
    want = _torch_rows(root, expected, lambda p: p["split"] == "train")
    assert len(out["labels"]) == len(want) == 15
    got = sorted(((int(l), s, str(d), (f / 2).astype(np.float32).tobytes())
                  for l, s, d, f in zip(out["labels"], out["split"], out["day"], out["features"])),
                 key=lambda r: (r[0], r[3]))
    assert got == want


def test_nulls_of_the_default_partition_are_none_in_and_out(spark, root, expected):
    df = torchtensor.read(spark, root).where("split = 'a=b c'").select("labels", "split", "day")

    def fn(batch):
        assert batch["day"].dtype == object and all(d is None for d in batch["day"])
        return {"labels": batch["labels"], "day": batch["day"],
                "day_is_null": np.array([d is None for d in batch["day"]])}

    schema = T.StructType([torchtensor.tensor_field("labels", "int64"), T.StructField("day", T.DateType()),
                           T.StructField("day_is_null", T.BooleanType())])
    result = torchtensor.map_batches(df, fn, schema)
    rows = result.collect()
    want = [r for r in _torch_rows(root, expected, lambda p: p["day"] is None)]
    assert sorted(r["labels"] for r in rows) == sorted(r[0] for r in want) and len(rows) == 2
    assert all(r["day"] is None and r["day_is_null"] for r in rows)


def test_plain_scalar_columns_without_metadata(spark, testdata):
    df = (torchtensor.read(spark, testdata / "spark" / "partitioned_types")
          .withColumn("name", F.concat(F.lit("row-"), F.col("v").cast("string")))
          .withColumn("maybe", F.when(F.col("v") > 10, F.col("v")).cast("int")))

    def fn(batch):
        return {"v": batch["v"], "name": np.char.upper(batch["name"].astype(str)), "i": batch["i"],
                "l": batch["l"], "d": batch["d"], "dec": batch["dec"], "ts": batch["ts"], "s": batch["s"],
                "maybe": batch["maybe"]}

    keep = ["v", "name", "i", "l", "d", "dec", "ts", "s", "maybe"]
    schema = T.StructType([df.schema[c] for c in keep])
    out = torchtensor.map_batches(df, fn, schema).orderBy("v").collect()
    plain = df.select(*keep).orderBy("v").collect()
    assert [r["v"] for r in out] == [0, 1, 2, 10, 11, 12]
    assert [r["name"] for r in out] == [f"ROW-{v}" for v in (0, 1, 2, 10, 11, 12)]
    assert [r["maybe"] for r in out] == [None, None, None, None, 11, 12]
    for a, b in zip(out, plain):  # ints, decimals, timestamps and strings round-trip unchanged
        assert {k: a[k] for k in keep if k != "name"} == {k: b[k] for k in keep if k != "name"}

    # the arrays fn gets have the dtypes to_numpy gives the partition columns
    names = ("i", "l", "d", "dec", "ts", "s", "maybe")

    def kinds(batch):
        k = ",".join(f"{name}:{batch[name].dtype}" for name in names)
        return {"kinds": np.full(len(batch["v"]), k, dtype=object)}

    seen = {r["kinds"] for r in torchtensor.map_batches(df.coalesce(1), kinds, "kinds string").collect()}
    direct = torchtensor.to_numpy(df.select(*names[:-1]))
    assert seen == {",".join([f"{k}:{direct[k].dtype}" for k in names[:-1]] + ["maybe:object"])}
