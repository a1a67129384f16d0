"""What a DataFrame column holds, read from the connector's Spark field metadata.

Every tensor column of the ``rows`` layout carries ``torchtensor.dtype`` (torch's dtype name) and
``torchtensor.shape`` (the per-row shape as a JSON list) in its ``StructField.metadata``
(DESIGN.md, "Column metadata"). Spark keeps field metadata through projections, filters, limits,
sorts and unions of the column itself; an expression over it (``col * 2``) makes a new column without it.
"""
import json
import math
from dataclasses import dataclass
from typing import Tuple

from pyspark.sql import types as T

from . import _dtypes
from .errors import TorchTensorError

DTYPE_KEY = "torchtensor.dtype"
SHAPE_KEY = "torchtensor.shape"
# Marks a partition column (from a ``name=value`` directory): one plain value per row, not a tensor.
PARTITION_KEY = "torchtensor.partition"

# Spark element type -> the torch dtype a column without metadata is read as (``infer=True``).
_INFER = {
    T.FloatType: "float32", T.DoubleType: "float64", T.ByteType: "int8", T.ShortType: "int16",
    T.IntegerType: "int32", T.LongType: "int64", T.BooleanType: "bool",
}
_SPARK_TYPE = {
    "float32": T.FloatType(), "float64": T.DoubleType(), "int8": T.ByteType(),
    "int16": T.ShortType(), "int32": T.IntegerType(), "int64": T.LongType(), "bool": T.BooleanType(),
}


@dataclass(frozen=True)
class TensorColumn:
    """A column's name, torch dtype and per-row shape (``()`` for a scalar column)."""
    name: str
    dtype: str
    shape: Tuple[int, ...]
    is_list: bool  # array<elem> in Spark, else a scalar column

    @property
    def values_per_row(self) -> int:
        """Spark elements per row: the shape's product, twice that for complex (re, im) pairs."""
        n = math.prod(self.shape)
        return 2 * n if _dtypes.is_complex(self.dtype) else n


def _parse_shape(raw, name: str) -> Tuple[int, ...]:
    try:
        shape = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise ValueError(shape)
    except ValueError:
        raise TorchTensorError(f"column {name!r} has an invalid {SHAPE_KEY} metadata value {raw!r}")
    return tuple(shape)


def tensor_column(field: T.StructField, *, infer: bool = False) -> TensorColumn:
    """The tensor description of one field; raises when the field has none (unless ``infer``)."""
    meta = field.metadata or {}
    is_list = isinstance(field.dataType, T.ArrayType)
    if DTYPE_KEY in meta:
        dtype = _dtypes.canonical(meta[DTYPE_KEY])
        shape = _parse_shape(meta.get(SHAPE_KEY, "[]"), field.name)
        col = TensorColumn(field.name, dtype, shape, is_list)
        if not is_list and col.values_per_row != 1:
            raise TorchTensorError(f"column {field.name!r} is a scalar column but its metadata says "
                                   f"{dtype} of shape {list(shape)}")
        return col
    elem = field.dataType.elementType if is_list else field.dataType
    if infer and type(elem) in _INFER:
        # Without metadata only the length is known: a 1-D row of unknown length (checked on read).
        return TensorColumn(field.name, _INFER[type(elem)], (-1,) if is_list else (), is_list)
    raise TorchTensorError(
        f"column {field.name!r} ({field.dataType.simpleString()}) has no torchtensor metadata "
        f"({DTYPE_KEY}, {SHAPE_KEY}): it was not read by the torchtensor source, or an expression "
        "rebuilt it. Select the source's columns, attach metadata with torchtensor.tensor_field(...) / "
        "Column.alias(name, metadata=...), or pass infer=True to read numeric columns by their Spark type")


def tensor_columns(schema: T.StructType, *, infer: bool = False):
    return [tensor_column(f, infer=infer) for f in schema.fields]


def is_partition(field: T.StructField) -> bool:
    """Whether the connector marked ``field`` as a partition column."""
    return bool((field.metadata or {}).get(PARTITION_KEY))


# Spark type of a partition column -> the NumPy dtype of its values (others: object arrays).
_PLAIN = {
    T.ByteType: "int8", T.ShortType: "int16", T.IntegerType: "int32", T.LongType: "int64",
    T.FloatType: "float32", T.DoubleType: "float64", T.BooleanType: "bool",
}


@dataclass(frozen=True)
class PlainColumn:
    """A partition column (or another plain scalar column): one value per row, returned as an array
    of its Spark type."""
    name: str
    data_type: T.DataType

    @property
    def numpy_dtype(self):
        """The fixed-width NumPy dtype of its values, or None (strings, dates, decimals, ...)."""
        return _PLAIN.get(type(self.data_type))


def is_plain_scalar(field: T.StructField, *, infer: bool = False, numeric: bool = False) -> bool:
    """A non-array column without tensor metadata, read as its Spark type: always when its type
    holds no tensor (a string, a date, a decimal); a number only with ``numeric`` and without
    ``infer`` (with ``infer`` numbers are read as tensors, as :func:`tensor_column` does)."""
    if isinstance(field.dataType, (T.ArrayType, T.StructType, T.MapType)) or DTYPE_KEY in (field.metadata or {}):
        return False
    if type(field.dataType) in _INFER:
        return numeric and not infer
    return True


def result_columns(schema: T.StructType, *, infer: bool = False, numeric_plain: bool = False):
    """Each field as a :class:`TensorColumn`, or a :class:`PlainColumn` for a partition column and
    for a scalar column without tensor metadata that :func:`is_plain_scalar` picks."""
    return [PlainColumn(f.name, f.dataType)
            if is_partition(f) or is_plain_scalar(f, infer=infer, numeric=numeric_plain)
            else tensor_column(f, infer=infer)
            for f in schema.fields]


def tensor_metadata(dtype: str, shape=()) -> dict:
    """The field metadata the connector writes, for columns built in Spark (``alias(metadata=...)``)."""
    return {DTYPE_KEY: _dtypes.canonical(dtype), SHAPE_KEY: json.dumps([int(d) for d in shape])}


def spark_element_type(dtype: str) -> T.DataType:
    """The Spark element type the connector uses for a torch dtype."""
    return _SPARK_TYPE[_dtypes.spark_element_dtype(dtype).name]


def tensor_field(name: str, dtype: str, shape=()) -> T.StructField:
    """A ``StructField`` as the connector would write it for a tensor of torch ``dtype`` whose rows
    have ``shape`` (``()`` gives a scalar column), e.g. for :func:`torchtensor.map_batches` schemas."""
    elem = spark_element_type(dtype)
    col = TensorColumn(name, _dtypes.canonical(dtype), tuple(int(d) for d in shape), True)
    scalar = len(col.shape) == 0 and not _dtypes.is_complex(dtype)
    dt = elem if scalar else T.ArrayType(elem, containsNull=False)
    return T.StructField(name, dt, nullable=False, metadata=tensor_metadata(dtype, shape))


def schema_of(fields) -> T.StructType:
    return fields if isinstance(fields, T.StructType) else T.StructType(list(fields))
