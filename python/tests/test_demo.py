"""The demo job (what bin/demo runs) end to end on a small set of shards."""
import subprocess
import sys

from conftest import JAR, ROOT, require_jar


def test_demo_etl_job_prints_a_summary_and_writes_a_plot(tmp_path):
    require_jar()
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python" / "demo_etl.py"), "--jar", str(JAR),
         "--out", str(tmp_path), "--shards", "3", "--rows", "400", "--dim", "16"],
        capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "embedding  float32  (" in out.stdout and "score      float16" in out.stdout
    assert "per-label aggregates" in out.stdout
    png = tmp_path / "embedding_norms.png"
    assert png.is_file() and png.stat().st_size > 10_000
