#!/usr/bin/env python3
"""Writes the files the format-floor read benchmark measures, with real PyTorch.

    python bench/format/make_files.py build/bench/format

Each file holds one 128 MiB float32 matrix (or many small tensors), in the layouts whose read paths
differ: contiguous zip storage (one positioned read per request), a transposed view (strided gather
of a storage larger than the 64 MiB span cap), the legacy stream, safetensors, and an index-heavy
state dict of 20,000 small tensors.
"""
import pathlib
import sys

import torch
from safetensors.torch import save_file


def main(out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8192, 4096, generator=g)
    torch.save({"x": x}, out / "zip_contiguous.pt")
    torch.save({"xt": x.t()}, out / "zip_transposed.pt")
    torch.save({"x": x}, out / "legacy_contiguous.pt", _use_new_zipfile_serialization=False)
    save_file({"x": x}, str(out / "contiguous.safetensors"))
    small = {f"layer{i // 4}.p{i % 4}": torch.randn(64, generator=g) for i in range(20_000)}
    torch.save(small, out / "zip_20k_small.pt")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
