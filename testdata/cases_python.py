"""Files for the Python helper's tests (python/tests), under ``python/``.

* ``python/rows/<dtype>.pt``: ``{"x": [N, 4, 16] tensor, "i": [N] int64}`` for every dtype torch can
  save, holding its edge values (every bit pattern for the 8- and 16-bit floats and for both float16
  halves of complex32: NaN payloads, subnormals, both zeros); ``rows`` layout gives the columns x
  (array) and i (scalar).
* ``python/root/<dtype>.pt``: a root 1-D tensor (the scalar column ``tensor``).
* ``python/shards/part-0000{0..3}.pt``: ``{"features": [N, 3, 8, 8] float32, "labels": [N] int64}``
  with different N per shard.
* ``python/images.pt``: a 4x28x28 uint8 image batch; ``python/cuda_saved.pt``: tensors whose
  storages say ``cuda:0`` (saved on a CPU-only machine through a registered location tagger, the
  way ``torch.serialization.location_tag`` labels GPU storages); ``python/grad.pt``: a
  requires_grad tensor and an nn.Parameter; ``python/state_dict.pt``: an nn.Sequential state_dict;
  ``python/mixed.safetensors``: a safetensors file of several dtypes.
* ``python/conj_neg/plain.pt``: ``{"x": neg view float32 [N, 4, 16], "i": neg view int64 [N]}``,
  columns the fast hand-off would copy file to file were they not neg views;
  ``python/conj_neg/mixed.pt``: conj / neg views of complex, 16-bit float and integer dtypes, some
  strided.
"""
import contextlib

import torch
import torch.serialization as ts

ZIP = "torch-zip"
SAFETENSORS = "safetensors"

DTYPES = ["float64", "float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2",
          "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu", "int8", "int16", "int32", "int64",
          "uint8", "uint16", "uint32", "uint64", "bool", "complex32", "complex64", "complex128"]
ROWS = 1024  # N of python/rows/*: 1024 x 4 x 16 = 65536 values, every 16-bit pattern


