#!/usr/bin/env python3
"""Records what torch computes for each benchmark shard, for the scan benchmark's check.

    torch_sums.py DIR GLOB

Writes DIR/scan-sums.json: {"<file>": {"rows": N, "sum": float64 sum of all values, "values": count,
"size": file bytes}} for every file matching GLOB, each loaded with torch.load (memory-mapped). A
file whose size is unchanged keeps its record, so the shards are read once.
"""
import json
import pathlib
import sys

import torch


def main(argv):
    out = pathlib.Path(argv[1])
    path = out / "scan-sums.json"
    sums = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for f in sorted(out.glob(argv[2])):
        size = f.stat().st_size
        if sums.get(f.name, {}).get("size") == size:
            continue
        x = torch.load(f, mmap=True, weights_only=True)["x"]
        sums[f.name] = {"rows": x.shape[0], "sum": float(x.double().sum()), "values": x.numel(), "size": size}
        changed = True
    if changed:
        path.write_text(json.dumps(sums, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
