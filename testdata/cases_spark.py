"""Files for the Spark source tests, saved with real torch under ``out/spark/``.

Each folder is one table the JVM tests load (``spark.read.format("torchtensor").load(folder)``):

- ``shards/``          4 rows shards {'features': float32 [N,3,8,8], 'labels': int64 [N]}, N = 5, 17, 33, 64
- ``big/``             one shard of a few MB, split into row ranges with a small maxPartitionBytes
- ``dtypes/``          every dtype torch writes, one rows column each (N = 37)
- ``quantized/``       qint8 / quint8 / qint32 columns (their integer representation)
- ``nested/``          nested dicts and lists: keys ``a.b``, ``a.c``, ``lst.0``
- ``root/``            a root tensor: column ``tensor``
- ``disagree_keys/``, ``disagree_dtype/``, ``disagree_shape/``: two files that do not share a schema
- ``leading/``         one file whose tensors have different leading dimensions
- ``cuda/``            shards whose storages are tagged ``cuda:0`` (saved from a CPU machine)
- ``corrupt/``         one good shard and one file that is not a tensor file
- ``safetensors/``     safetensors shards {'features', 'labels'}
- ``safetensors_big/`` one safetensors file of 4 MB {'x': float32 [16384,64], 'idx': int64 [16384]}
- ``checkpoint/``      a checkpoint for the tensors layout (parameters with requires_grad, a scalar)
- ``empty_rows/``, ``zero_width/``: N = 0 rows; rows of shape [0]
- ``views/``           a transposed tensor and a slice of a bigger storage (strided reads per batch)
- ``conj_neg/``        lazy conj / neg views (``z.conj()``, ``torch._neg_view(x)``) of several dtypes, N = 37
- ``listing/``         a.pt, b.pt, sub/c.pt, plus hidden ``_SUCCESS`` / ``.tmp.pt`` and ``notes.txt``
- ``partitioned/``     Hive-style ``split=.../day=.../shard-K.pt`` {'features': float32 [N,4], 'labels': int64 [N]},
                       with an escaped value (``a%3Db c``) and the Hive default (null) partition; each
                       record holds ``partition``: the directory values as Spark reads them (unescaped, null)
- ``partitioned_types/`` two leaf directories whose values infer int, long, double, decimal, timestamp, string
- ``partitioned_conflict/``, ``partitioned_mixed/``: directory structures Spark refuses
- ``mixed/``           3 shards {'features': float32 [N,16], 'label': uint8 [N], 'mask': bool [N,3]},
                       N = 300, 517, 1001: plain and widened columns in the same files
- ``complex/``         2 shards {'z64': complex64 [N,3], 'z128': complex128 [N], 'idx': int64 [N]}, N = 40, 91

``rec.tensors(..., layout_rows=True, nrows=N, spark_sha256={key: sha})`` records rows-layout files with
their row count and the SHA-256 of each column's values as the rows layout emits them.
"""
import hashlib
import pathlib

import torch
from safetensors.torch import save_file

import tdutil


