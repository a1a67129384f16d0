#!/usr/bin/env python3
"""Writes the Arrow-fill benchmark's input with real PyTorch, once.

    python make_input.py DIR

DIR/mixed.pt holds 65536 rows of 256 values in each of float32, float16, bfloat16, uint8 and
float64 (64 + 32 + 32 + 16 + 128 MiB). Kept when already complete.
"""
import pathlib
import sys

import torch


def main(argv):
    out = pathlib.Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    p, done = out / "mixed.pt", out / "mixed.pt.done"
    if p.exists() and done.exists():
        return 0
    g = torch.Generator().manual_seed(0)
    n = 65536
    x = torch.randn(n, 256, generator=g)
    torch.save({"f32": x, "f16": x.to(torch.float16), "bf16": x.to(torch.bfloat16),
                "u8": torch.randint(0, 256, (n, 256), generator=g, dtype=torch.uint8),
                "f64": x.to(torch.float64)}, p)
    done.write_text("ok")
    print(f"wrote {p}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
