#!/usr/bin/env python3
"""Python hand-off benchmark: the same float32 tensor shards into one NumPy array, six ways.

    bin/python-env                                  # the environment (prints its path)
    mvn -B -q -pl connector package -DskipTests     # the connector jar
    PYTHONPATH=python $(bin/python-env)/bin/python bench/python_handoff_bench.py [--gb 1] [--rounds 3]

Shards: ``--gb`` GiB of ``{"x": float32 [rows, 1024]}`` files of 64 MiB, written once by torch into
``~/.cache/torchtensor/bench/handoff-<gb>g`` (reused while they exist). Every path ends with the
whole ``x`` as one (N, 1024) float32 ndarray in this process, checked against (b):

  a_fast   torchtensor.to_numpy(read(folder))        tasks write the columns in place, Python maps them
  a_ipc    the fast path's IPC variant                connector -> Arrow IPC files -> mmap -> one copy
  a_arrow  torchtensor.to_numpy(..., handoff="arrow") connector -> rows -> DataFrame.toArrow()
  b_torch  np.concatenate([torch.load(f)["x"].numpy() for f in files])   (one process, one core)
  c_binary spark.read.format("binaryFile") + mapInPandas calling torch.load, then toArrow
  d_pyds   a Spark Python Data Source (pyspark.sql.datasource) calling torch.load, then toArrow
  e_map    torchtensor.map_batches over the connector (mapInArrow) reducing each batch to its sum:
           what an Arrow UDF costs on top of the scan (no result array; compared with a_fast)

``--mixed``: shards of ``{"x": float32 [rows, 1024], "label": uint8 [rows]}`` instead (written into
``handoff-mixed-<gb>g``), the realistic features-plus-labels set: the fast path reads both columns,
and the check also compares the labels with torch's. Only ``b_torch`` and ``a_fast`` run by default.

Spark runs local[2] (2 cores). Each path runs ``--rounds`` times after one warm-up run that also
checks the result (for the slow c_binary and d_pyds the checked run is the first round); the median
is reported. Results go to stdout as a Markdown table and to build/bench/python_handoff.json.
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
JAR = pathlib.Path(os.environ.get("TORCHTENSOR_JAR",
                                  ROOT / "connector/target/torchtensor-connector-0.1.0-SNAPSHOT.jar"))
COLS = 1024
SHARD_MB = 64


def make_shards(gb: float, mixed: bool = False) -> pathlib.Path:
    import torch

    folder = pathlib.Path(os.environ.get("TORCHTENSOR_CACHE", pathlib.Path.home() / ".cache/torchtensor")) \
        / "bench" / f"handoff-{'mixed-' if mixed else ''}{gb:g}g"
    n_files = max(1, int(gb * 1024 / SHARD_MB))
    rows = SHARD_MB * 2**20 // (4 * COLS)
    done = folder / ".complete"
    if done.exists() and done.read_text() == f"{n_files} {rows}":
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    for i in range(n_files):
        shard = {"x": torch.randn(rows, COLS, generator=g)}
        if mixed:
            shard["label"] = torch.randint(0, 256, (rows,), generator=g, dtype=torch.uint8)
        torch.save(shard, folder / f"part-{i:05d}.pt")
    done.write_text(f"{n_files} {rows}")
    return folder


def files_of(folder):
    return sorted(folder.glob("part-*.pt"))


# -- the paths ----------------------------------------------------------------------------------

def b_torch(spark, folder):
    import numpy as np
    import torch

    return np.concatenate([torch.load(f, weights_only=True)["x"].numpy() for f in files_of(folder)])


def a_fast(spark, folder):
    import torchtensor

    return torchtensor.to_numpy(torchtensor.read(spark, folder), handoff="fast")["x"]


def a_ipc(spark, folder):
    import torchtensor

    df = torchtensor.read(spark, folder)
    batches = list(torchtensor.collect_arrow(df, "fast").batches())
    return torchtensor.batches_to_numpy(batches, torchtensor.tensor_columns(df.schema))["x"]


def a_arrow(spark, folder):
    import torchtensor

    return torchtensor.to_numpy(torchtensor.read(spark, folder), handoff="arrow")["x"]


def _load_x(data: bytes):
    import io

    import torch

    return torch.load(io.BytesIO(data), weights_only=True)["x"].numpy()


def c_binary(spark, folder):
    import torchtensor

    def load(frames):
        import pandas as pd

        for pdf in frames:
            for path, content in zip(pdf["path"], pdf["content"]):
                x = _load_x(content)
                yield pd.DataFrame({"x": list(x)})

    # One 64 MiB file per Arrow batch into the Python worker (the default 10,000 rows would put
    # every file's bytes into one batch).
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "1")
    try:
        df = (spark.read.format("binaryFile").option("pathGlobFilter", "*.pt").load(str(folder))
              .select("path", "content").mapInPandas(load, "x array<float>"))
        return torchtensor.to_numpy(df, infer=True)["x"]
    finally:
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "4096")


def d_pyds(spark, folder):
    import torchtensor

    out = torchtensor.to_numpy(spark.read.format("torch_pyds").load(str(folder)), infer=True)["x"]
    return out


def e_map(spark, folder):
    import numpy as np
    from pyspark.sql import types as T

    import torchtensor

    df = torchtensor.read(spark, folder)
    sums = torchtensor.map_batches(df, lambda b: {"s": np.array([b["x"].sum(dtype=np.float64)])},
                                   T.StructType([T.StructField("s", T.DoubleType())]))
    return np.array([r["s"] for r in sums.collect()])


def register_python_data_source(spark):
    """A Python Data Source whose partitions are the files; each yields one Arrow batch from torch.load
    (Spark 4 accepts pyarrow RecordBatches from DataSourceReader.read)."""
    from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition

    class FilePartition(InputPartition):
        def __init__(self, path):
            super().__init__(path)
            self.path = path

    class TorchReader(DataSourceReader):
        def __init__(self, folder):
            self.folder = folder

        def partitions(self):
            return [FilePartition(str(p)) for p in sorted(pathlib.Path(self.folder).glob("part-*.pt"))]

        def read(self, partition):
            import numpy as np
            import pyarrow as pa
            import torch

            x = torch.load(partition.path, weights_only=True)["x"].numpy()
            offsets = pa.array(np.arange(len(x) + 1, dtype=np.int32) * x.shape[1])
            yield pa.RecordBatch.from_arrays(
                [pa.ListArray.from_arrays(offsets, pa.array(x.reshape(-1)))], names=["x"])

    class TorchDataSource(DataSource):
        @classmethod
        def name(cls):
            return "torch_pyds"

        def schema(self):
            return "x array<float>"

        def reader(self, schema):
            return TorchReader(self.options["path"])

    spark.dataSource.register(TorchDataSource)


def row_order(x):
    """An order of the rows that does not depend on how they arrived (float32 draws repeat, so
    three columns break the ties)."""
    import numpy as np

    return np.lexsort((x[:, 2], x[:, 1], x[:, 0]))


# -- the run ------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--touch", action="store_true",
                    help="read one value per 4 KiB page of the result inside the timed region (a mapped "
                         "result pays its page faults on first touch)")
    ap.add_argument("--paths", default=None)
    ap.add_argument("--mixed", action="store_true",
                    help="shards with a uint8 label column beside x (a plain and a widened column)")
    args = ap.parse_args(argv)
    if args.paths is None:
        args.paths = "b_torch,a_fast" if args.mixed else "b_torch,a_fast,a_ipc,a_arrow,c_binary,d_pyds,e_map"
    if args.mixed and not set(args.paths.split(",")) <= {"b_torch", "a_fast", "a_ipc", "a_arrow"}:
        sys.exit("--mixed runs b_torch, a_fast, a_ipc and a_arrow only")
    if not JAR.is_file():
        sys.exit(f"connector jar {JAR} missing: mvn -B -q -pl connector package -DskipTests")

    import numpy as np

    folder = make_shards(args.gb, args.mixed)
    total = sum(f.stat().st_size for f in files_of(folder))
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("python-handoff-bench")
             .config("spark.jars", str(JAR)).config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "6g").config("spark.driver.maxResultSize", "0")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "4096")
             .config("spark.executorEnv.PYTHONPATH", str(ROOT / "python"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    register_python_data_source(spark)

    reference = b_torch(spark, folder)
    ref_sorted = reference[row_order(reference)]
    if args.mixed:  # the labels too, by the same row order, once through the fast path
        import torch

        import torchtensor

        labels = np.concatenate([torch.load(f, weights_only=True)["label"].numpy() for f in files_of(folder)])
        got = torchtensor.to_numpy(torchtensor.read(spark, folder), handoff="fast")
        assert got["label"].dtype == np.uint8
        assert np.array_equal(got["label"][row_order(got["x"])], labels[row_order(reference)])
        del got
        # How the partitions went (the JVM's answer): file to file, both ways, or Arrow only.
        from torchtensor import _handoff

        answer, staging = _handoff._ask_jvm(torchtensor.read(spark, folder), "writeColumns")
        staging.remove()
        print("partitions", answer.get("partitions"), "direct", answer.get("direct_partitions"),
              "mixed", answer.get("mixed_partitions"),
              {c["name"]: c.get("direct_partitions") for c in answer["columns"]}, flush=True)
    results = {}
    for name in args.paths.split(","):
        fn = globals()[name]
        t0 = time.perf_counter()
        out = fn(spark, folder)  # warm-up, and the correctness check
        first = time.perf_counter() - t0
        if name == "e_map":
            assert abs(out.sum() - reference.sum(dtype=np.float64)) < 1e-3 * reference.size ** 0.5
        else:  # the same rows; Spark may order the files differently than the sorted loop
            assert out.shape == reference.shape and out.dtype == reference.dtype, (name, out.shape)
            assert np.array_equal(out[row_order(out)], ref_sorted), name
        del out
        slow = name in ("c_binary", "d_pyds")
        times = [first] if slow else []
        for _ in range(args.rounds - (1 if slow else 0)):
            t0 = time.perf_counter()
            out = fn(spark, folder)
            if args.touch and name != "e_map":
                out.reshape(-1)[::1024].sum()  # one float32 per 4 KiB page
            times.append(time.perf_counter() - t0)
            del out
        results[name] = {"median_s": statistics.median(times), "rounds_s": times}
        print(f"{name:9s} median {results[name]['median_s']:.3f} s  rounds {[round(t, 3) for t in times]}",
              flush=True)
    plan = None
    try:
        import torchtensor
        from pyspark.sql import types as T

        m = torchtensor.map_batches(torchtensor.read(spark, folder), lambda b: b,
                                    T.StructType([torchtensor.tensor_field("x", "float32", [COLS])]))
        plan = m._jdf.queryExecution().executedPlan().toString()
    except Exception as e:  # noqa: BLE001 - the plan is informative only
        plan = repr(e)
    spark.stop()

    base = results.get("b_torch", {}).get("median_s")
    print(f"\n{total / 2**30:.2f} GiB in {len(files_of(folder))} files{' (x + label)' if args.mixed else ''}; "
          f"jar {JAR}; load average "
          f"{os.getloadavg()[0]:.1f}; {platform.platform()}\n")
    print("| path | median s | GB/s | vs (b) torch loop |")
    print("|---|---|---|---|")
    for name, r in results.items():
        ratio = f"{r['median_s'] / base:.2f}x" if base else "-"
        print(f"| {name} | {r['median_s']:.2f} | {total / r['median_s'] / 1e9:.2f} | {ratio} |")
    if "a_fast" in results:
        for other in ("c_binary", "d_pyds", "a_arrow"):
            if other in results:
                print(f"a_fast is {results[other]['median_s'] / results['a_fast']['median_s']:.1f}x faster than {other}")
    print("\nmapInArrow plan over the connector:\n" + plan)
    out = ROOT / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    name = "python_handoff" + ("_mixed" if args.mixed else "") + ("_touch" if args.touch else "")
    (out / (name + ".json")).write_text(json.dumps(
        {"bytes": total, "files": len(files_of(folder)), "results": results, "plan": plan,
         "loadavg": os.getloadavg()}, indent=2))


if __name__ == "__main__":
    main()
