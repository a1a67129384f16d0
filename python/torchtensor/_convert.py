"""Arrow record batches -> NumPy arrays of shape (N, *row_shape) in the torch dtype.

A list column's rows sit back to back in its child array (Arrow columnar format, "Variable-size
List Layout"): when every row has the same length, the child's slice between the first and last
offset *is* the C-order block of N rows, so ``reshape`` gives the tensor without a copy
(``pyarrow.Array.to_numpy(zero_copy_only=True)`` hands out the data buffer itself). Copies happen
only where they cannot be avoided: a column spread over several batches (one copy into the result),
a dtype that must be converted back (uint8 from short, float16 from float, ...), and bool, which
Arrow stores as bits.
"""
import math
from typing import Dict, List, Sequence

import numpy as np
import pyarrow as pa

from . import _dtypes
from ._columns import PlainColumn, TensorColumn
from .errors import TorchTensorError


def _flat_values(arr: pa.Array, col: TensorColumn) -> np.ndarray:
    """The Spark elements of one batch's column as a flat array, checked to be ``values_per_row``
    per row (no nulls, equal lengths)."""
    if arr.null_count:
        raise TorchTensorError(f"column {col.name!r} has {arr.null_count} null rows; tensors have none")
    n = len(arr)
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        offsets = arr.offsets.to_numpy()  # offsets of this (possibly sliced) array, n + 1 values
        start, end = int(offsets[0]), int(offsets[-1])
        per_row = col.values_per_row if col.shape != (-1,) else (end - start) // max(n, 1)
        if end - start != n * per_row or not np.array_equal(
                offsets, start + per_row * np.arange(n + 1, dtype=offsets.dtype)):
            raise TorchTensorError(
                f"column {col.name!r}: rows do not all hold {per_row} values "
                f"(torchtensor.shape {list(col.shape)}, dtype {col.dtype})")
        child = arr.values.slice(start, end - start)
    elif pa.types.is_fixed_size_list(arr.type):
        child = arr.flatten()
        per_row = arr.type.list_size
    elif col.is_list:
        raise TorchTensorError(f"column {col.name!r} should be an array column, got {arr.type}")
    else:
        child, per_row = arr, 1
        if col.values_per_row != 1:
            raise TorchTensorError(f"column {col.name!r} is scalar but its shape is {list(col.shape)}")
    if child.null_count:
        raise TorchTensorError(f"column {col.name!r} has null elements; tensors have none")
    if pa.types.is_boolean(child.type):
        return child.to_numpy(zero_copy_only=False)  # bit-packed in Arrow: one copy is unavoidable
    values = child.to_numpy(zero_copy_only=True)
    want = _dtypes.spark_element_dtype(col.dtype)
    if values.dtype != want:
        raise TorchTensorError(
            f"column {col.name!r} of torch dtype {col.dtype} holds {values.dtype} values, expected {want}")
    return values


