"""torch dtype names -> NumPy dtypes, and the way back from the Spark element type the connector used.

The connector stores every tensor column as the Spark type that holds its values exactly
(DESIGN.md, "Element type mapping"): float16/bfloat16/float8 widened to float, uint8/16/32 widened
to the next signed integer, uint64 as long with the same 64 bits, complex as interleaved (re, im)
pairs. The column metadata ``torchtensor.dtype`` names the torch dtype, so each step here is exact:
bfloat16 is the upper half of its float32 widening (``torch/csrc/.../BFloat16.h``: bf16 is the top
16 bits of an IEEE float), float8_e5m2 the upper byte of a float16, the rest are value-preserving casts.

NumPy has no complex32 (torch's chalf: pairs of float16), so complex32 comes back as complex64
holding exactly the same values (every float16 is a float32; NaN payloads kept), no warning: nothing
is lost, only the width differs.
"""
import warnings

import numpy as np

try:  # optional: NumPy has no bfloat16/float8 of its own
    import ml_dtypes as _ml_dtypes
except ImportError:  # pragma: no cover - exercised by monkeypatching in the tests
    _ml_dtypes = None

from .errors import TorchTensorError

# torch name -> (NumPy dtype name of the Spark element the connector writes, NumPy dtype name of the
# original tensor or None where NumPy needs ml_dtypes for it).
_SPARK_ELEMENT = {
    "float64": "float64", "float32": "float32", "float16": "float32", "bfloat16": "float32",
    "float8_e4m3fn": "float32", "float8_e5m2": "float32",
    "float8_e4m3fnuz": "float32", "float8_e5m2fnuz": "float32", "float8_e8m0fnu": "float32",
    "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64",
    "uint8": "int16", "uint16": "int32", "uint32": "int64", "uint64": "int64",
    "bool": "bool", "complex32": "float32", "complex64": "float32", "complex128": "float64",
    # quantized tensors are read as their integer representation (int_repr()).
    "qint8": "int8", "quint8": "int16", "qint32": "int32",
}
_NUMPY = {
    "float64": "float64", "float32": "float32", "float16": "float16",
    "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64",
    "uint8": "uint8", "uint16": "uint16", "uint32": "uint32", "uint64": "uint64",
    # complex32 has no NumPy dtype: its exact values as complex64.
    "bool": "bool", "complex32": "complex64", "complex64": "complex64", "complex128": "complex128",
    "qint8": "int8", "quint8": "uint8", "qint32": "int32",
}
# The torch dtypes NumPy has only through ml_dtypes (the same names there).
ML_DTYPES = ("bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
             "float8_e8m0fnu")
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
            "int": "int32", "short": "int16", "chalf": "complex32", "cfloat": "complex64",
            "cdouble": "complex128"}


def canonical(torch_name: str) -> str:
    """``torch.float32``/``float``/``float32`` -> ``float32``; unknown names raise."""
    name = str(torch_name).lower().removeprefix("torch.")
    name = _ALIASES.get(name, name)
    if name not in _SPARK_ELEMENT:
        raise TorchTensorError(f"unknown torch dtype {torch_name!r}")
    return name


def has_ml_dtypes() -> bool:
    return _ml_dtypes is not None


def numpy_dtype(torch_name: str, *, required: bool = True):
    """The NumPy dtype of a torch dtype (ml_dtypes for bfloat16/float8, complex64 for complex32);
    None when ml_dtypes is missing and ``required`` is false."""
    name = canonical(torch_name)
    if name in _NUMPY:
        return np.dtype(_NUMPY[name])
    if _ml_dtypes is None:
        if required:
            raise TorchTensorError(
                f"torch dtype {name} has no NumPy equivalent without ml_dtypes: pip install ml_dtypes")
        return None
    return np.dtype(getattr(_ml_dtypes, name))


def spark_element_dtype(torch_name: str) -> np.dtype:
    """NumPy dtype of the Spark element type the connector uses for this torch dtype."""
    return np.dtype(_SPARK_ELEMENT[canonical(torch_name)])


def is_complex(torch_name: str) -> bool:
    return canonical(torch_name).startswith("complex")


def result_dtype(torch_name: str) -> np.dtype:
    """dtype that :func:`restore` returns: the torch dtype's, or float32 for bfloat16/float8 when
    ml_dtypes is missing."""
    dt = numpy_dtype(torch_name, required=False)
    return dt if dt is not None else np.dtype("float32")


