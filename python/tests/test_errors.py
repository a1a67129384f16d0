"""What users see when something is wrong."""
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, SHARED

import torchtensor


def test_column_without_tensor_metadata(spark, testdata):
    df = torchtensor.read(spark, testdata / "python" / "shards").selectExpr("labels * 2 AS doubled")
    with pytest.raises(torchtensor.TorchTensorError, match="column 'doubled' .* has no torchtensor metadata"):
        torchtensor.to_numpy(df)
    assert torchtensor.to_numpy(df, infer=True)["doubled"].dtype.name == "int64"


def test_unknown_handoff(spark, testdata):
    df = torchtensor.read(spark, testdata / "python" / "images.pt")
    with pytest.raises(torchtensor.TorchTensorError, match="handoff must be one of"):
        torchtensor.to_numpy(df, handoff="socket")


def test_not_a_tensors_layout(spark, testdata):
    df = torchtensor.read(spark, testdata / "python" / "images.pt")
    with pytest.raises(torchtensor.TorchTensorError, match="option layout=tensors"):
        list(torchtensor.iter_tensors(df))


def test_refused_file_names_the_file(spark):
    bad = SHARED / "fixtures" / "negative" / "picklescan_bad_pytorch.pt"
    with pytest.raises(Exception, match="picklescan_bad_pytorch.pt"):
        torchtensor.to_numpy(torchtensor.read(spark, bad, layout="tensors"))


def test_session_without_the_jar_says_how_to_add_it(testdata):
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / 'python' / 'tests')!r})
        from conftest import spark_builder
        import torchtensor
        spark = spark_builder(None).getOrCreate()
        try:
            torchtensor.read(spark, {str(testdata / 'python' / 'images.pt')!r})
        except torchtensor.ConnectorNotFoundError as e:
            print("MESSAGE:", e)
        spark.stop()
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "MESSAGE:" in out.stdout, out.stdout + out.stderr
    msg = out.stdout.split("MESSAGE:", 1)[1]
    assert "--jars" in msg and "spark.jars" in msg and "mvn -B -q -pl connector package" in msg