def values(name: str, count: int = ROWS * 64) -> torch.Tensor:
    """``count`` values of torch dtype ``name`` covering its edge cases."""
    g = torch.Generator().manual_seed(7)
    dt = getattr(torch, name)
    if dt.itemsize == 2 and dt.is_floating_point:  # every bit pattern
        return torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(dt)[:count]
    if dt.itemsize == 1 and dt.is_floating_point:  # every bit pattern, repeated
        bits = torch.arange(0, 256, dtype=torch.int32).to(torch.uint8).repeat(count // 256 + 1)
        return bits[:count].view(dt)
    if dt == torch.complex32:  # every float16 pattern as re, and backwards as im
        halves = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(torch.float16)
        return torch.view_as_complex(torch.stack([halves, halves.flip(0)], -1))[:count]
    if dt.is_complex:
        re = torch.randn(count, generator=g, dtype=torch.float64)
        im = torch.randn(count, generator=g, dtype=torch.float64)
        re[:4] = torch.tensor([0.0, float("nan"), float("inf"), -0.0])
        return torch.complex(re, im).to(dt)
    if dt.is_floating_point:
        v = torch.randn(count, generator=g, dtype=torch.float64).to(dt)
        fi = torch.finfo(dt)
        v[:8] = torch.tensor([0.0, -0.0, float("nan"), float("inf"), float("-inf"), fi.max, fi.min, fi.tiny],
                             dtype=torch.float64).to(dt)
        return v
    if dt == torch.bool:
        return torch.rand(count, generator=g) > 0.5
    info = torch.iinfo(dt)
    if dt == torch.uint64:  # randint cannot draw uint64; build its bits from int64
        bits = torch.randint(-2**63, 2**63 - 1, (count,), generator=g, dtype=torch.int64)
        bits[:3] = torch.tensor([0, -1, -2**63])  # 0, 2^64-1, 2^63
        return bits.view(torch.uint64)
    v = torch.randint(max(info.min, -2**62), min(info.max, 2**62), (count,), generator=g,
                      dtype=torch.int64)
    v[:2] = torch.tensor([info.min, info.max if info.max < 2**63 else 2**63 - 1])
    return v.to(dt)


@contextlib.contextmanager
def saved_on(location: str):
    """Makes torch.save label every storage with ``location`` (e.g. ``cuda:0``), as a GPU save does.

    ``torch.serialization.location_tag`` asks the registered taggers in priority order; a tagger
    with priority 1 answers first. It is removed again afterwards.
    """
    def tagger(obj):
        return location

    def deserializer(obj, loc):
        return None

    ts.register_package(1, tagger, deserializer)
    entry = ts._package_registry[0]
    try:
        yield
    finally:
        ts._package_registry.remove(entry)


def _save(rec, out, rel, obj, tensors, fmt=ZIP, rows=True, device=None):
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(obj, path)
    rec.tensors(path, tensors, fmt, device=device, layout_rows=rows)


def _conj_neg(rec, out):
    # Lazy conj / neg views: the storage holds the values before the bit [torch/_utils.py
    # set_tensor_metadata]; the helper must hand out t.resolve_conj().resolve_neg().
    x = torch._neg_view(values("float32").reshape(ROWS, 4, 16))
    i = torch._neg_view(torch.arange(ROWS, dtype=torch.int64) - 2**63)
    _save(rec, out, "python/conj_neg/plain.pt", {"x": x, "i": i}, {"x": x, "i": i})
    n = 50
    zt = values("complex128", 3 * n).reshape(3, n)
    mixed = {
        "c64_conj": values("complex64", n * 4).reshape(n, 4).conj(),
        "c128_conj_t": zt.conj().t(),
        "c64_conj_neg": torch._neg_view(values("complex64", n).conj()),
        "f16_neg": torch._neg_view(values("float16", n * 8).reshape(n, 8)),
        "bf16_neg": torch._neg_view(values("bfloat16", n * 8).reshape(n, 2, 4)),
        "f64_neg_step": torch._neg_view(values("float64", 2 * n * 3).reshape(2 * n, 3))[::2],
        "i8_neg": torch._neg_view(values("int8", n)),
        "u8_neg": torch._neg_view(values("uint8", n * 2).reshape(n, 2)),
        "c32_conj": values("complex32", n * 6).reshape(n, 6).conj(),
        "c32_neg_t": torch._neg_view(values("complex32", n * 2).reshape(2, n)).t(),
    }
    _save(rec, out, "python/conj_neg/mixed.pt", mixed, mixed)


def generate(out, rec):
    for name in DTYPES:
        x = values(name).reshape(ROWS, 4, 16)
        i = torch.arange(ROWS, dtype=torch.int64)
        _save(rec, out, f"python/rows/{name}.pt", {"x": x, "i": i}, {"x": x, "i": i})
        root = values(name, 300)
        _save(rec, out, f"python/root/{name}.pt", root, {"tensor": root})

    g = torch.Generator().manual_seed(11)
    for s, n in enumerate([40, 25, 33, 2]):
        feats = torch.randn(n, 3, 8, 8, generator=g)
        labels = torch.arange(n, dtype=torch.int64) + 100 * s
        _save(rec, out, f"python/shards/part-{s:05d}.pt", {"features": feats, "labels": labels},
              {"features": feats, "labels": labels})

    images = torch.randint(0, 256, (4, 28, 28), generator=g, dtype=torch.uint8)
    _save(rec, out, "python/images.pt", images, {"tensor": images})

    w = torch.randn(6, 3, generator=g)
    b = torch.randn(6, generator=g)
    with saved_on("cuda:0"):
        _save(rec, out, "python/cuda_saved.pt", {"w": w, "b": b}, {"w": w, "b": b},
              device={"w": "cuda:0", "b": "cuda:0"})

    leaf = torch.randn(5, 3, generator=g).requires_grad_()
    param = torch.nn.Parameter(torch.randn(5, 2, generator=g))
    _save(rec, out, "python/grad.pt", {"leaf": leaf, "param": param}, {"leaf": leaf, "param": param})

    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    sd = model.state_dict()
    _save(rec, out, "python/state_dict.pt", sd, dict(sd), rows=False)

    _conj_neg(rec, out)

    from safetensors.torch import save_file

    st = {"f32": torch.randn(3, 4, generator=g), "bf16": values("bfloat16", 12).reshape(3, 4),
          "i64": torch.arange(3, dtype=torch.int64), "u8": torch.arange(3, dtype=torch.uint8)}
    path = out / "python/mixed.safetensors"
    save_file(st, str(path))
    rec.tensors(path, st, SAFETENSORS, layout_rows=True)
