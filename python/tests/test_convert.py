"""Arrow batches shaped like the connector's -> NumPy, for every dtype, without Spark.

The Spark element arrays are made with torch's own widening (``Tensor.to``), the mapping of
DESIGN.md; the helper must give back torch's values bit for bit.
"""
import warnings

import numpy as np
import pyarrow as pa
import pytest
import torch

from helpers import assert_same

import torchtensor
from torchtensor import _dtypes
from torchtensor._columns import TensorColumn

import cases_python
from make_testdata import tensor_bytes

_WIDEN = {"float16": torch.float32, "bfloat16": torch.float32, "uint8": torch.int16,
          "uint16": torch.int32, "uint32": torch.int64}


def spark_elements(t: torch.Tensor) -> np.ndarray:
    """Flat NumPy array of the Spark element values the connector writes for ``t``."""
    name = str(t.dtype).removeprefix("torch.")
    if name == "complex32":  # float16 halves widened exactly, NaN payloads kept
        halves = torch.view_as_real(t).contiguous().reshape(-1)
        return torchtensor.decode(tensor_bytes(halves), "float16", halves.shape).astype(np.float32)
    if t.is_complex():
        return torch.view_as_real(t).reshape(-1).numpy()
    if name == "uint64":
        return t.view(torch.int64).reshape(-1).numpy()
    if name == "float8_e5m2":  # the upper byte of a float16: widen through it, payloads kept
        u8 = t.view(torch.uint8).reshape(-1).numpy()
        return (u8.astype(np.uint16) << 8).view(np.float16).astype(np.float32)
    if name == "float16" or name.startswith("float8"):
        # exact widening, NaN payloads kept (torch's own .float() makes every NaN 0x7fffffff)
        return torchtensor.decode(tensor_bytes(t), name, t.shape).astype(np.float32).reshape(-1)
    if name in _WIDEN:
        return t.to(_WIDEN.get(name, torch.float32)).reshape(-1).numpy()
    return t.reshape(-1).numpy()


def list_array(t: torch.Tensor) -> pa.Array:
    flat = spark_elements(t)
    per_row = flat.size // t.shape[0]
    offsets = pa.array(np.arange(t.shape[0] + 1, dtype=np.int32) * per_row)
    return pa.ListArray.from_arrays(offsets, pa.array(flat))


@pytest.mark.parametrize("name", cases_python.DTYPES)
def test_every_dtype_round_trips_in_one_and_in_several_batches(name):
    t = cases_python.values(name).reshape(1024, 4, 16)
    col = TensorColumn("x", name, (4, 16), True)
    arr = list_array(t)
    assert_same(torchtensor.column_to_numpy([arr], col), t, name)
    chunks = [arr.slice(0, 100), arr.slice(100, 0), arr.slice(100, 924)]  # sliced, with an empty one
    assert_same(torchtensor.column_to_numpy(chunks, col), t, name + " in chunks")


@pytest.mark.parametrize("name", cases_python.DTYPES)
def test_tensors_layout_bytes_decode_to_torch_values(name):
    t = cases_python.values(name, 60).reshape(3, 4, 5)
    assert_same(torchtensor.decode(tensor_bytes(t), name, [3, 4, 5]), t, name)


def test_scalar_column_and_zero_copy():
    t = torch.arange(10, dtype=torch.float32)
    arr = pa.array(t.numpy())
    out = torchtensor.column_to_numpy([arr], TensorColumn("tensor", "float32", (), False))
    assert out.shape == (10,)
    assert np.shares_memory(out, np.frombuffer(arr.buffers()[1], dtype=np.float32))

    rows = torch.randn(8, 3, 2)
    lst = list_array(rows)
    out = torchtensor.column_to_numpy([lst], TensorColumn("x", "float32", (3, 2), True))
    assert np.shares_memory(out, np.frombuffer(lst.values.buffers()[1], dtype=np.float32))
    # uint64 and complex are views too (same bits, interleaved pairs)
    for name in ("uint64", "complex64"):
        t = cases_python.values(name, 32).reshape(4, 8)
        lst = list_array(t)
        out = torchtensor.column_to_numpy([lst], TensorColumn("x", name, (8,), True))
        assert np.shares_memory(out, np.frombuffer(lst.values.buffers()[1], dtype=np.uint8))


