"""Lazy conj and neg views, in the zip and the legacy container, under ``format/conj_neg/``.

``z.conj()`` of a complex tensor, ``z.conj().imag`` and ``torch._neg_view(x)`` share the storage of
their base and only set a bit. torch.save writes that storage unchanged plus the last argument of
``_rebuild_tensor_v2/v3``: ``{'conj': True}``, ``{'neg': True}`` or both [torch/_tensor.py
_reduce_ex_internal, torch/_utils.py get_tensor_metadata]. What the reader must return is the
resolved value, ``t.resolve_conj().resolve_neg()``: the recorder hashes exactly that.

Views torch itself cannot resolve (no negation kernel for float8, uint16 and bool, none for a
complex32 view with both bits) are refused. complex32 conj and neg views are resolved by the same
sign flips on its float16 halves.
"""
import torch
from torch import nn

from cases_format import complex32_of_all_halves
from tdutil import save_torch


def _check_bits(t, conj, neg, what):
    if t.is_conj() != conj or t.is_neg() != neg:
        raise AssertionError(f"{what}: is_conj={t.is_conj()} is_neg={t.is_neg()}, wanted {conj}, {neg}")


def _sixteen_bit_patterns(dtype):
    """Every 16-bit pattern of a 2-byte float: NaN payloads, both zeros, subnormals, infinities."""
    return torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(dtype).reshape(256, 256)


def views():
    g = torch.Generator().manual_seed(21)
    z64 = torch.complex(torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g))
    z64[0, :4] = torch.complex(torch.tensor([0.0, float("nan"), -0.0, float("inf")]),
                               torch.tensor([-0.0, float("nan"), 0.0, float("-inf")]))
    z128 = torch.randn(3, 5, generator=g, dtype=torch.complex128)
    w = torch.randn(2, 5, generator=g, dtype=torch.complex64)
    f32 = torch.randn(5, 4, generator=g)
    f32[0] = torch.tensor([0.0, -0.0, float("nan"), float("-inf")])
    f64 = torch.randn(3, 7, generator=g, dtype=torch.float64)
    v = {
        # The base and its conj/neg views share one storage: its bytes are read once, resolved per view.
        "c64": z64,
        "c64_conj": z64.conj(),
        "c64_conj_t": z64.conj().t(),                    # strides (1, 6)
        "c64_conj_step": z64.conj()[1::2, ::3],          # offset 6, strides (12, 3)
        "c64_neg": torch._neg_view(z64),
        "c64_conj_neg": torch._neg_view(z64.conj()),     # both bits: only the real part changes sign
        "c128_conj": z128.conj(),
        "c128_conj_neg_row": torch._neg_view(z128.conj())[2],
        # A float32 view of complex data with the neg bit: saved as FloatStorage, offset 1, stride 2.
        "f32_neg_imag": w.conj().imag,
        "f32": f32,
        "f32_neg": torch._neg_view(f32),
        "f64_neg_t": torch._neg_view(f64).t(),
        "f16_neg": torch._neg_view(_sixteen_bit_patterns(torch.float16)),
        "bf16_neg": torch._neg_view(_sixteen_bit_patterns(torch.bfloat16)),
        "i8_neg": torch._neg_view(torch.tensor([0, 1, -1, -128, 127], dtype=torch.int8)),
        "u8_neg": torch._neg_view(torch.tensor([0, 1, 2, 100, 255], dtype=torch.uint8)),
        "i16_neg": torch._neg_view(torch.tensor([0, -32768, 32767, 5], dtype=torch.int16)),
        "i32_neg": torch._neg_view(torch.randint(-2**31, 2**31 - 1, (3, 4), generator=g, dtype=torch.int32)),
        "i64_neg": torch._neg_view(torch.tensor([-2**63, 2**63 - 1, 0, 7], dtype=torch.int64)),
    }
    _check_bits(v["c64_conj"], True, False, "c64_conj")
    _check_bits(v["c64_conj_neg"], True, True, "c64_conj_neg")
    _check_bits(v["f32_neg_imag"], False, True, "f32_neg_imag")
    _check_bits(v["u8_neg"], False, True, "u8_neg")
    return v


