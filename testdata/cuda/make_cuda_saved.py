#!/usr/bin/env python3
"""Writes tensor files saved from a real CUDA device, for the CPU-only read tests.

Needs a machine with a GPU and torch built with CUDA; the files it writes are kept in
connector/src/test/resources/cuda-saved/ so the tests run anywhere:

    python testdata/cuda/make_cuda_saved.py OUT_DIR

Each file is reloaded with map_location='cpu' and its tensors' C-order little-endian bytes hashed by
torch; the hashes go to OUT_DIR/expected.jsonl in the same shape as testdata/make_testdata.py writes.
"""
import hashlib
import json
import pathlib
import sys

import torch


def raw(t):
    # conj/neg views as their values (what the reader returns), then C-order bytes
    t = t.detach().cpu().resolve_conj().resolve_neg().contiguous().reshape(-1)
    return t.view(torch.uint8).numpy().tobytes() if t.numel() else b""


def views_and_dtypes(dev, g):
    """complex32, float8_e8m0fnu and lazy conj/neg views, made on the device."""
    z = torch.randn(6, 4, device=dev, generator=g, dtype=torch.complex64)
    w = torch.randn(5, 3, device=dev, generator=g, dtype=torch.complex64)  # torch saves one type per storage
    return {
        "c32": z.to(torch.complex32),
        "e8m0": torch.arange(256, device=dev, dtype=torch.int32).to(torch.uint8).view(torch.float8_e8m0fnu)
                .reshape(16, 16),
        "conj": z.conj(),
        "neg": w.conj().imag,
        "c32_conj": z.to(torch.complex32).conj(),
    }


def main(out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    assert torch.cuda.is_available(), "needs a CUDA device"
    dev = torch.device("cuda:0")
    g = torch.Generator(device=dev).manual_seed(7)
    torch.manual_seed(7)  # nn.Linear's initialisation draws from the global generator
    lin = torch.nn.Linear(8, 4).to(dev)
    cases = {
        "cuda_dict.pt": ({
            "features": torch.randn(16, 3, 4, 4, device=dev, generator=g),
            "labels": torch.arange(16, device=dev, dtype=torch.int64),
            "half": torch.randn(16, 5, device=dev, generator=g).half(),
            "bf16": torch.randn(16, 5, device=dev, generator=g).bfloat16(),
            "fp8": torch.randn(16, 2, device=dev, generator=g).to(torch.float8_e4m3fn),
            "u16": torch.arange(32, device=dev, dtype=torch.int32).reshape(16, 2).to(torch.uint16),
            "transposed": torch.randn(4, 16, device=dev, generator=g).t(),
        }, {}),
        "cuda_state_dict.pt": (lin.state_dict(keep_vars=True), {}),
        "cuda_legacy.pt": ({"w": torch.randn(6, 3, device=dev, generator=g, requires_grad=True)},
                           {"_use_new_zipfile_serialization": False}),
        "cuda_tensor.pt": (torch.randn(5, 7, device=dev, generator=g), {}),
        "cuda_views_dtypes.pt": (views_and_dtypes(dev, g), {}),
    }
    rows = []
    for name, (obj, kw) in cases.items():
        path = out / name
        torch.save(obj, path, **kw)
        back = torch.load(path, map_location="cpu", weights_only=True)
        items = back.items() if isinstance(back, dict) else [("tensor", back)]
        tensors = []
        for key, t in items:
            src = obj[key] if isinstance(obj, dict) else obj
            data = raw(t)
            tensors.append({"key": key, "dtype": str(t.dtype).removeprefix("torch."),
                            "shape": list(t.shape), "device": str(src.device),
                            "requires_grad": bool(src.requires_grad), "nbytes": len(data),
                            "sha256": hashlib.sha256(data).hexdigest()})
        rows.append({"file": name, "tensors": tensors,
                     "torch": torch.__version__, "gpu": torch.cuda.get_device_name(0)})
    with open(out / "expected.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    print(f"wrote {len(rows)} files with torch {torch.__version__} on {torch.cuda.get_device_name(0)}")


if __name__ == "__main__":
    main(sys.argv[1])
