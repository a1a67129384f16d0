#!/usr/bin/env python3
"""Writes the format-reader benchmark's input with real PyTorch, once.

    python make_shards.py DIR [SHARDS] [MB_PER_SHARD] [VIEW]

DIR/shard-<i>.pt holds {'x': float32 tensor [N, 256]} with N * 1 KiB = MB_PER_SHARD MiB
(defaults: 8 shards of 128 MiB, 1 GiB in all). Existing complete shards are kept.
VIEW ``neg`` saves ``torch._neg_view(x)`` instead, ``conj`` a complex64 ``[N / 2, 256]`` tensor's
``.conj()`` (same bytes): lazy views the reader resolves on every read.
"""
import pathlib
import sys

import torch


def main(argv):
    out = pathlib.Path(argv[1])
    shards = int(argv[2]) if len(argv) > 2 else 8
    mb = int(argv[3]) if len(argv) > 3 else 128
    view = argv[4] if len(argv) > 4 else "plain"
    if view not in ("plain", "neg", "conj"):
        raise SystemExit(f"VIEW must be plain, neg or conj, got {view}")
    rows = mb * 1024 * 1024 // (256 * 4)
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    for i in range(shards):
        p = out / f"shard-{i}.pt"
        done = out / f"shard-{i}.pt.done"
        stamp = f"{rows}x256" + ("" if view == "plain" else f" {view}")
        if p.exists() and done.exists() and done.read_text() == stamp:
            continue
        if view == "conj":
            x = torch.randn(rows // 2, 256, generator=g, dtype=torch.complex64).conj()
        else:
            x = torch.randn(rows, 256, generator=g)
            x = torch._neg_view(x) if view == "neg" else x
        torch.save({"x": x}, p)
        done.write_text(stamp)
        print(f"wrote {p} ({stamp})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