def _row_shape(col: TensorColumn, flat_len: int, n: int):
    if col.shape == (-1,):
        return (flat_len // n,) if n else (0,)
    return col.shape


def column_to_numpy(chunks: Sequence[pa.Array], col: TensorColumn) -> np.ndarray:
    """Concatenates one column's batches into an (N, *row_shape) array of the torch dtype."""
    chunks = [c for c in chunks if len(c)]
    n = sum(len(c) for c in chunks)
    if len(chunks) == 1:  # the common zero-copy case: a view of the Arrow buffer
        flat = _dtypes.restore(_flat_values(chunks[0], col), col.dtype)
        return flat.reshape((n,) + tuple(_row_shape(col, flat.size, n)))
    if not chunks:
        shape = (0,) + tuple(0 if d == -1 else d for d in col.shape)
        return np.empty(shape, dtype=_dtypes.result_dtype(col.dtype))
    parts = [_dtypes.restore(_flat_values(c, col), col.dtype) for c in chunks]
    out = np.empty(sum(p.size for p in parts), dtype=parts[0].dtype)
    starts = np.cumsum([0] + [p.size for p in parts[:-1]])
    # One copy of every batch straight into the result. NumPy copies release the GIL, so big
    # results are copied by a few threads (the copy is memory-bound; page faults of the fresh
    # result dominate and spread over cores).
    if out.nbytes >= _PARALLEL_COPY_BYTES and len(parts) > 1:
        from concurrent.futures import ThreadPoolExecutor

        def copy(i):
            out[starts[i]:starts[i] + parts[i].size] = parts[i]

        with ThreadPoolExecutor(max_workers=_copy_threads()) as pool:
            list(pool.map(copy, range(len(parts))))
    else:
        for p, s in zip(parts, starts):
            out[s:s + p.size] = p
    return out.reshape((n,) + tuple(_row_shape(col, out.size, n)))


_PARALLEL_COPY_BYTES = 64 << 20


def _copy_threads() -> int:
    import os

    return max(1, min(4, os.cpu_count() or 1))


def plain_to_numpy(chunks: Sequence[pa.Array], col: PlainColumn) -> np.ndarray:
    """A partition column's values: an array of its Spark type's NumPy dtype (int32, int64, float64,
    bool, ...; datetime64 for dates and timestamps, strings and decimals as objects); a column with
    nulls (the Hive default partition) is an object array holding None there."""
    arr = pa.chunked_array(list(chunks), type=chunks[0].type) if chunks else None
    if arr is None or len(arr) == 0:
        return np.empty(0, dtype=_empty_dtype(col))
    if arr.null_count:
        return np.array(arr.to_pylist(), dtype=object)
    if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
        arr = arr.cast(pa.timestamp(arr.type.unit))  # UTC instants as naive datetime64
    out = arr.to_numpy()
    return out.astype(col.numpy_dtype, copy=False) if col.numpy_dtype else out


def _empty_dtype(col: PlainColumn):
    """The dtype of a column of no rows: the one its rows would have (no null among them), so an empty
    result has the dtypes of a full one."""
    from pyspark.sql import types as T

    if col.numpy_dtype:
        return col.numpy_dtype
    if isinstance(col.data_type, T.DateType):
        return "datetime64[D]"
    if isinstance(col.data_type, (T.TimestampType, T.TimestampNTZType)):
        return "datetime64[us]"
    return object


def runs_to_numpy(runs, col: PlainColumn) -> np.ndarray:
    """A partition column from the column hand-off's runs (``_handoff.ValueRuns``): the run values
    as the Arrow array of the batches' type (``ArrowUtils.toArrowType``: utf8, date32, timestamp[us,
    UTC], decimal128), repeated over their rows by ``take``, then read as :func:`plain_to_numpy`
    reads the batches' column, so both paths give the same arrays (None where null)."""
    from decimal import Decimal

    from pyspark.sql import types as T

    values = [r[1] for r in runs.runs]
    t = col.data_type
    if isinstance(t, T.StringType):
        small = pa.array(values, pa.string())
    elif isinstance(t, T.DateType):
        small = pa.array(values, pa.int32()).cast(pa.date32())
    elif isinstance(t, (T.TimestampType, T.TimestampNTZType)):
        zone = "UTC" if isinstance(t, T.TimestampType) else None
        small = pa.array(values, pa.int64()).cast(pa.timestamp("us", tz=zone))
    elif isinstance(t, T.DecimalType):
        small = pa.array([None if v is None else Decimal(v) for v in values], pa.decimal128(t.precision, t.scale))
    else:
        raise TorchTensorError(f"column {col.name!r}: the hand-off gave runs for type {t.simpleString()}")
    index = np.repeat(np.arange(len(values), dtype=np.int64), [int(r[0]) for r in runs.runs])
    return plain_to_numpy([small.take(pa.array(index))], col)


def flat_to_numpy(raw: np.ndarray, col) -> np.ndarray:
    """Bytes of N rows of Spark element values (C order) -> the (N, *row_shape) array, a view of
    ``raw`` unless the torch dtype needs a conversion."""
    if isinstance(col, PlainColumn):
        return raw.view(col.numpy_dtype)
    elem = _dtypes.spark_element_dtype(col.dtype)
    flat = _dtypes.restore(raw.view(elem), col.dtype)
    n = flat.size // math.prod(col.shape)  # the JVM writes this way only rows of at least one value
    return flat.reshape((n,) + tuple(col.shape))


def batches_to_numpy(batches: List[pa.RecordBatch], columns: Sequence[TensorColumn]) -> Dict[str, np.ndarray]:
    """{column name: ndarray} from record batches whose columns are ``columns`` in order."""
    result = {}
    for i, col in enumerate(columns):
        chunks = [b.column(i) for b in batches]
        result[col.name] = plain_to_numpy(chunks, col) if isinstance(col, PlainColumn) \
            else column_to_numpy(chunks, col)
    return result


def numpy_to_arrow(values: np.ndarray, field_type: pa.DataType, name: str) -> pa.Array:
    """An (n, *row_shape) array -> the Arrow column Spark expects for ``field_type`` (primitive for
    scalar columns, list of the flattened rows otherwise); the inverse of :func:`column_to_numpy`."""
    values = np.asarray(values)
    n = values.shape[0] if values.ndim else 1
    if pa.types.is_list(field_type) or pa.types.is_large_list(field_type):
        elem = field_type.value_type.to_pandas_dtype()
        flat = values.reshape(n, -1) if values.size or n == 0 else values.reshape(n, 0)
        if np.iscomplexobj(flat):
            flat = flat.view(flat.real.dtype)  # interleaved (re, im) pairs, as the connector writes
        flat = _widen(flat, elem, name)
        per_row = flat.shape[1] if flat.ndim == 2 else 0
        offsets = pa.array(np.arange(n + 1, dtype=np.int32) * per_row, type=pa.int32())
        child = pa.array(flat.reshape(-1), type=field_type.value_type)
        cls = pa.LargeListArray if pa.types.is_large_list(field_type) else pa.ListArray
        return cls.from_arrays(offsets, child, type=field_type)
    if values.ndim != 1:
        raise TorchTensorError(
            f"column {name!r} is a scalar column in the output schema but the function returned shape {values.shape}")
    if values.dtype.kind in "OUSM" or not _is_numeric(field_type):
        return _plain_to_arrow(values, field_type, name)
    return pa.array(_widen(values, field_type.to_pandas_dtype(), name), type=field_type)


def _is_numeric(field_type: pa.DataType) -> bool:
    return pa.types.is_integer(field_type) or pa.types.is_floating(field_type) or pa.types.is_boolean(field_type)


def _plain_to_arrow(values: np.ndarray, field_type: pa.DataType, name: str) -> pa.Array:
    """A plain scalar field (string, date, timestamp, decimal, or numbers with nulls) from the arrays
    :func:`plain_to_numpy` gives: None and NaT become nulls (``from_pandas``), datetime64 keeps its
    instant (naive values are UTC, as read)."""
    try:
        return pa.array(values, type=field_type, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError) as exc:
        raise TorchTensorError(f"column {name!r}: cannot store {values.dtype} values as {field_type}: {exc}")


def _widen(values: np.ndarray, elem, name: str) -> np.ndarray:
    if values.dtype == elem:
        return values
    if values.dtype.itemsize == 2 and values.dtype.kind == "V" or values.dtype.name in _dtypes.ML_DTYPES:
        return values.astype(np.float32).astype(elem)
    if values.dtype == np.uint64 and np.dtype(elem) == np.int64:
        return values.view(np.int64)  # the connector's uint64 -> long: same 64 bits
    if not np.can_cast(values.dtype, elem, casting="same_kind"):
        raise TorchTensorError(f"column {name!r}: cannot store {values.dtype} values as {np.dtype(elem)}")
    return values.astype(elem)
