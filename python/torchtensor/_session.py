"""Opening tensor files through the Spark session, with a clear error when the connector is missing."""
from pyspark.sql import DataFrame, SparkSession

from .errors import ConnectorNotFoundError

FORMAT = "torchtensor"
# The JVM side of the fast hand-off (connector jar, package io.torchtensor.python).
HANDOFF_CLASS = "io.torchtensor.python.ArrowHandoff"


def _is_missing_connector(exc: BaseException) -> bool:
    """Spark answers an unknown format with DATA_SOURCE_NOT_FOUND (SparkClassNotFoundException,
    ``DataSource.lookupDataSource``); a jar that vanished mid-session shows as ClassNotFoundException."""
    cond = None
    get_condition = getattr(exc, "getCondition", None) or getattr(exc, "getErrorClass", None)
    if get_condition is not None:
        try:
            cond = get_condition()
        except Exception:  # noqa: BLE001 - older or Connect exceptions
            cond = None
    text = str(exc)
    return (cond == "DATA_SOURCE_NOT_FOUND" or "DATA_SOURCE_NOT_FOUND" in text
            or ("ClassNotFoundException" in text and "torchtensor" in text))


def read(spark: SparkSession, path, **options) -> DataFrame:
    """``spark.read.format("torchtensor").options(**options).load(path)``.

    ``path`` is a file, a folder or a list of them (any Hadoop file system). Options are the
    connector's (``layout``, ``keys``, ``batchRows``, ``mode``, ...); values are passed as strings.
    Raises :class:`ConnectorNotFoundError` when the session lacks the connector jar.
    """
    reader = spark.read.format(FORMAT)
    for k, v in options.items():
        reader = reader.option(k, str(v).lower() if isinstance(v, bool) else str(v))
    paths = [str(p) for p in path] if isinstance(path, (list, tuple)) else [str(path)]
    try:
        return reader.load(paths[0]) if len(paths) == 1 else reader.load(paths)
    except Exception as exc:  # noqa: BLE001 - translated only when it is the missing connector
        if _is_missing_connector(exc):
            raise ConnectorNotFoundError(type(exc).__name__) from exc
        raise


def jvm_handoff(spark: SparkSession):
    """The JVM hand-off class, or None on Spark Connect or when the jar predates it."""
    jvm = getattr(spark, "_jvm", None) or getattr(getattr(spark, "sparkContext", None), "_jvm", None)
    if jvm is None:
        return None
    try:
        cls = jvm.io.torchtensor.python.ArrowHandoff
    except Exception:  # noqa: BLE001
        return None
    # py4j answers an unknown class with a JavaPackage instead of raising.
    return None if type(cls).__name__ == "JavaPackage" else cls
