"""Strided views and saved device locations, in the zip and the legacy container.

torch.save writes a view as (whole storage, storage_offset, size, stride) [torch/_tensor.py
_reduce_ex_internal]; the reader materializes C order. Views sharing one storage are written once.
"""
import torch

import tdutil
from tdutil import save_torch


def views():
    base = torch.arange(60, dtype=torch.float32).reshape(6, 10)
    cube = torch.arange(2 * 3 * 4, dtype=torch.int64).reshape(2, 3, 4)
    return {
        "base": base,
        "transpose": base.t(),                       # strides (1, 10)
        "step_rows": base[::2],                      # stride (20, 1)
        "step_cols": base[:, 1::3],                  # offset 1, strides (10, 3)
        "row_offset": base[3:5],                     # offset 30, contiguous
        "element": base[2, 7],                       # 0-dim view at offset 27
        "expand": torch.arange(4, dtype=torch.float64).reshape(1, 4).expand(5, 4),   # stride (0, 1)
        "expand_scalar": torch.tensor(7, dtype=torch.int16).expand(3, 2),            # strides (0, 0)
        "fortran": cube.permute(2, 1, 0).contiguous().permute(2, 1, 0),              # strides (1, 2, 6)
        "permute": cube.permute(1, 2, 0),
        "diagonal": base[:, :6].diagonal(),          # stride 11
        "zero_dim": torch.tensor(3.5, dtype=torch.float32),
        "empty_2x0": torch.empty(2, 0, dtype=torch.float32),
        "empty_0x3": torch.empty(0, 3, dtype=torch.int32),
        "narrow_last": base[5:, 9:],                 # last element of the storage
    }


def view_files(out, rec):
    v = views()
    save_torch(rec, out / "format" / "views" / "zip_views.pt", v)
    save_torch(rec, out / "format" / "views" / "legacy_views.pt", v, legacy=True)
    # Views that share one storage, alone in a file (no "base" key holding the whole storage).
    big = torch.randn(8, 16, generator=torch.Generator().manual_seed(3))
    shared = {"top": big[:4], "bottom": big[4:], "cols": big[:, ::4], "t": big.t()}
    for legacy in (False, True):
        name = "legacy_shared_storage.pt" if legacy else "zip_shared_storage.pt"
        save_torch(rec, out / "format" / "views" / name, shared, legacy=legacy)
    # Views over a 6 MiB storage: large strided spans, so readers that split or cache spans are
    # exercised beyond a single small read (the row-chunked pass reads them 3 rows at a time).
    wide = torch.randn(1536, 1024, generator=torch.Generator().manual_seed(12))
    save_torch(rec, out / "format" / "views" / "big_views.pt",
               {"t": wide.t(), "step": wide[::3, ::2], "middle": wide[100:1400], "col": wide[:, 777]})
    # A root tensor that is a non-contiguous view.
    save_torch(rec, out / "format" / "views" / "root_transposed.pt", big.t())
    # bfloat16 and complex views: gathering keeps 2- and 16-byte elements whole. (Lazy conj/neg
    # views are in cases_format_conjneg.py.)
    bf = torch.arange(48, dtype=torch.float32).reshape(6, 8).to(torch.bfloat16)
    cx = torch.complex(torch.arange(12.0, dtype=torch.float64), -torch.arange(12.0, dtype=torch.float64)).reshape(3, 4)
    save_torch(rec, out / "format" / "views" / "typed_views.pt",
               {"bf16_t": bf.t(), "bf16_step": bf[1::2, ::3], "c128_t": cx.t(), "c128_col": cx[:, 2]})
    # The _rebuild_tensor_v3 dtypes with 4- and 1-byte elements: complex32 pairs stay whole.
    c32 = torch.complex(torch.arange(12.0), -torch.arange(12.0) / 8).to(torch.complex32).reshape(3, 4)
    e8 = torch.arange(48, dtype=torch.uint8).reshape(6, 8).view(torch.float8_e8m0fnu)
    save_torch(rec, out / "format" / "views" / "v3_views.pt",
               {"c32_t": c32.t(), "c32_step": c32[::2, 1::2], "e8m0_t": e8.t(), "e8m0_col": e8[:, 5]})


def device_files(out, rec):
    """Tensors whose storages torch itself tags 'cuda:0' and 'cuda:1' (no GPU needed)."""
    g = torch.Generator().manual_seed(4)
    w0 = torch.randn(4, 3, generator=g)
    w1 = torch.randint(0, 100, (5,), generator=g, dtype=torch.int64)
    h = torch.randn(2, 2, generator=g).to(torch.float16)
    obj = {"w0": w0, "w0_t": w0.t(), "w1": w1, "host": h}
    where = {w0.untyped_storage().data_ptr(): "cuda:0", w1.untyped_storage().data_ptr(): "cuda:1"}
    device = {"w0": "cuda:0", "w0_t": "cuda:0", "w1": "cuda:1", "host": "cpu"}
    for legacy in (False, True):
        p = out / "format" / "device" / ("legacy_cuda.pt" if legacy else "zip_cuda.pt")
        with tdutil.saved_locations(where):
            save_torch(rec, p, obj, legacy=legacy, device=device)
        _check_locations(p, {"cuda:0", "cuda:1", "cpu"})
    # A single root tensor saved from cuda:0.
    p = out / "format" / "device" / "zip_cuda_root.pt"
    with tdutil.saved_locations({w0.untyped_storage().data_ptr(): "cuda:0"}):
        save_torch(rec, p, w0, device={"tensor": "cuda:0"})
    _check_locations(p, {"cuda:0"})


def _check_locations(path, want):
    """The persistent ids in the pickle name exactly these locations (read without unpickling)."""
    blob = path.read_bytes()
    for loc in want:
        if loc.encode() not in blob:
            raise AssertionError(f"{path}: location {loc} not written")


def generate(out, rec):
    view_files(out, rec)
    device_files(out, rec)
