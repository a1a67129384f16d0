"""The shared fixture files that torch itself loads: every tensor through the tensors layout equals
torch.load(f, weights_only=True, map_location='cpu')."""
import pathlib

import pytest
import torch

from conftest import SHARED
from helpers import assert_same

import torchtensor

FIXTURES = SHARED / "fixtures"


def _walk(obj, prefix, out):
    """Reader keys: dict keys and list/tuple indices joined by dots; a root tensor is ``tensor``."""
    if isinstance(obj, torch.Tensor):
        if obj.layout == torch.strided:
            out[prefix or "tensor"] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _walk(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(obj, (list, tuple)) and not isinstance(obj, torch.Size):
        for i, v in enumerate(obj):
            _walk(v, f"{prefix}.{i}" if prefix else str(i), out)
    return out


def _loadable():
    files = []
    for f in sorted(FIXTURES.rglob("*")):
        if not f.is_file() or "negative" in f.parts or f.suffix in (".tsv", ".jsonl", ".md", ".txt", ".py"):
            continue
        try:
            if f.suffix == ".safetensors":
                from safetensors.torch import load_file
                obj = load_file(str(f))
            else:
                obj = torch.load(f, weights_only=True, map_location="cpu")
        except Exception:  # noqa: BLE001 - only what torch itself reads is compared here
            continue
        tensors = _walk(obj, "", {})
        if tensors and not any(t.is_quantized for t in tensors.values()):
            files.append(pytest.param(f, id=str(f.relative_to(FIXTURES))))
    return files


def test_fixtures_are_there():
    assert FIXTURES.is_dir(), f"the shared fixtures are expected at {FIXTURES}"
    assert len(_loadable()) >= 20


@pytest.mark.parametrize("path", _loadable())
def test_fixture_tensors_equal_torch_load(spark, path: pathlib.Path):
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        want = load_file(str(path))
    else:
        want = _walk(torch.load(path, weights_only=True, map_location="cpu"), "", {})
    df = torchtensor.read(spark, path, layout="tensors")
    got = {r.key: r for r in torchtensor.iter_tensors(df)}
    for key, t in want.items():
        assert key in got, f"{path.name}: key {key} not read (got {sorted(got)})"
        assert_same(got[key].array, t, f"{path.name}:{key}")
        assert got[key].requires_grad == t.requires_grad, f"{path.name}:{key} requires_grad"
