"""DataFrames of the torchtensor source -> dicts of NumPy arrays, whole or batch by batch."""
from typing import Dict, Iterator

import numpy as np
from pyspark.sql import DataFrame

from . import _columns, _convert, _handoff, _tensors


def to_numpy(df: DataFrame, *, handoff: str = "auto", infer: bool = False) -> Dict[str, np.ndarray]:
    """Runs ``df`` and returns one array per column: shape (N, *row_shape), the torch dtype.

    ``rows`` layout columns need the connector's metadata (``torchtensor.dtype``/``.shape``); with
    ``infer=True`` numeric columns without it are read by their Spark type (1-D rows for arrays).
    Partition columns (``name=value`` directories) are arrays of their Spark type: int32, int64,
    float64, datetime64 for dates and timestamps, objects for strings and decimals, and objects
    with None where a value is null (``__HIVE_DEFAULT_PARTITION__``). Other scalar columns whose
    Spark type holds no tensor (strings, dates, timestamps, decimals, binaries) are read the same way.
    A ``tensors`` layout DataFrame (``path``, ``key``, ``dtype``, ``shape``, ``data`` columns) gives
    ``{key: array}`` (see :func:`tensors_to_numpy`).

    ``handoff``: ``"auto"`` (the fast path for plain torchtensor scans, else ``toArrow``),
    ``"fast"`` (raise when the plan does not allow it) or ``"arrow"`` (always ``toArrow``).
    A column that arrives in one Arrow batch is a view of it (no copy); otherwise each batch is
    copied once into the result.
    """
    if _tensors.is_tensors_layout(df.schema):
        return _tensors.tensors_to_numpy(df, handoff=handoff)
    columns = _columns.result_columns(df.schema, infer=infer)
    direct = _handoff.collect_columns(df, handoff) if handoff != "arrow" else None
    if isinstance(direct, dict):  # one file per column, already the (N, ...) values
        return {c.name: _convert.runs_to_numpy(direct[c.name], c) if isinstance(direct[c.name], _handoff.ValueRuns)
                else _convert.flat_to_numpy(direct[c.name], c) for c in columns}
    result = direct if direct is not None else _handoff.collect_arrow(df, handoff)
    batches = list(result.batches())
    return _convert.batches_to_numpy(batches, columns)


def iter_batches(df: DataFrame, *, handoff: str = "auto", infer: bool = False) -> Iterator[Dict[str, np.ndarray]]:
    """Yields ``{column: array}`` for each Arrow batch of ``df`` in order (arrays are views of the
    batch where the dtype allows). Same arguments as :func:`to_numpy`; ``rows`` layout only."""
    columns = _columns.result_columns(df.schema, infer=infer)
    result = _handoff.collect_arrow(df, handoff)
    for batch in result.batches():
        if batch.num_rows:
            yield _convert.batches_to_numpy([batch], columns)


def to_pandas(df: DataFrame, *, handoff: str = "auto", infer: bool = False):
    """A pandas DataFrame with one column per tensor column: scalar columns as their NumPy dtype,
    per-row tensors as an object column of (row_shape) arrays (views of one (N, ...) array)."""
    import pandas as pd

    arrays = to_numpy(df, handoff=handoff, infer=infer)
    return pd.DataFrame({k: (v if v.ndim == 1 else list(v)) for k, v in arrays.items()})
