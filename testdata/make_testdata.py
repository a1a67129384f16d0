#!/usr/bin/env python3
"""Writes the project's own test files with real PyTorch, and what torch says they hold.

    python testdata/make_testdata.py build/testdata

Every ``cases_*.py`` module beside this script contributes files: it has a function
``generate(out: pathlib.Path, rec: Recorder)`` that saves files under ``out`` and calls
``rec.tensors(path, {key: tensor, ...}, ...)`` (or ``rec.refused(path, reason)``) for each of them.
The recorder writes ``out/expected.jsonl``: one JSON object per file with, per tensor, the key, torch
dtype name, shape, device, requires_grad, its lazy conj/neg bits, byte count and the SHA-256 of its
C-order little-endian bytes (of its values, conj/neg resolved), computed by torch at generation time.
JVM and Python tests compare the reader against it.

The output is deterministic (fixed seeds) and rewritten only when this folder's sources change.
"""
import hashlib
import importlib
import json
import pathlib
import sys

import torch

import tdutil

HERE = pathlib.Path(__file__).resolve().parent


def tensor_bytes(t: torch.Tensor) -> bytes:
    """C-order little-endian bytes of a dense tensor; bfloat16/float8 as their raw bits."""
    t = tdutil.resolved(t.detach().cpu()).contiguous()   # conj/neg views read as their values
    if t.is_complex():
        t = torch.view_as_real(t).contiguous()
    if t.is_quantized:
        t = t.int_repr().contiguous()
    flat = t.reshape(-1)
    if flat.numel() == 0:
        return b""
    return flat.view(torch.uint8).numpy().tobytes() if flat.element_size() > 0 else b""


def first_values(t: torch.Tensor, n: int = 6):
    t = t.detach().cpu()
    if t.is_quantized:
        t = t.int_repr()
    else:
        t = tdutil.resolved(t)   # conj/neg views: their values, not the storage's
    flat = t.reshape(-1)[:n]
    if t.is_complex():
        return [[float(v.real), float(v.imag)] for v in flat.tolist()]
    if t.dtype.is_floating_point:
        return [float(v) for v in flat.to(torch.float64).tolist()]
    if t.dtype == torch.bool:
        return [bool(v) for v in flat.tolist()]
    if t.dtype == torch.uint64:
        return [int(v) & 0xFFFFFFFFFFFFFFFF for v in flat.to(torch.int64).tolist()]
    return [int(v) for v in flat.to(torch.int64).tolist()]


def dtype_name(d: torch.dtype) -> str:
    return str(d).removeprefix("torch.")


class Recorder:
    def __init__(self, out: pathlib.Path):
        self.out = out
        self.rows = []

    def tensors(self, path: pathlib.Path, tensors: dict, fmt: str, device: dict = None,
                metadata: dict = None, layout_rows: bool = False, **extra):
        """Records what a readable file holds. ``tensors`` maps reader key -> torch tensor (as saved)."""
        device = device or {}
        entries = []
        for key, t in tensors.items():
            data = tensor_bytes(t)
            entries.append({
                "key": key,
                "dtype": dtype_name(t.dtype),
                "shape": list(t.shape),
                "device": device.get(key, "cpu"),
                "requires_grad": bool(t.requires_grad),
                "conj": bool(t.is_conj()),      # lazy bits as saved; sha256/first are the resolved values
                "neg": bool(t.is_neg()),
                "nbytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "first": first_values(t),
            })
        row = {"file": str(path.relative_to(self.out)), "format": fmt, "tensors": entries,
               "metadata": metadata or {}, "error": None, "rows": layout_rows}
        row.update(extra)
        self.rows.append(row)

    def refused(self, path: pathlib.Path, reason: str, **extra):
        """Records a file the reader must refuse, with the TensorFormatException reason name."""
        row = {"file": str(path.relative_to(self.out)), "format": None, "tensors": [],
               "metadata": {}, "error": {"reason": reason}}
        row.update(extra)
        self.rows.append(row)

    def write(self):
        files = [r["file"] for r in self.rows]
        dupes = sorted({f for f in files if files.count(f) > 1})
        if dupes:
            raise SystemExit(f"files recorded twice: {dupes}")
        unrecorded = sorted(str(p.relative_to(self.out)) for p in self.out.rglob("*")
                            if p.is_file() and not p.name.startswith(".") and p.name != "expected.jsonl"
                            and str(p.relative_to(self.out)) not in set(files))
        if unrecorded:
            print(f"note: {len(unrecorded)} files without a record (helpers or stale): {unrecorded[:5]}")
        with open(self.out / "expected.jsonl", "w") as f:
            for row in sorted(self.rows, key=lambda r: r["file"]):
                f.write(json.dumps(row, sort_keys=True) + "\n")


def sources_digest() -> str:
    h = hashlib.sha256(torch.__version__.encode())
    for p in sorted(HERE.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def main(argv):
    out = pathlib.Path(argv[1] if len(argv) > 1 else "build/testdata").resolve()
    stamp = out / ".sources-digest"
    digest = sources_digest()
    if stamp.exists() and stamp.read_text() == digest and "--force" not in argv:
        print(f"test files in {out} are up to date")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    rec = Recorder(out)
    for mod_path in sorted(HERE.glob("cases_*.py")):
        mod = importlib.import_module(mod_path.stem)
        torch.manual_seed(0)
        mod.generate(out, rec)
    rec.write()
    stamp.write_text(digest)
    print(f"wrote {len(rec.rows)} test files to {out} with torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
