"""Helpers shared by the ``cases_format*`` modules: how a saved object maps to reader keys and
metadata leaves, saving with torch and checking the file by loading it back with torch.

Key rules (the reader's contract, see TensorFile.metadata() and DESIGN.md "Keys"):

* dict / OrderedDict items are walked, the key segment is ``str(key)`` (int keys of optimizer
  states become ``"0"``); the OrderedDict ``_metadata`` attribute of a state_dict is not an item and
  is not reported;
* a list or tuple is walked by index when it holds a tensor or a dict anywhere below it, otherwise
  it is one metadata leaf (a JSON list); ``torch.Size`` is such a leaf;
* a root tensor's key is ``tensor``;
* sparse COO ``k`` gives ``k.indices`` and ``k.values``; CSR gives ``k.crow_indices``,
  ``k.col_indices`` and ``k.values``;
* a quantized ``k`` is its int_repr values (dtype qint8 / quint8 / qint32); per-channel adds
  ``k.q_scales`` (float64) and ``k.q_zero_points`` (int64);
* metadata leaves: int, float, str, bool, None as JSON; dtypes as ``"torch.float16"``.
"""
import contextlib
import hashlib
import math
import pathlib

import warnings

import torch
import torch.serialization as ts

# The cases use deprecated or prototype torch features on purpose (TypedStorage, quantized, sparse
# CSR, nested tensors, TorchScript): their warnings say nothing about the files being right.
for _pattern in ("TypedStorage is deprecated", r"`torch\.jit\.script` is deprecated",
                 "nested tensors is in prototype", "Sparse invariant checks", "Sparse CSR tensor support",
                 "quantized tensor creation functions", "looks like a TorchScript archive",
                 "Detected pickle protocol", "ComplexHalf support is experimental"):
    warnings.filterwarnings("ignore", message=f".*{_pattern}")

ZIP = "torch-zip"
LEGACY = "torch-legacy"
SAFETENSORS = "safetensors"


def _holds_structure(obj) -> bool:
    if isinstance(obj, (torch.Tensor, dict)):
        return True
    if isinstance(obj, (list, tuple)) and not isinstance(obj, torch.Size):
        return any(_holds_structure(v) for v in obj)
    return False


def _leaf(v):
    if isinstance(v, torch.dtype):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_leaf(x) for x in v]
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise TypeError(f"no metadata rule for {type(v).__name__}: {v!r}")


def _join(prefix: str, seg) -> str:
    return str(seg) if prefix == "" else f"{prefix}.{seg}"


def flatten(obj):
    """(tensors, metadata): reader key -> dense torch tensor, metadata key -> JSON value."""
    tensors, metadata = {}, {}

    def add_tensor(key, t):
        if t.layout == torch.sparse_coo:
            tensors[key + ".indices"] = t._indices()
            tensors[key + ".values"] = t._values()
        elif t.layout == torch.sparse_csr:
            tensors[key + ".crow_indices"] = t.crow_indices()
            tensors[key + ".col_indices"] = t.col_indices()
            tensors[key + ".values"] = t.values()
        elif t.is_quantized:
            tensors[key] = t
            if t.qscheme() in (torch.per_channel_affine, torch.per_channel_affine_float_qparams):
                tensors[key + ".q_scales"] = t.q_per_channel_scales()
                tensors[key + ".q_zero_points"] = t.q_per_channel_zero_points()
        else:
            tensors[key] = t

    def walk(prefix, v):
        if isinstance(v, torch.Tensor):
            add_tensor(prefix or "tensor", v)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(_join(prefix, k), x)
        elif isinstance(v, (list, tuple)) and not isinstance(v, torch.Size) and _holds_structure(v):
            for i, x in enumerate(v):
                walk(_join(prefix, i), x)
        else:
            metadata[prefix] = _leaf(v)

    walk("", obj)
    return tensors, metadata


