"""safetensors files written by the ``safetensors`` package, loaded back with it for the check.

Keys are the header names as written (dots included); ``__metadata__`` entries are string
metadata leaves. Tensor order in TensorFile is the header order, which the test does not rely on.
"""
import json

import torch
from safetensors.torch import load_file, save_file

import tdutil
from cases_format import dtype_values


def _save(rec, path, tensors, metadata=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=metadata)
    back = load_file(str(path))
    tdutil.check_same(path, tensors, {k: back[k] for k in tensors})
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    if (header.get("__metadata__") or {}) != (metadata or {}):
        raise AssertionError(f"{path}: __metadata__ {header.get('__metadata__')}")
    rec.tensors(path, tensors, tdutil.SAFETENSORS, metadata=metadata or {})


def generate(out, rec):
    d = out / "format" / "safetensors"
    vals = dtype_values()
    # Every dtype safetensors has a name for (complex32, complex128 and the quantized types have none;
    # float8_e8m0fnu is "F8_E8M0").
    for name, t in vals.items():
        if name in ("complex32", "complex128"):
            continue
        _save(rec, d / f"{name}.safetensors", {"x": t, "x.flat": t.reshape(-1)[:7].clone()})
    _save(rec, d / "mixed_with_metadata.safetensors",
          {"encoder.0.weight": vals["float32"], "encoder.0.bias": vals["bfloat16"][0].clone(),
           "scale": torch.tensor(0.5, dtype=torch.float64), "empty": torch.empty(0, 4, dtype=torch.float16),
           "empty_2x0": torch.empty(2, 0, dtype=torch.int32), "ids": vals["uint64"],
           "mask": vals["bool"], "f8": vals["float8_e4m3fn"]},
          metadata={"format": "pt", "epoch": "7", "note": "ünïcode ✓"})
    _save(rec, d / "only_scalar.safetensors", {"s": torch.tensor(-3, dtype=torch.int64)})
    _save(rec, d / "no_tensors.safetensors", {}, metadata={"empty": "yes"})
    big = torch.randn(1024, 64, generator=torch.Generator().manual_seed(11))
    _save(rec, d / "rows_1024x64.safetensors", {"features": big, "labels": torch.arange(1024)})
