"""Shared fixtures: one local[2] Spark session with the connector jar, and the project's test files.

Nothing is built here. The jar comes from TORCHTENSOR_JAR (default
connector/target/torchtensor-connector-0.1.0-SNAPSHOT.jar), the test files from TORCHTENSOR_TESTDATA
(default build/testdata); when either is missing the tests that need it fail and say how to make it.
"""
import json
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "testdata"))  # cases_python: the dtypes and values of the test files

JAR = pathlib.Path(os.environ.get(
    "TORCHTENSOR_JAR", ROOT / "connector/target/torchtensor-connector-0.1.0-SNAPSHOT.jar"))
TESTDATA = pathlib.Path(os.environ.get("TORCHTENSOR_TESTDATA", ROOT / "build/testdata"))
SHARED = ROOT.parent / "shared"


def require_jar() -> pathlib.Path:
    if not JAR.is_file():
        pytest.fail(f"connector jar {JAR} is missing: build it with "
                    "`mvn -B -q -pl connector package -DskipTests` (or set TORCHTENSOR_JAR)", pytrace=False)
    return JAR


def require_testdata() -> pathlib.Path:
    if not (TESTDATA / "expected.jsonl").is_file() or not (TESTDATA / "python").is_dir():
        pytest.fail(f"test files in {TESTDATA} are missing: make them with "
                    "`$(bin/python-env)/bin/python testdata/make_testdata.py build/testdata` "
                    "(or set TORCHTENSOR_TESTDATA)", pytrace=False)
    return TESTDATA


def spark_builder(jar=None):
    """A local[2] builder with the UI off; executors run this interpreter (it has pyarrow)."""
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ.setdefault("PYTHONPATH", str(ROOT / "python"))
    b = (SparkSession.builder.master("local[2]").appName("torchtensor-python-tests")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
         .config("spark.driver.memory", "2g")
         .config("spark.executorEnv.PYTHONPATH", str(ROOT / "python")))
    if jar is not None:
        b = b.config("spark.jars", str(jar))
    return b


@pytest.fixture(scope="session")
def spark():
    jar = require_jar()
    session = spark_builder(jar).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def testdata() -> pathlib.Path:
    return require_testdata()


@pytest.fixture(scope="session")
def expected(testdata):
    """file (relative to testdata) -> the generator's record of what torch saved there."""
    with open(testdata / "expected.jsonl") as f:
        return {r["file"]: r for r in map(json.loads, f)}