def resolved(t: torch.Tensor) -> torch.Tensor:
    """``t.resolve_conj().resolve_neg()``: the values of a lazy conj / neg view, as the reader returns them.

    Negation is IEEE negation, a sign-bit flip, as torch's neg kernel does it for real floats (NaN
    and zeros included) and its scalar complex kernel too. torch's vectorized complex kernel computes
    ``0 - z`` instead, which keeps the sign of a NaN and turns -0.0 into +0.0, so torch's own bits for
    those depend on the tensor's size; the same values, compared bit for bit here with the flip
    (NumPy's ``np.negative`` flips too).
    """
    t = t.detach()
    if t.is_quantized:
        return t
    if t.dtype == torch.complex32 and (t.is_conj() or t.is_neg()):
        # torch's complex32 kernels go through float and back, which quiets a signalling NaN half
        # (and it has no kernel at all for both bits); the values are the sign flips, done on the bits.
        conj, neg = t.is_conj(), t.is_neg()
        plain = torch._neg_view(t) if neg else t           # clears the neg bit (no data touched)
        plain = plain.conj() if conj else plain            # clears the conj bit
        halves = torch.view_as_real(plain).contiguous().view(torch.int16).clone()
        if neg:
            halves[..., 0] ^= -32768
        if conj ^ neg:
            halves[..., 1] ^= -32768
        return torch.view_as_complex(halves.view(torch.float16))
    if t.is_complex() and t.is_neg():
        parts = torch.view_as_real(torch._neg_view(t).resolve_conj()).contiguous()  # neg bit cleared
        return torch.view_as_complex(-parts)   # real-float negation: a sign-bit flip per part
    return t.resolve_conj().resolve_neg()


def raw(t: torch.Tensor) -> bytes:
    """Bytes of a dense tensor as the reader returns them (C order, little-endian, raw bits)."""
    t = t.detach()
    if t.is_quantized:
        t = t.int_repr()
    else:
        t = resolved(t)
    t = t.contiguous()
    if t.is_complex():
        t = torch.view_as_real(t).contiguous()
    return t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""


def check_same(path, want: dict, got: dict):
    """Fails generation when torch does not load back what was saved (keys, dtypes, shapes, bytes)."""
    if list(want) != list(got):
        raise AssertionError(f"{path}: keys {list(want)} loaded back as {list(got)}")
    for k in want:
        a, b = want[k], got[k]
        if a.dtype != b.dtype or tuple(a.shape) != tuple(b.shape) or raw(a) != raw(b):
            raise AssertionError(f"{path}: {k} differs after torch.load")
        if bool(a.requires_grad) != bool(b.requires_grad):
            raise AssertionError(f"{path}: {k} requires_grad differs after torch.load")


def _same_meta(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def save_torch(rec, path: pathlib.Path, obj, *, legacy=False, protocol=2, device=None,
               torch_loads=True, **extra):
    """torch.save ``obj`` to ``path``, load it back with torch and record what the reader must see."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_kwargs = {k: extra.pop(k) for k in list(extra) if k.startswith("_")}
    torch.save(obj, path, pickle_protocol=protocol, _use_new_zipfile_serialization=not legacy,
               **save_kwargs)
    tensors, metadata = flatten(obj)
    if torch_loads:
        back = torch.load(path, map_location="cpu", weights_only=False)
        got_t, got_m = flatten(back)
        check_same(path, tensors, got_t)
        if list(got_m) != list(metadata) or not all(_same_meta(metadata[k], got_m[k]) for k in metadata):
            raise AssertionError(f"{path}: metadata {metadata} loaded back as {got_m}")
    rec.tensors(path, tensors, LEGACY if legacy else ZIP, device=device, metadata=metadata,
                protocol=protocol, **extra)
    return tensors


@contextlib.contextmanager
def saved_locations(by_storage: dict):
    """Makes torch.save write the location ``by_storage[data_ptr]`` for those storages.

    torch.serialization.location_tag asks the registered taggers in priority order
    [torch/serialization.py register_package]; ours runs first and answers only for the storages
    named, so torch itself writes e.g. ``'cuda:0'`` into the persistent id without a GPU.
    """
    def tagger(storage):
        return by_storage.get(storage.data_ptr())

    def deserializer(storage, location):
        return None

    entry = (-1000, tagger, deserializer)
    ts._package_registry.append(entry)
    ts._package_registry.sort(key=lambda e: e[0])
    try:
        yield
    finally:
        ts._package_registry.remove(entry)


@contextlib.contextmanager
def save_config(**values):
    """Temporarily sets torch.utils.serialization.config.save options (storage_alignment, ...)."""
    from torch.utils.serialization import config
    old = {k: getattr(config.save, k) for k in values}
    for k, v in values.items():
        setattr(config.save, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(config.save, k, v)


def sha256_hex(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()