def restore(values: np.ndarray, torch_name: str) -> np.ndarray:
    """Turns a flat array of Spark elements back into the torch dtype's values.

    Returns ``values`` itself (no copy) where the element type already is the torch dtype, a view
    for uint64 (same bits) and complex (interleaved pairs), else one converted copy.
    """
    name = canonical(torch_name)
    src = spark_element_dtype(name)
    if values.dtype != src:
        raise TorchTensorError(
            f"column of torch dtype {name} holds {values.dtype} elements, expected {src}")
    if name in ("complex32", "complex64", "complex128"):
        if values.size % 2:
            raise TorchTensorError(f"{name} column has an odd number of (re, im) components")
        return values.view(np.dtype(_NUMPY[name]))
    if name == "uint64":
        return values.view(np.uint64)
    if name == "float16":
        return _to_float16(values)
    if name in _NUMPY:
        target = np.dtype(_NUMPY[name])
        return values if target == src else values.astype(target)
    # bfloat16 / float8: exact widenings of float32.
    if _ml_dtypes is None:
        warnings.warn(f"ml_dtypes is not installed: {name} values are returned as float32 "
                      "(exact values; pip install ml_dtypes to keep the dtype)", stacklevel=3)
        return values
    if name == "bfloat16":
        bits = (values.view(np.uint32) >> 16).astype(np.uint16)
        return bits.view(_ml_dtypes.bfloat16)
    if name == "float8_e5m2":
        # e5m2 is the upper byte of IEEE half; going through float16 keeps NaN payload bits.
        half = _to_float16(values)
        return (half.view(np.uint16) >> 8).astype(np.uint8).view(_ml_dtypes.float8_e5m2)
    if name == "float8_e8m0fnu":
        # 2^(b-127) widened is the float whose exponent field is b (2^-127: the subnormal 0x00400000,
        # field 0; NaN: field 0xFF), so the byte is read off the bits, with no NaN cast warning.
        return ((values.view(np.uint32) >> 23) & 0xFF).astype(np.uint8).view(_ml_dtypes.float8_e8m0fnu)
    return values.astype(getattr(_ml_dtypes, name))


def _to_float16(values: np.ndarray) -> np.ndarray:
    """float32 values widened from float16 -> float16, NaN payloads included (a float32 -> float16
    cast quiets signaling NaNs; the payload is the top 10 mantissa bits of the widening)."""
    out = values.astype(np.float16)
    nan = np.isnan(values)
    if nan.any():
        bits = values[nan].view(np.uint32)
        out.view(np.uint16)[nan] = (((bits >> 16) & 0x8000) | 0x7C00 | ((bits >> 13) & 0x3FF)).astype(np.uint16)
    return out


def decode_bytes(data, torch_name: str, shape) -> np.ndarray:
    """C-order little-endian tensor bytes (``tensors`` layout ``data``) -> array of ``shape``.

    A view of ``data`` (no copy) wherever NumPy has the dtype; complex32 is widened to complex64 (the
    same values); bfloat16 without ml_dtypes is widened to float32 with a warning; float8 without
    ml_dtypes raises.
    """
    name = canonical(torch_name)
    shape = tuple(int(d) for d in shape)
    if name == "complex32":
        halves = _exact_bytes(data, np.dtype("<f2"), 2 * _count(shape), name, shape)
        return _half_to_float32(halves).view(np.complex64).reshape(shape)
    dt = numpy_dtype(name, required=False)
    if dt is None:
        if name != "bfloat16":
            raise TorchTensorError(f"{name} tensors need ml_dtypes to decode: pip install ml_dtypes")
        warnings.warn("ml_dtypes is not installed: bfloat16 values are returned as float32 "
                      "(exact values; pip install ml_dtypes to keep the dtype)", stacklevel=3)
        bits = np.frombuffer(data, dtype="<u2")
        out = (bits.astype(np.uint32) << 16).view(np.float32)
        return out.reshape(shape)
    dt = dt.newbyteorder("<") if dt.itemsize > 1 and dt.kind in "iufc" else dt
    return _exact_bytes(data, dt, _count(shape), name, shape).reshape(shape)


def _count(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _exact_bytes(data, dt: np.dtype, count: int, name: str, shape) -> np.ndarray:
    """``count`` values of ``dt`` viewing ``data``, which must hold exactly that many bytes."""
    nbytes = len(memoryview(data).cast("B"))
    if nbytes != count * dt.itemsize:
        raise TorchTensorError(
            f"{name} tensor of shape {list(shape)} needs {count * dt.itemsize} bytes, data has {nbytes}")
    return np.frombuffer(data, dtype=dt, count=count)


def _half_to_float32(halves: np.ndarray) -> np.ndarray:
    """float16 -> float32, bit for bit as the connector widens them: NaNs keep sign and payload and
    stay signalling if they were (a hardware conversion may quiet them), so ``decode`` of the tensors
    layout and the rows layout give the same bits."""
    out = halves.astype(np.float32)
    nan = np.isnan(halves)
    if nan.any():
        h = halves[nan].view(np.uint16).astype(np.uint32)
        out.view(np.uint32)[nan] = ((h & 0x8000) << 16) | 0x7F800000 | ((h & 0x3FF) << 13)
    return out
