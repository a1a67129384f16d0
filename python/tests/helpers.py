"""Comparing arrays from the helper with what torch loads, bit for bit where NumPy lacks the dtype."""
import numpy as np
import torch

# torch dtypes NumPy has no type for: compared on their bits.
_BITS = {torch.bfloat16: torch.int16, torch.float8_e4m3fn: torch.uint8, torch.float8_e5m2: torch.uint8,
         torch.float8_e4m3fnuz: torch.uint8, torch.float8_e5m2fnuz: torch.uint8}


def torch_load(path):
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


def assert_same(actual: np.ndarray, t: torch.Tensor, what: str = ""):
    """Same dtype (torch's, via ml_dtypes for bfloat16/float8), same shape, same bits (NaN
    patterns included: float8 NaNs keep their sign and payload through Spark's float)."""
    want = torch_bits(t)
    assert actual.shape == tuple(t.shape), f"{what}: shape {actual.shape} != {tuple(t.shape)}"
    name = str(t.dtype).removeprefix("torch.")
    if t.is_quantized:
        name = {"qint8": "int8", "quint8": "uint8", "qint32": "int32"}[name]
    assert actual.dtype.name == name, f"{what}: dtype {actual.dtype} != {name}"
    got = array_bits(actual, want)
    if got.dtype.kind in "fc":  # NaN == NaN and -0.0 vs 0.0 through the bits
        got = got.view(f"u{got.dtype.itemsize}") if got.dtype.kind == "f" else got.view(f"u{got.dtype.itemsize // 2}")
        want = want.view(got.dtype)
    np.testing.assert_array_equal(got, want, err_msg=what)
