#!/usr/bin/env python3
"""Writes the scan benchmark's shards with real PyTorch, once.

    make_shards.py CACHE_DIR [FILES=8] [MIB_PER_FILE=128]

Each shard is ``torch.save({'x': float32 [N, 256]})`` (the default zip format) with N chosen so a
file's tensor holds MIB_PER_FILE MiB: 8 x 128 MiB = 1 GiB of float32 in the ``rows`` layout (one
row of 256 floats per leading index). Files already present with the right size are kept, so the
benchmark reuses them between runs; the folder lives outside the repository.

Beside them, ``sums.json`` records what torch computes for each file: its row count and the float64
sum of all its values, which the benchmark checks the scan's result against.
"""
import json
import pathlib
import sys

import torch

COLS = 256


def main(argv):
    out = pathlib.Path(argv[1])
    files = int(argv[2]) if len(argv) > 2 else 8
    mib = int(argv[3]) if len(argv) > 3 else 128
    rows = mib * (1 << 20) // (COLS * 4)
    out.mkdir(parents=True, exist_ok=True)
    sums_path = out / "sums.json"
    sums = json.loads(sums_path.read_text()) if sums_path.exists() else {}
    for i in range(files):
        path = out / f"part-{i:05d}.pt"
        if path.exists() and path.stat().st_size > rows * COLS * 4 and path.name in sums:
            continue
        gen = torch.Generator().manual_seed(i)
        x = torch.randn(rows, COLS, generator=gen, dtype=torch.float32)
        tmp = path.with_suffix(".tmp")
        torch.save({"x": x}, tmp)
        tmp.replace(path)
        sums[path.name] = {"rows": rows, "values": rows * COLS, "sum": float(x.double().sum())}
        sums_path.write_text(json.dumps(sums, indent=1, sort_keys=True))
        print(f"wrote {path} ({rows} x {COLS} float32)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
