"""Files for the deployment tests: a folder of row shards and one wide file, read through HDFS
(HdfsReadTest) and by a standalone Spark cluster's executors (StandaloneClusterScanIT).

cluster/shards/part-0000{0..3}.pt   torch.save({'id': int64 [n], 'x': float32 [n, 16], 'w': float64 [n, 2, 3]})
    Shards of unequal length; 'id' numbers the rows of all shards together (shard i starts where
    shard i-1 ends), so a reader that gathers rows from many partitions can put them back in file
    order and compare each file's bytes with the SHA-256 torch recorded.
cluster/wide.pt                      torch.save({'id': int64 [1024], 'a': float32 [1024, 1024], 'b': float32 [1024, 1024]})
    Two 4 MiB columns: a query on one of them must read about 4 MiB, not the 8 MiB file. Its record
    carries column_sums: torch's float64 sum of each float32 column.
"""
import torch

SHARD_ROWS = [1000, 1537, 700, 2048]


def generate(out, rec):
    shards = out / "cluster" / "shards"
    shards.mkdir(parents=True, exist_ok=True)
    start = 0
    for i, n in enumerate(SHARD_ROWS):
        t = {
            "id": torch.arange(start, start + n, dtype=torch.int64),
            "x": torch.randn(n, 16, dtype=torch.float32),
            "w": torch.randn(n, 2, 3, dtype=torch.float64),
        }
        path = shards / f"part-{i:05d}.pt"
        torch.save(t, path)
        rec.tensors(path, t, "torch-zip", layout_rows=True, row_start=start)
        start += n

    wide = {
        "id": torch.arange(1024, dtype=torch.int64),
        "a": torch.randn(1024, 1024, dtype=torch.float32),
        "b": torch.randn(1024, 1024, dtype=torch.float32),
    }
    path = out / "cluster" / "wide.pt"
    torch.save(wide, path)
    # Float64 sums of each float column, to check one-column queries whose rows come back unordered.
    sums = {k: float(v.double().sum()) for k, v in wide.items() if v.dtype == torch.float32}
    rec.tensors(path, wide, "torch-zip", layout_rows=True, column_sums=sums)
