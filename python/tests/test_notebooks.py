"""The notebooks run top to bottom without an error, on a kernel of this interpreter.

The kernel is declared in a temporary Jupyter data folder (JUPYTER_PATH) for this run only: no
global Jupyter configuration is read or written.
"""
import json
import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, require_jar

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "torchtensor-python"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory, monkeypatch_module):
    jar = require_jar()
    data = tmp_path_factory.mktemp("jupyter")
    spec = data / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "torchtensor (project venv)", "language": "python",
    }))
    monkeypatch_module.setenv("JUPYTER_PATH", str(data))
    monkeypatch_module.setenv("TORCHTENSOR_JAR", str(jar))
    monkeypatch_module.setenv("PYTHONPATH", str(ROOT / "python"))
    monkeypatch_module.setenv("MPLBACKEND", "Agg")
    return data


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01_tensor_to_numpy.ipynb", "02_stock_prices.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(kernel_env, path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=900, allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    finally:  # the executed copy, outputs included, for reading what ran
        out = ROOT / "build" / "notebooks"
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / path.name)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    if path.name.startswith("02"):
        png = ROOT / "build" / "notebooks" / "02_daily_returns.png"
        assert png.is_file() and png.stat().st_size > 10_000
