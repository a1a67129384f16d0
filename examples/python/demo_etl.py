#!/usr/bin/env python3
"""A small batch ETL job: PyTorch tensor shards -> Spark -> NumPy.

    bin/demo                       # sets up the environment and the jar, then runs this
    python examples/python/demo_etl.py --jar connector/target/torchtensor-connector-0.1.0-SNAPSHOT.jar

1. writes sample shards with torch: per row a 64-value float32 embedding, an int64 label (-1 for
   unlabeled rows) and a float16 quality score;
2. reads them with Spark through the torchtensor data source and transforms them with Spark SQL:
   drops unlabeled rows, computes each embedding's L2 norm and per-label aggregates;
3. hands the result to NumPy with torchtensor.to_numpy (embedding (N, 64) float32, score float16);
4. prints a summary and writes a plot to the output folder.
"""
import argparse
import os
import pathlib
import shutil
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
DEFAULT_JAR = ROOT / "connector" / "target" / "torchtensor-connector-0.1.0-SNAPSHOT.jar"


def make_shards(folder: pathlib.Path, shards: int, rows: int, dim: int) -> None:
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(2024)
    centers = torch.randn(4, dim, generator=g) * 2
    for s in range(shards):
        label = torch.randint(-1, 4, (rows,), generator=g)          # -1: unlabeled
        emb = centers[label.clamp(min=0)] + torch.randn(rows, dim, generator=g)
        score = torch.rand(rows, generator=g).to(torch.float16)
        torch.save({"embedding": emb, "label": label, "score": score}, folder / f"shard-{s:03d}.pt")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jar", default=os.environ.get("TORCHTENSOR_JAR", str(DEFAULT_JAR)))
    ap.add_argument("--out", default=str(ROOT / "build" / "demo"))
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--dim", type=int, default=64)
    args = ap.parse_args(argv)

    jar = pathlib.Path(args.jar)
    if not jar.is_file():
        print(f"connector jar {jar} not found: build it with mvn -B -q -pl connector package -DskipTests",
              file=sys.stderr)
        return 2
    out = pathlib.Path(args.out)
    shards = out / "shards"
    shutil.rmtree(shards, ignore_errors=True)
    make_shards(shards, args.shards, args.rows, args.dim)
    print(f"wrote {args.shards} shards of {args.rows} rows to {shards}")

    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run this interpreter
    import numpy as np
    from pyspark.sql import SparkSession, functions as F

    import torchtensor

    spark = (SparkSession.builder.master("local[2]").appName("torchtensor-demo")
             .config("spark.jars", str(jar)).config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        # -- extract
        df = torchtensor.read(spark, shards)
        print("\nschema read from the tensor files:")
        df.printSchema()

        # -- transform (Spark SQL on the executors)
        labeled = (df.where("label >= 0")
                   .withColumn("norm", F.sqrt(F.aggregate("embedding", F.lit(0.0),
                                                          lambda acc, x: acc + x * x))))
        per_label = (labeled.groupBy("label")
                     .agg(F.count("*").alias("rows"), F.mean("norm").alias("mean_norm"),
                          F.mean("score").alias("mean_score"))
                     .orderBy("label"))
        print("per-label aggregates:")
        per_label.show()

        # -- load into NumPy
        t0 = time.perf_counter()
        arrays = torchtensor.to_numpy(labeled.select("embedding", "label", "score"))
        t_filtered = time.perf_counter() - t0
        t0 = time.perf_counter()
        everything = torchtensor.to_numpy(df)  # a plain scan: the fast Arrow hand-off
        t_all = time.perf_counter() - t0
        norms = np.linalg.norm(arrays["embedding"], axis=1)

        print("to_numpy of the labeled rows:")
        for k, v in arrays.items():
            print(f"  {k:10s} {str(v.dtype):8s} {v.shape}")
        print(f"  rows kept: {len(arrays['label'])} of {len(everything['label'])} "
              f"({(everything['label'] < 0).sum()} unlabeled dropped)")
        print(f"  to_numpy: {t_filtered:.2f} s for the filtered rows (toArrow), "
              f"{t_all:.2f} s for the whole scan (fast hand-off)")

        # -- a plot
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 4.5))
        for label in np.unique(arrays["label"]):
            ax.hist(norms[arrays["label"] == label], bins=40, alpha=0.6, label=f"label {label}")
        ax.set_xlabel("embedding L2 norm")
        ax.set_ylabel("rows")
        ax.set_title("Embedding norms per label (tensor shards -> Spark -> NumPy)")
        ax.legend()
        fig.tight_layout()
        png = out / "embedding_norms.png"
        fig.savefig(png, dpi=100)
        print(f"\nplot written to {png}")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