def _save(obj, path: pathlib.Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(obj, path)


# What the rows layout emits for each dtype, computed by torch: the Spark element values as
# little-endian bytes (float8/float16/bfloat16 widened to float32, unsigned ints to the next wider
# signed int, uint64 as the same 64 bits, bool as one 0/1 byte per value, complex as (re, im)).
_WIDEN = {
    torch.float16: torch.float32, torch.bfloat16: torch.float32,
    torch.float8_e4m3fn: torch.float32, torch.float8_e5m2: torch.float32,
    torch.float8_e4m3fnuz: torch.float32, torch.float8_e5m2fnuz: torch.float32,
    torch.float8_e8m0fnu: torch.float32,
    torch.uint8: torch.int16, torch.uint16: torch.int32, torch.uint32: torch.int64,
    torch.bool: torch.uint8,
}


def spark_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().cpu()
    t = tdutil.resolved(t)   # conj/neg views: their values, not the storage's
    if t.is_quantized:
        t = t.int_repr()
        if t.dtype == torch.uint8:
            t = t.to(torch.int16)
    elif t.is_complex():
        t = torch.view_as_real(t)
        if t.dtype == torch.float16:   # complex32: float16 halves widened to float
            t = t.to(torch.float32)
    elif t.dtype == torch.uint64:
        t = t.view(torch.int64)
    elif t.dtype in _WIDEN:
        t = t.to(_WIDEN[t.dtype])
    t = t.contiguous().reshape(-1)
    return t.view(torch.uint8).numpy().tobytes() if t.numel() else b""


def _rows(rec, path, tensors, fmt="torch-zip", device=None):
    n = next(iter(tensors.values())).shape[0]
    sha = {k: hashlib.sha256(spark_bytes(t)).hexdigest() for k, t in tensors.items()}
    rec.tensors(path, tensors, fmt, device=device, layout_rows=True, nrows=int(n), spark_sha256=sha)


def _shards(out, rec):
    for i, n in enumerate([5, 17, 33, 64]):
        g = torch.Generator().manual_seed(100 + i)
        t = {"features": torch.randn(n, 3, 8, 8, generator=g),
             "labels": torch.randint(-5, 1000, (n,), generator=g, dtype=torch.int64)}
        p = out / "spark" / "shards" / f"part-{i}.pt"
        _save(t, p)
        _rows(rec, p, t)


def _big(out, rec):
    # 10007 rows (a prime, so splits never fall on round numbers) of 61 floats: about 2.5 MB.
    n = 10007
    g = torch.Generator().manual_seed(7)
    t = {"x": torch.randn(n, 61, generator=g), "idx": torch.arange(n, dtype=torch.int64)}
    p = out / "spark" / "big" / "big.pt"
    _save(t, p)
    _rows(rec, p, t)


def _dtypes(out, rec):
    n = 37
    g = torch.Generator().manual_seed(11)
    f = torch.randn(n, 4, generator=g) * 3
    t = {
        "f32": torch.randn(n, 3, generator=g),
        "f64": torch.randn(n, generator=g, dtype=torch.float64),
        "f16": (torch.randn(n, 2, 2, generator=g) * 100).to(torch.float16),
        "bf16": (torch.randn(n, 5, generator=g) * 1e5).to(torch.bfloat16),
        "f8e4m3fn": f.to(torch.float8_e4m3fn),
        "f8e5m2": f.to(torch.float8_e5m2),
        "f8e4m3fnuz": f.to(torch.float8_e4m3fnuz),
        "f8e5m2fnuz": f.to(torch.float8_e5m2fnuz),
        # e8m0 (exponent only) rounds |f| to a power of two; the NaN byte 0xFF is set below.
        "f8e8m0": f.to(torch.float8_e8m0fnu),
        "i8": torch.randint(-128, 128, (n, 3), generator=g, dtype=torch.int8),
        "i16": torch.randint(-32768, 32768, (n,), generator=g, dtype=torch.int16),
        "i32": torch.randint(-2**31, 2**31 - 1, (n, 2), generator=g, dtype=torch.int32),
        "i64": torch.randint(-2**62, 2**62, (n,), generator=g, dtype=torch.int64),
        "u8": torch.randint(0, 256, (n, 3), generator=g, dtype=torch.uint8),
        "u16": torch.randint(0, 2**16, (n, 2), generator=g, dtype=torch.int64).to(torch.uint16),
        "u32": torch.randint(0, 2**32, (n,), generator=g, dtype=torch.int64).to(torch.uint32),
        # uint64 values at and above 2^63 (read as negative longs with the same bits).
        "u64": torch.randint(-2**63, 2**63 - 1, (n, 2), generator=g, dtype=torch.int64).view(torch.uint64),
        "b": torch.randint(0, 2, (n, 3), generator=g).bool(),
        "c64": torch.randn(n, 2, generator=g, dtype=torch.complex64),
        "c128": torch.randn(n, generator=g, dtype=torch.complex128),
        "c32": torch.randn(n, 3, generator=g, dtype=torch.complex64).to(torch.complex32),
    }
    t["f8e8m0"].view(torch.uint8)[::5, 1] = 0xFF
    p = out / "spark" / "dtypes" / "all.pt"
    _save(t, p)
    _rows(rec, p, t)


def _quantized(out, rec):
    n = 9
    g = torch.Generator().manual_seed(12)
    x = torch.randn(n, 3, generator=g)
    t = {
        "q8": torch.quantize_per_tensor(x, 0.05, 3, torch.qint8),
        "qu8": torch.quantize_per_tensor(x, 0.05, 128, torch.quint8),
        "q32": torch.quantize_per_tensor(x, 0.001, 0, torch.qint32),
    }
    p = out / "spark" / "quantized" / "q.pt"
    _save(t, p)
    _rows(rec, p, t)


def _nested_and_root(out, rec):
    n = 6
    g = torch.Generator().manual_seed(13)
    b, c, l0 = torch.randn(n, 2, generator=g), torch.arange(n, dtype=torch.int32), torch.randn(n, 3, generator=g)
    p = out / "spark" / "nested" / "n.pt"
    _save({"a": {"b": b, "c": c}, "lst": [l0]}, p)
    _rows(rec, p, {"a.b": b, "a.c": c, "lst.0": l0})
    r = torch.randn(n, 4, generator=g)
    p = out / "spark" / "root" / "root.pt"
    _save(r, p)
    _rows(rec, p, {"tensor": r})


def _disagreeing(out, rec):
    g = torch.Generator().manual_seed(14)
    cases = {
        "disagree_keys": ({"x": torch.randn(4, 2, generator=g), "y": torch.arange(4)},
                          {"x": torch.randn(3, 2, generator=g), "z": torch.arange(3)}),
        "disagree_dtype": ({"x": torch.randn(4, 2, generator=g)},
                           {"x": torch.randn(3, 2, generator=g, dtype=torch.float64)}),
        "disagree_shape": ({"x": torch.randn(4, 2, generator=g)},
                           {"x": torch.randn(3, 5, generator=g)}),
    }
    for folder, (a, b) in cases.items():
        for name, t in (("a.pt", a), ("b.pt", b)):
            p = out / "spark" / folder / name
            _save(t, p)
            _rows(rec, p, t)
    t = {"a": torch.randn(10, 2, generator=g), "b": torch.arange(7)}
    p = out / "spark" / "leading" / "mixed.pt"
    _save(t, p)
    rec.tensors(p, t, "torch-zip")


def _cuda(out, rec):
    # Tag every storage as saved from cuda:0, as torch.save does on a GPU machine
    # (torch/serialization.py: location_tag asks the registered taggers in priority order).
    def tagger(obj):
        return "cuda:0"

    def deserializer(obj, location):
        return obj if location.startswith("cuda") else None

    torch.serialization.register_package(1, tagger, deserializer)
    try:
        for i, n in enumerate([8, 3]):
            g = torch.Generator().manual_seed(200 + i)
            t = {"features": torch.randn(n, 3, 8, 8, generator=g),
                 "labels": torch.randint(0, 10, (n,), generator=g, dtype=torch.int64)}
            p = out / "spark" / "cuda" / f"part-{i}.pt"
            _save(t, p)
            _rows(rec, p, t, device={k: "cuda:0" for k in t})
    finally:
        torch.serialization._package_registry[:] = [
            e for e in torch.serialization._package_registry if e[1] is not tagger]


def _corrupt(out, rec):
    g = torch.Generator().manual_seed(15)
    t = {"x": torch.randn(5, 2, generator=g), "y": torch.arange(5)}
    p = out / "spark" / "corrupt" / "good.pt"
    _save(t, p)
    _rows(rec, p, t)
    bad = out / "spark" / "corrupt" / "bad.pt"
    bad.write_bytes(b"this is not a tensor file, only text that looks nothing like one\n" * 8)
    rec.refused(bad, "NOT_A_TENSOR_FILE")


def _safetensors(out, rec):
    for i, n in enumerate([7, 12]):
        g = torch.Generator().manual_seed(300 + i)
        t = {"features": torch.randn(n, 3, 8, 8, generator=g),
             "labels": torch.randint(0, 10, (n,), generator=g, dtype=torch.int64)}
        p = out / "spark" / "safetensors" / f"part-{i}.safetensors"
        p.parent.mkdir(parents=True, exist_ok=True)
        save_file(t, str(p))
        _rows(rec, p, t, fmt="safetensors")
    g = torch.Generator().manual_seed(310)
    t = {"x": torch.randn(16384, 64, generator=g), "idx": torch.arange(16384, dtype=torch.int64)}
    p = out / "spark" / "safetensors_big" / "big.safetensors"
    p.parent.mkdir(parents=True, exist_ok=True)
    save_file(t, str(p))
    _rows(rec, p, t, fmt="safetensors")


def _checkpoint(out, rec):
    g = torch.Generator().manual_seed(16)
    w = torch.nn.Parameter(torch.randn(4, 3, generator=g))
    b = torch.randn(4, generator=g)
    step = torch.tensor(7)
    h = torch.randn(2, 2, generator=g).to(torch.bfloat16)
    obj = {"model": {"w": w, "b": b}, "step": step, "hist": [h], "epoch": 9}
    p = out / "spark" / "checkpoint" / "ckpt.pt"
    _save(obj, p)
    rec.tensors(p, {"model.w": w, "model.b": b, "step": step, "hist.0": h}, "torch-zip", metadata={"epoch": 9})


def _listing(out, rec):
    base = out / "spark" / "listing"
    for rel, n in (("a.pt", 2), ("b.pt", 3), ("sub/c.pt", 4)):
        t = {"v": torch.arange(n, dtype=torch.int64) + 10 * n}
        p = base / rel
        _save(t, p)
        _rows(rec, p, t)
    # Hidden and foreign files: read, they would fail the query.
    (base / "_SUCCESS").write_bytes(b"")
    (base / ".tmp.pt").write_bytes(b"partial")
    (base / "notes.txt").write_bytes(b"not a tensor")


def _partitioned(out, rec):
    # Directory names as Spark writes them: '=' and ':' escaped (%3D, %3A), null as the Hive default.
    base = out / "spark" / "partitioned"
    g = torch.Generator().manual_seed(21)
    leaves = [
        ("split=train/day=2024-01-01", {"split": "train", "day": "2024-01-01"}, [5, 7]),
        ("split=train/day=2024-01-02", {"split": "train", "day": "2024-01-02"}, [3]),
        ("split=test/day=2024-01-01", {"split": "test", "day": "2024-01-01"}, [4]),
        ("split=a%3Db c/day=__HIVE_DEFAULT_PARTITION__", {"split": "a=b c", "day": None}, [2]),
    ]
    for rel, values, sizes in leaves:
        for k, n in enumerate(sizes):
            t = {"features": torch.randn(n, 4, generator=g),
                 "labels": torch.randint(-5, 1000, (n,), generator=g, dtype=torch.int64)}
            p = base / rel / f"shard-{k}.pt"
            _save(t, p)
            sha = {key: hashlib.sha256(spark_bytes(v)).hexdigest() for key, v in t.items()}
            rec.tensors(p, t, "torch-zip", layout_rows=True, nrows=n, spark_sha256=sha, partition=values)
    (base / "_SUCCESS").write_bytes(b"")

    types = out / "spark" / "partitioned_types"
    for i, rel in enumerate(["i=1/l=3000000000/d=1.5/dec=12345678901234567890/ts=2024-01-01 10%3A00%3A00/s=x1",
                             "i=2/l=5/d=2/dec=7/ts=2024-01-02/s=007"]):
        t = {"v": torch.arange(3, dtype=torch.int64) + 10 * i}
        p = types / rel / "f.pt"
        _save(t, p)
        _rows(rec, p, t)

    for rel in ["partitioned_conflict/a=1/f.pt", "partitioned_conflict/b=2/f.pt",
                "partitioned_mixed/f.pt", "partitioned_mixed/a=1/f.pt"]:
        t = {"v": torch.arange(2, dtype=torch.int64)}
        p = out / "spark" / rel
        _save(t, p)
        _rows(rec, p, t)


def _edges(out, rec):
    # Zero rows, zero-sized rows, and views: a transposed tensor and a slice of a bigger storage.
    p = out / "spark" / "empty_rows" / "e.pt"
    t = {"x": torch.zeros(0, 3), "y": torch.zeros(0, dtype=torch.int64)}
    _save(t, p)
    _rows(rec, p, t)
    p = out / "spark" / "zero_width" / "z.pt"
    t = {"x": torch.zeros(4, 0), "y": torch.arange(4)}
    _save(t, p)
    _rows(rec, p, t)
    g = torch.Generator().manual_seed(17)
    base = torch.randn(8, 13, generator=g)
    big = torch.randn(40, 6, generator=g)
    t = {"transposed": base.t(), "sliced": big[20:33, 1:5]}
    p = out / "spark" / "views" / "v.pt"
    _save(t, p)
    _rows(rec, p, t)


def _conj_neg(out, rec):
    # Columns whose storages hold the values before a lazy conj or neg: the rows and tensors layouts
    # return the resolved values (spark_bytes resolves them the way torch does).
    n = 37
    g = torch.Generator().manual_seed(18)
    z = torch.randn(n, 3, generator=g, dtype=torch.complex64)
    z[0, 0] = complex(0.0, -0.0)
    zt = torch.randn(2, n, generator=g, dtype=torch.complex64)
    f = torch.randn(n, 4, generator=g)
    f[0] = torch.tensor([0.0, -0.0, float("inf"), -1.5])
    t = {
        "c64_conj": z.conj(),
        "c64_conj_t": zt.conj().t(),
        "c128_conj_neg": torch._neg_view(torch.randn(n, generator=g, dtype=torch.complex128).conj()),
        "f32": f,
        "f32_neg": torch._neg_view(f),
        "f64_neg": torch._neg_view(torch.randn(n, generator=g, dtype=torch.float64)),
        "f16_neg": torch._neg_view((torch.randn(n, 2, generator=g) * 100).to(torch.float16)),
        "bf16_neg": torch._neg_view((torch.randn(n, 5, generator=g) * 1e5).to(torch.bfloat16)),
        "i32_neg": torch._neg_view(torch.randint(-2**31, 2**31 - 1, (n, 2), generator=g, dtype=torch.int32)),
        "i64_neg": torch._neg_view(torch.arange(n, dtype=torch.int64) - 2**63),
        "u8_neg": torch._neg_view(torch.randint(0, 256, (n, 3), generator=g, dtype=torch.uint8)),
    }
    p = out / "spark" / "conj_neg" / "cn.pt"
    _save(t, p)
    _rows(rec, p, t)


def _mixed(out, rec):
    # A plain column (its storage bytes are its values) next to columns the reader widens.
    for i, n in enumerate([300, 517, 1001]):
        g = torch.Generator().manual_seed(400 + i)
        t = {"features": torch.randn(n, 16, generator=g),
             "label": torch.randint(0, 256, (n,), generator=g, dtype=torch.uint8),
             "mask": torch.rand(n, 3, generator=g) > 0.5}
        p = out / "spark" / "mixed" / f"part-{i}.pt"
        _save(t, p)
        _rows(rec, p, t)
    for i, n in enumerate([40, 91]):
        g = torch.Generator().manual_seed(500 + i)
        t = {"z64": torch.randn(n, 3, generator=g, dtype=torch.complex64),
             "z128": torch.randn(n, generator=g, dtype=torch.complex128),
             "idx": torch.arange(n, dtype=torch.int64) + 1000 * i}
        p = out / "spark" / "complex" / f"part-{i}.pt"
        _save(t, p)
        _rows(rec, p, t)


def generate(out: pathlib.Path, rec):
    _shards(out, rec)
    _big(out, rec)
    _dtypes(out, rec)
    _quantized(out, rec)
    _nested_and_root(out, rec)
    _disagreeing(out, rec)
    _cuda(out, rec)
    _corrupt(out, rec)
    _safetensors(out, rec)
    _checkpoint(out, rec)
    _listing(out, rec)
    _partitioned(out, rec)
    _edges(out, rec)
    _conj_neg(out, rec)
    _mixed(out, rec)
