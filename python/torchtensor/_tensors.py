"""The ``tensors`` layout: one row per tensor, its C-order little-endian bytes in ``data``.

``path`` string, ``key`` string, ``dtype`` string (torch's name), ``shape`` array<bigint>,
``device`` string, ``requires_grad`` boolean, ``data`` binary (DESIGN.md, "Layouts"). Each tensor
becomes ``np.frombuffer`` over its bytes in the Arrow binary buffer: no copy unless the bytes do not
sit at a multiple of the item size (Arrow packs binary values back to back), where one aligned copy
is made so the array behaves like any other.
"""
from dataclasses import dataclass
from typing import Dict, Iterator, Tuple

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from . import _dtypes, _handoff
from .errors import TorchTensorError

COLUMNS = ("path", "key", "dtype", "shape", "data")


@dataclass(frozen=True)
class TensorRecord:
    """One row of the ``tensors`` layout, its ``data`` decoded."""
    path: str
    key: str
    dtype: str
    shape: Tuple[int, ...]
    device: str
    requires_grad: bool
    array: np.ndarray


def is_tensors_layout(schema: T.StructType) -> bool:
    names = set(schema.fieldNames())
    return all(c in names for c in COLUMNS) and isinstance(schema["data"].dataType, T.BinaryType)


def decode(data, dtype: str, shape) -> np.ndarray:
    """``data`` bytes of a ``dtype`` tensor of ``shape`` -> ndarray (see the module docs)."""
    arr = _dtypes.decode_bytes(data, dtype, shape)
    return arr if arr.flags.aligned else arr.copy()


def iter_tensors(df: DataFrame, *, handoff: str = "auto") -> Iterator[TensorRecord]:
    """Yields every tensor of a ``tensors`` layout DataFrame, decoded."""
    if not is_tensors_layout(df.schema):
        raise TorchTensorError(
            "not a tensors layout DataFrame: it needs the columns " + ", ".join(COLUMNS)
            + " (read with option layout=tensors)")
    names = df.schema.fieldNames()
    result = _handoff.collect_arrow(df, handoff)
    for batch in result.batches():
        cols = {n: batch.column(i) for i, n in enumerate(names)}
        data: pa.Array = cols["data"]
        for i in range(batch.num_rows):
            if not data[i].is_valid:
                raise TorchTensorError(f"tensor {cols['key'][i].as_py()!r} has no data")
            shape = tuple(cols["shape"][i].as_py())
            dtype = cols["dtype"][i].as_py()
            yield TensorRecord(
                path=cols["path"][i].as_py(), key=cols["key"][i].as_py(), dtype=dtype, shape=shape,
                device=cols["device"][i].as_py() if "device" in cols else "cpu",
                requires_grad=bool(cols["requires_grad"][i].as_py()) if "requires_grad" in cols else False,
                array=decode(data[i].as_buffer(), dtype, shape))


def tensors_to_numpy(df: DataFrame, *, by_path: bool = False, handoff: str = "auto") -> Dict:
    """``{key: array}`` of a ``tensors`` layout DataFrame, or ``{(path, key): array}`` with
    ``by_path=True`` (needed when several files hold the same key)."""
    out = {}
    for rec in iter_tensors(df, handoff=handoff):
        k = (rec.path, rec.key) if by_path else rec.key
        if k in out:
            raise TorchTensorError(
                f"key {rec.key!r} is in several files ({rec.path}, ...): pass by_path=True")
        out[k] = rec.array
    return out
