"""NumPy arrays with the dtype and shape PyTorch had, from tensor files read by Spark.

    import torchtensor
    df = torchtensor.read(spark, "/data/shards/")        # the torchtensor data source (connector jar)
    arrays = torchtensor.to_numpy(df)                     # {"features": (N, 3, 8, 8) float32, ...}
    for batch in torchtensor.iter_batches(df): ...        # the same, one Arrow batch at a time
    out = torchtensor.map_batches(df, fn, schema)         # fn(dict) -> dict on the executors
"""
from ._columns import (DTYPE_KEY, SHAPE_KEY, TensorColumn, tensor_column, tensor_columns,
                       tensor_field, tensor_metadata)
from ._convert import batches_to_numpy, column_to_numpy
from ._dtypes import decode_bytes, numpy_dtype
from ._handoff import HANDOFF_DIR_ENV, collect_arrow
from ._map import map_batches
from ._numpy import iter_batches, to_numpy, to_pandas
from ._session import read
from ._tensors import TensorRecord, decode, iter_tensors, tensors_to_numpy
from .errors import ConnectorNotFoundError, TorchTensorError

__version__ = "0.1.0"

__all__ = [
    "read", "to_numpy", "iter_batches", "to_pandas", "map_batches", "tensors_to_numpy",
    "iter_tensors", "TensorRecord", "decode", "decode_bytes", "numpy_dtype", "tensor_field",
    "tensor_metadata", "tensor_column", "tensor_columns", "TensorColumn", "batches_to_numpy",
    "column_to_numpy", "collect_arrow", "DTYPE_KEY", "SHAPE_KEY", "HANDOFF_DIR_ENV",
    "TorchTensorError", "ConnectorNotFoundError",
]
