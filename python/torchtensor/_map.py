"""``map_batches``: a NumPy function over every Arrow batch, on the executors (``mapInArrow``)."""
from typing import Callable, Dict, Union

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from . import _columns, _convert
from .errors import TorchTensorError


def _arrow_schema(schema: T.StructType):
    from pyspark.sql.pandas.types import to_arrow_schema

    # Timestamps as UTC microseconds: the instants plain_to_numpy hands out as naive datetime64
    # (Spark's ArrowColumnVector reads the values whatever the zone named).
    return to_arrow_schema(schema, timezone="UTC")


def map_batches(df: DataFrame, fn: Callable[[Dict[str, np.ndarray]], Dict[str, np.ndarray]],
                schema: Union[T.StructType, str], *, infer: bool = False) -> DataFrame:
    """Runs ``fn({column: array}) -> {column: array}`` on each Arrow batch of ``df``, on the executors.

    Input arrays are as :func:`torchtensor.to_numpy` gives them (shape (n, *row_shape), torch dtype).
    Partition columns and other scalar columns without tensor metadata (an id, a string, a date)
    are (n,) arrays of their Spark type, as ``to_numpy`` gives partition columns: int32/int64/
    float64/bool, datetime64 for dates and timestamps, objects for strings and decimals, objects
    with None where a batch has nulls (with ``infer=True`` numeric ones are tensors, as in ``to_numpy``).
    ``schema`` (a ``StructType`` or DDL string) is the result's; ``fn`` returns one array of n' rows
    per field: a scalar field takes an (n',) array, an ``array<...>`` field an (n', ...) array whose
    rows are flattened in C order (complex as (re, im) pairs, bfloat16/float16/float8 widened to
    float); a plain scalar field (string, date, timestamp, decimal, a nullable number) takes such an
    (n',) array back (None/NaT for null). Fields built with :func:`torchtensor.tensor_field` carry the tensor metadata, so the
    result goes back into ``to_numpy`` with its dtype and shape.
    """
    columns = _columns.result_columns(df.schema, infer=infer, numeric_plain=True)
    if isinstance(schema, str):
        from pyspark.sql.types import _parse_datatype_string

        schema = _parse_datatype_string(schema)
    schema = _columns.schema_of(schema)
    arrow_schema = _arrow_schema(schema)
    names = schema.fieldNames()

    def run(batches):
        import pyarrow as pa

        for batch in batches:
            if batch.num_rows == 0:
                continue
            out = fn(_convert.batches_to_numpy([batch], columns))
            missing = [n for n in names if n not in out]
            if missing:
                raise TorchTensorError(f"map_batches function returned no array for {missing}")
            arrays = [_convert.numpy_to_arrow(out[n], arrow_schema.field(n).type, n) for n in names]
            yield pa.RecordBatch.from_arrays(arrays, schema=arrow_schema)

    return df.mapInArrow(run, schema)
