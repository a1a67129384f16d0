#!/usr/bin/env python3
"""Writes the format-reader benchmark's input with real PyTorch, once.

    python make_shards.py DIR [SHARDS] [MB_PER_SHARD]

DIR/shard-<i>.pt holds {'x': float32 tensor [N, 256]} with N * 1 KiB = MB_PER_SHARD MiB
(defaults: 8 shards of 128 MiB, 1 GiB in all). Existing complete shards are kept.
"""
import pathlib
import sys

import torch


def main(argv):
    out = pathlib.Path(argv[1])
    shards = int(argv[2]) if len(argv) > 2 else 8
    mb = int(argv[3]) if len(argv) > 3 else 128
    rows = mb * 1024 * 1024 // (256 * 4)
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    for i in range(shards):
        p = out / f"shard-{i}.pt"
        done = out / f"shard-{i}.pt.done"
        if p.exists() and done.exists() and done.read_text() == f"{rows}x256":
            continue
        torch.save({"x": torch.randn(rows, 256, generator=g)}, p)
        done.write_text(f"{rows}x256")
        print(f"wrote {p} ({rows} x 256 float32)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
