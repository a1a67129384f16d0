"""Comparing arrays from the helper with what torch loads, bit for bit where NumPy lacks the dtype."""
import warnings

import numpy as np
import torch

# torch dtypes NumPy has no type for: compared on their bits.
_BITS = {torch.bfloat16: torch.int16, torch.float8_e4m3fn: torch.uint8, torch.float8_e5m2: torch.uint8,
         torch.float8_e4m3fnuz: torch.uint8, torch.float8_e5m2fnuz: torch.uint8,
         torch.float8_e8m0fnu: torch.uint8}


def torch_load(path):
    with warnings.catch_warnings():  # loading a complex32 tensor says ComplexHalf is experimental
        warnings.filterwarnings("ignore", message=".*ComplexHalf support is experimental")
        return torch.load(path, weights_only=True, map_location="cpu")


def torch_bits(t: torch.Tensor) -> np.ndarray:
    """What a torch tensor holds as a NumPy array: .numpy() where torch allows, else its raw bits."""
    t = t.detach().cpu()
    if t.is_quantized:
        t = t.int_repr()
    if t.dtype in _BITS:
        return t.view(_BITS[t.dtype]).numpy()
    return t.numpy()


def array_bits(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``a`` as comparable values: ml_dtypes arrays viewed as the integer of their width."""
    if a.dtype.kind == "V" or a.dtype.name in ("bfloat16",) or a.dtype.name.startswith("float8"):
        return a.view(like.dtype)
    return a


def complex32_bits(t: torch.Tensor) -> np.ndarray:
    """The float32 bits of complex32 ``t`` as complex64, flat (re, im): torch's ``t.to(complex64)``,
    which is exact for numbers; a NaN half keeps its sign and payload, signalling or not (torch's
    conversion quiets a signalling NaN, the connector keeps every bit, as for float16)."""
    t = t.detach().cpu()
    h = torch.view_as_real(t).contiguous().view(torch.int16).numpy().view(np.uint16).reshape(-1).astype(np.uint32)
    want = torch.view_as_real(t.to(torch.complex64)).contiguous().numpy().view(np.uint32).reshape(-1).copy()
    nan = ((h & 0x7C00) == 0x7C00) & ((h & 0x3FF) != 0)
    want[nan] = ((h[nan] & 0x8000) << 16) | 0x7F800000 | ((h[nan] & 0x3FF) << 13)
    return want


def assert_same(actual: np.ndarray, t: torch.Tensor, what: str = ""):
    """Same dtype (torch's, via ml_dtypes for bfloat16/float8; complex64 for complex32, which NumPy
    lacks), same shape, same bits (NaN patterns included: float8 NaNs keep their sign and payload
    through Spark's float, float16 halves of complex32 theirs)."""
    assert actual.shape == tuple(t.shape), f"{what}: shape {actual.shape} != {tuple(t.shape)}"
    if t.dtype == torch.complex32:
        assert actual.dtype == np.complex64, f"{what}: dtype {actual.dtype} != complex64 (for complex32)"
        np.testing.assert_array_equal(np.ascontiguousarray(actual).view(np.uint32).reshape(-1),
                                      complex32_bits(t), err_msg=what)
        return
    want = torch_bits(t)
    name = str(t.dtype).removeprefix("torch.")
    if t.is_quantized:
        name = {"qint8": "int8", "quint8": "uint8", "qint32": "int32"}[name]
    assert actual.dtype.name == name, f"{what}: dtype {actual.dtype} != {name}"
    got = array_bits(actual, want)
    if got.dtype.kind in "fc":  # NaN == NaN and -0.0 vs 0.0 through the bits
        got = got.view(f"u{got.dtype.itemsize}") if got.dtype.kind == "f" else got.view(f"u{got.dtype.itemsize // 2}")
        want = want.view(got.dtype)
    np.testing.assert_array_equal(got, want, err_msg=what)