def test_without_ml_dtypes_bfloat16_is_float32_with_a_warning(monkeypatch):
    monkeypatch.setattr(_dtypes, "_ml_dtypes", None)
    t = cases_python.values("bfloat16", 64).reshape(8, 8)
    with pytest.warns(UserWarning, match="ml_dtypes is not installed"):
        out = torchtensor.column_to_numpy([list_array(t)], TensorColumn("x", "bfloat16", (8,), True))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.view(np.uint32), t.float().numpy().view(np.uint32))
    with pytest.warns(UserWarning):
        dec = torchtensor.decode(tensor_bytes(t), "bfloat16", [8, 8])
    np.testing.assert_array_equal(dec.view(np.uint32), t.float().numpy().view(np.uint32))
    with pytest.raises(torchtensor.TorchTensorError, match="need ml_dtypes"):
        torchtensor.decode(b"\0" * 4, "float8_e4m3fn", [4])


def test_without_ml_dtypes_e8m0_is_float32_with_a_warning(monkeypatch):
    monkeypatch.setattr(_dtypes, "_ml_dtypes", None)
    t = cases_python.values("float8_e8m0fnu", 256).reshape(16, 16)   # every byte, 0xFF (NaN) included
    flat = t.float().numpy().reshape(-1)   # torch's widening: 2^(b-127), 0xFF as 0x7F800001
    with pytest.warns(UserWarning, match="ml_dtypes is not installed"):
        out = torchtensor.column_to_numpy([list_array(t.float())], TensorColumn("x", "float8_e8m0fnu", (16,), True))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.reshape(-1).view(np.uint32), flat.view(np.uint32))
    assert out.reshape(-1)[0] == 2.0 ** -127 and out.reshape(-1)[127] == 1.0


def test_complex32_comes_back_as_complex64_without_a_warning():
    t = cases_python.values("complex32", 64).reshape(4, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = torchtensor.column_to_numpy([list_array(t)], TensorColumn("x", "complex32", (16,), True))
        dec = torchtensor.decode(tensor_bytes(t), "chalf", [4, 16])
    assert out.dtype == dec.dtype == np.complex64
    assert torchtensor.numpy_dtype("complex32") == np.complex64
    assert_same(out, t, "rows")
    assert_same(dec, t, "decode")
    with pytest.raises(torchtensor.TorchTensorError, match="needs 256 bytes, data has 252"):
        torchtensor.decode(tensor_bytes(t)[:-4], "complex32", [4, 16])


def test_ragged_null_and_mismatched_columns_are_refused():
    col = TensorColumn("x", "float32", (3,), True)
    ragged = pa.array([[1.0, 2.0, 3.0], [1.0, 2.0], [1.0, 2.0, 3.0, 4.0]], type=pa.list_(pa.float32()))
    with pytest.raises(torchtensor.TorchTensorError, match="do not all hold 3 values"):
        torchtensor.column_to_numpy([ragged], col)
    with pytest.raises(torchtensor.TorchTensorError, match="null rows"):
        torchtensor.column_to_numpy([pa.array([[1.0, 2.0, 3.0], None], type=pa.list_(pa.float32()))], col)
    with pytest.raises(torchtensor.TorchTensorError, match="holds float64 values, expected float32"):
        torchtensor.column_to_numpy([pa.array([[1.0, 2.0, 3.0]], type=pa.list_(pa.float64()))], col)
    with pytest.raises(torchtensor.TorchTensorError, match="needs 16 bytes, data has 12"):
        torchtensor.decode(b"\0" * 12, "float32", [2, 2])
    with pytest.raises(torchtensor.TorchTensorError, match="unknown torch dtype"):
        torchtensor.decode(b"", "float128", [0])


def test_tensor_field_carries_the_connector_metadata():
    f = torchtensor.tensor_field("x", "uint8", [3, 2])
    assert f.dataType.simpleString() == "array<smallint>"
    assert f.metadata == {"torchtensor.dtype": "uint8", "torchtensor.shape": "[3, 2]"}
    assert torchtensor.tensor_field("c", "complex64").dataType.simpleString() == "array<float>"
    assert torchtensor.tensor_field("s", "bfloat16").dataType.simpleString() == "float"
    assert torchtensor.tensor_column(f) == TensorColumn("x", "uint8", (3, 2), True)


def test_numpy_to_arrow_is_the_inverse_for_map_batches():
    for name in ("float32", "uint8", "uint64", "complex128", "bfloat16", "bool"):
        t = cases_python.values(name, 24).reshape(4, 3, 2)
        arr = torchtensor.decode(tensor_bytes(t), name, [4, 3, 2])
        f = torchtensor.tensor_field("x", name, [3, 2])
        from pyspark.sql.pandas.types import to_arrow_type
        pa_arr = torchtensor._convert.numpy_to_arrow(arr, to_arrow_type(f.dataType), "x")
        back = torchtensor.column_to_numpy([pa_arr], torchtensor.tensor_column(f))
        assert_same(back, t, name)