def view_files(out, rec):
    d = out / "format" / "conj_neg"
    v = views()
    for legacy in (False, True):
        p = d / ("legacy_views.pt" if legacy else "zip_views.pt")
        save_torch(rec, p, v, legacy=legacy)
        blob = p.read_bytes()
        if b"conj" not in blob or b"neg" not in blob:
            raise AssertionError(f"{p}: no conj/neg tensor metadata written")
    # A root tensor that is a conj view, and one read through protocol 4.
    save_torch(rec, d / "zip_root_conj.pt", v["c64_conj_step"])
    save_torch(rec, d / "zip_protocol4.pt", {"c": v["c128_conj"], "n": v["f16_neg"]}, protocol=4)


def complex32_files(out, rec):
    """conj / neg views of complex32 over every float16 pattern in both halves, zip and legacy.

    torch writes complex32 through _rebuild_tensor_v3, whose legacy files torch 2.x cannot load back
    (legacy load asks the UntypedStorage class for a dtype), so only the zip file is loaded back.
    """
    z = complex32_of_all_halves().reshape(256, 256)
    v = {
        "c32": z,
        "c32_conj": z.conj(),
        "c32_neg_t": torch._neg_view(z).t(),             # strides (1, 256)
        "c32_conj_step": z.conj()[1::3, ::5],
    }
    _check_bits(v["c32_conj"], True, False, "c32_conj")
    _check_bits(v["c32_neg_t"], False, True, "c32_neg_t")
    d = out / "format" / "conj_neg"
    save_torch(rec, d / "zip_complex32.pt", v)
    save_torch(rec, d / "legacy_complex32.pt", v, legacy=True, torch_loads=False)


def state_dict_file(out, rec):
    """A complex module's state dict whose tensors are conj/neg views, and Parameters that are."""
    torch.manual_seed(5)
    lin = nn.Linear(3, 2, dtype=torch.complex64)
    sd = lin.state_dict()
    sd["weight"] = sd["weight"].conj()
    sd["bias"] = torch._neg_view(sd["bias"])
    p = out / "format" / "conj_neg" / "zip_state_dict.pt"
    save_torch(rec, p, sd)
    g = torch.Generator().manual_seed(22)
    params = {"w": nn.Parameter(torch.randn(2, 3, generator=g, dtype=torch.complex128).conj()),
              "n": nn.Parameter(torch._neg_view(torch.randn(4, generator=g)))}
    _check_bits(params["w"], True, False, "Parameter(conj)")
    _check_bits(params["n"], False, True, "Parameter(neg)")
    for legacy in (False, True):
        name = "legacy_parameters.pt" if legacy else "zip_parameters.pt"
        save_torch(rec, out / "format" / "conj_neg" / name, params, legacy=legacy)


def _torch_cannot_resolve(t) -> bool:
    try:
        t.resolve_conj().resolve_neg()
    except (NotImplementedError, RuntimeError):
        return True
    return False


def refused_files(out, rec):
    d = out / "format" / "conj_neg"
    cases = [
        ("refused_f8_neg.pt", torch._neg_view(torch.arange(4.0).to(torch.float8_e4m3fn)), "UNSUPPORTED_TENSOR"),
        ("refused_u16_neg.pt", torch._neg_view(torch.arange(4, dtype=torch.int32).to(torch.uint16)),
         "UNSUPPORTED_TENSOR"),
        ("refused_bool_neg.pt", torch._neg_view(torch.tensor([True, False])), "UNSUPPORTED_TENSOR"),
        ("refused_e8m0_neg.pt", torch._neg_view(torch.tensor([1.0, 2.0, 0.5]).to(torch.float8_e8m0fnu)),
         "UNSUPPORTED_TENSOR"),
        # Both bits on complex32: torch has no "neg_conj" kernel for it.
        ("refused_c32_conj_neg.pt",
         torch._neg_view(torch.complex(torch.arange(3.0), torch.ones(3)).to(torch.complex32).conj()),
         "UNSUPPORTED_TENSOR"),
    ]
    for name, t, reason in cases:
        if not _torch_cannot_resolve(t):
            raise AssertionError(f"{name}: torch resolves it; the reader should too")
        torch.save({"x": t}, d / name)
        if b"neg" not in (d / name).read_bytes():
            raise AssertionError(f"{name}: no neg tensor metadata written")
        rec.refused(d / name, reason)


def generate(out, rec):
    (out / "format" / "conj_neg").mkdir(parents=True, exist_ok=True)
    view_files(out, rec)
    complex32_files(out, rec)
    state_dict_file(out, rec)
    refused_files(out, rec)
