"""The one error type the Python helper raises for problems it can explain."""


class TorchTensorError(ValueError):
    """A DataFrame, column or tensor that the helper cannot turn into NumPy arrays, or a session
    without the connector. The message says which column or file and what to do."""


class ConnectorNotFoundError(TorchTensorError, RuntimeError):
    """The Spark session has no torchtensor connector jar on its class path."""

    HOW_TO = (
        "the torchtensor connector jar is not on this Spark session's class path. Add it when the "
        "session starts: spark-submit --jars /path/to/torchtensor-connector-0.1.0-SNAPSHOT.jar, or "
        "SparkSession.builder.config('spark.jars', '/path/to/torchtensor-connector-0.1.0-SNAPSHOT.jar') "
        "(it cannot be added to a running session); build it with: mvn -B -q -pl connector package -DskipTests")

    def __init__(self, detail: str = ""):
        super().__init__(self.HOW_TO + (f" ({detail})" if detail else ""))
