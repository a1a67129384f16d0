"""torch.save containers and every dtype torch writes, with special values.

Files under ``format/``: one file per dtype in the zip and the legacy container, the pickle
protocols torch can load back, non-default storage alignment, no ``byteorder`` record, zip records
without CRC-32, and an in-memory save (archive folder ``archive/``).

torch 2.x writes uint16/32/64 and the float8 types through ``_rebuild_tensor_v3`` with an
``UntypedStorage`` and a dtype GLOBAL [torch/_tensor.py _reduce_ex_internal]; ``dtype_files``
checks that with pickletools, so the reader's v3 path is exercised by real files.
"""
import io
import pickletools
import zipfile

import torch

import tdutil
from tdutil import save_torch


def _float_specials(dtype):
    fi = torch.finfo(dtype)
    vals = [0.0, -0.0, 1.0, -1.0, 0.5, 1.0 / 3.0, 3.141592653589793, fi.max, fi.min, fi.tiny,
            fi.smallest_normal / 4, -fi.tiny, float("nan"), float("inf"), float("-inf"), fi.eps]
    return torch.tensor(vals, dtype=torch.float64).to(dtype)


def dtype_values():
    """name -> tensor of that dtype holding its edge values, shaped [rows, cols] where possible."""
    g = torch.Generator().manual_seed(1)
    out = {}
    out["float64"] = torch.cat([_float_specials(torch.float64),
                                torch.tensor([5e-324, -5e-324, 2.2250738585072014e-308]),
                                torch.randn(17, generator=g, dtype=torch.float64)]).reshape(6, 6)
    out["float32"] = torch.cat([_float_specials(torch.float32),
                                torch.tensor([1e-45, -1e-45, 1.17e-38], dtype=torch.float32),
                                torch.randn(17, generator=g)]).reshape(6, 6)
    # Every 16-bit and 8-bit pattern: all NaN payloads, subnormals, both zeros and infinities.
    out["float16"] = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(torch.float16).reshape(256, 256)
    out["bfloat16"] = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(torch.bfloat16).reshape(256, 256)
    all8 = torch.arange(256, dtype=torch.int32).to(torch.uint8)
    for name in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu"):
        out[name] = all8.view(getattr(torch, name)).reshape(16, 16)
    for name in ("int8", "int16", "int32", "int64"):
        d = getattr(torch, name)
        ii = torch.iinfo(d)
        edge = torch.tensor([ii.min, ii.max, 0, -1, 1, ii.min + 1, ii.max - 1, 42], dtype=d)
        out[name] = torch.cat([edge, torch.randint(ii.min, ii.max, (16,), generator=g, dtype=torch.int64).to(d)]).reshape(4, 6)
    for name, bits in (("uint8", 8), ("uint16", 16), ("uint32", 32), ("uint64", 64)):
        d = getattr(torch, name)
        top = (1 << bits) - 1
        vals = [0, 1, top, top - 1, 1 << (bits - 1), (1 << (bits - 1)) + 1, (1 << (bits - 1)) - 1, 255 & top]
        vals += [(0x9E3779B97F4A7C15 * (i + 1)) & top for i in range(16)]
        out[name] = torch.tensor(vals, dtype=d).reshape(4, 6)
    out["bool"] = (torch.rand(5, 7, generator=g) > 0.5)
    c = torch.complex(torch.tensor([0.0, -0.0, 1.0, float("nan"), float("inf"), -1.5, 3.4e38, 1e-45]),
                      torch.tensor([1.0, float("-inf"), -0.0, 2.0, float("nan"), 2.5, -3.4e38, -1e-45]))
    out["complex64"] = c.reshape(4, 2)
    # complex32 (chalf): every float16 pattern as a real part and, in reverse order, as an imaginary part.
    out["complex32"] = complex32_of_all_halves().reshape(256, 256)
    out["complex128"] = torch.complex(torch.randn(3, 4, generator=g, dtype=torch.float64),
                                      torch.tensor([[5e-324, -0.0, float("inf"), float("nan")]] * 3, dtype=torch.float64))
    return out


def complex32_of_all_halves() -> torch.Tensor:
    """65536 complex32 values: re runs through every float16 bit pattern, im through them backwards."""
    halves = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(torch.float16)
    return torch.view_as_complex(torch.stack([halves, halves.flip(0)], -1))


V3_DTYPES = {"uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
             "float8_e8m0fnu", "complex32"}


def _pickle_of(path):
    with zipfile.ZipFile(path) as z:
        return z.read(next(n for n in z.namelist() if n.endswith("/data.pkl")))


def _globals(pkl: bytes):
    names = []
    for op, arg, _ in pickletools.genops(pkl):
        if op.name in ("GLOBAL", "INST"):
            names.append(arg.replace(" ", "."))
    return names


def dtype_files(out, rec):
    for name, t in dtype_values().items():
        p = out / "format" / "dtype" / f"zip_{name}.pt"
        save_torch(rec, p, {"x": t, "flat": t.reshape(-1)[:5].clone()})
        rebuild = [g for g in _globals(_pickle_of(p)) if "_rebuild_tensor" in g]
        want = "torch._utils._rebuild_tensor_v3" if name in V3_DTYPES else "torch._utils._rebuild_tensor_v2"
        if set(rebuild) != {want}:
            raise AssertionError(f"{p}: expected {want}, pickle has {rebuild}")
        # torch 2.x cannot load its own legacy files of the v3 dtypes back (legacy load asks the
        # UntypedStorage class for a dtype); the bytes and the v3 call are still well defined.
        save_torch(rec, out / "format" / "dtype" / f"legacy_{name}.pt", {"x": t}, legacy=True,
                   torch_loads=name not in V3_DTYPES)
    big_endian_file(out, rec)
    # A root tensor (key "tensor") in both containers.
    t = dtype_values()["float32"]
    save_torch(rec, out / "format" / "root_tensor_zip.pt", t)
    save_torch(rec, out / "format" / "root_tensor_legacy.pt", t, legacy=True)


def big_endian_file(out, rec):
    """What torch.save writes on a big-endian machine: the ``byteorder`` record says ``big`` and each
    storage record is the storage's memory, its scalars big-endian, a complex value as two
    big-endian halves. Made from a little-endian save by swapping each record per scalar width.

    torch.load swaps typed storages back [torch/serialization.py _load load_tensor ->
    torch/storage.py byteswap: complex dtypes per half], which checks float16 and complex64 here. It
    does not swap the records of ``UntypedStorage`` (the ``_rebuild_tensor_v3`` dtypes, complex32
    and float8_e8m0fnu here): it loads them as uint8, one byte per scalar, so on a little-endian
    machine it returns their big-endian bytes unchanged; that is checked too. The reader swaps every
    dtype by its scalar width, so it reads what the big-endian machine saved: ``obj``."""
    vals = dtype_values()
    obj = {"c32": vals["complex32"][:4].clone(), "e8m0": vals["float8_e8m0fnu"], "f16": vals["float16"][:2].clone(),
           "c64": vals["complex64"]}
    width = {"c32": 2, "e8m0": 1, "f16": 2, "c64": 4}
    src = out / "format" / "dtype" / "le_for_be.tmp"
    torch.save(obj, src)
    p = out / "format" / "dtype" / "zip_big_endian.pt"
    # torch names the records 0, 1, ... in the order the pickler meets the storages: dict order here,
    # one storage per tensor [torch/serialization.py _save persistent_id]; the sizes confirm it.
    keys_by_record = {str(i): k for i, k in enumerate(obj)}
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as dst:
        for r, k in keys_by_record.items():
            if z.getinfo(f"le_for_be/data/{r}").file_size != obj[k].numel() * obj[k].element_size():
                raise AssertionError(f"{p}: record {r} is not the storage of {k}")
        for info in z.infolist():
            data = z.read(info.filename)
            name = info.filename.split("/", 1)[1]
            if name == "byteorder":
                data = b"big"
            elif name.startswith("data/") and name[5:] in keys_by_record:
                w = width[keys_by_record[name[5:]]]
                data = b"".join(data[i:i + w][::-1] for i in range(0, len(data), w))
            dst.writestr(info.filename.replace("le_for_be/", "zip_big_endian/", 1), data)
    src.unlink()
    back = torch.load(p)
    typed = {k: obj[k] for k in ("f16", "c64")}
    tdutil.check_same(p, typed, {k: back[k] for k in typed})
    with zipfile.ZipFile(p) as z:
        for r, k in keys_by_record.items():
            if k not in typed and bytes(back[k].untyped_storage()) != z.read(f"zip_big_endian/data/{r}"):
                raise AssertionError(f"{p}: torch.load changed the UntypedStorage record of {k}")
    rec.tensors(p, obj, tdutil.ZIP)


def protocol_files(out, rec):
    vals = dtype_values()
    obj = {"f32": vals["float32"], "i64": vals["int64"], "u16": vals["uint16"], "bf16": vals["bfloat16"][:4],
           "epoch": 3, "name": "proto"}
    # Protocol 0 writes the persistent id as text, which torch.load itself rejects; protocol 3 adds
    # only the bytes opcodes to 2, which tensor pickles do not use (torch's default is 2).
    for p in (1, 2, 4, 5):
        save_torch(rec, out / "format" / "protocol" / f"zip_proto{p}.pt", obj, protocol=p)
    legacy_obj = {k: v for k, v in obj.items() if k != "u16"}
    for p in (1, 2, 4):
        save_torch(rec, out / "format" / "protocol" / f"legacy_proto{p}.pt", legacy_obj, legacy=True, protocol=p)


def data_starts(path):
    """Record name -> offset of its first data byte, from each local file header (APPNOTE 4.3.7)."""
    blob = path.read_bytes()
    starts = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            h = info.header_offset
            name_len = int.from_bytes(blob[h + 26:h + 28], "little")
            extra_len = int.from_bytes(blob[h + 28:h + 30], "little")
            starts[info.filename] = h + 30 + name_len + extra_len
    return {n: s for n, s in starts.items() if "/data/" in n and not n.endswith("serialization_id")}


def zip_variant_files(out, rec):
    vals = dtype_values()
    obj = {"a": vals["float32"], "b": vals["int16"], "c": vals["bool"]}
    for align in (64, 128, 4096):
        with tdutil.save_config(storage_alignment=align):
            p = out / "format" / "zip" / f"align_{align}.pt"
            save_torch(rec, p, obj, storage_alignment=align)
        with zipfile.ZipFile(p) as z:
            rec_name = next(n for n in z.namelist() if n.endswith(".storage_alignment"))
            if z.read(rec_name) != str(align).encode():
                raise AssertionError(f"{p}: .storage_alignment is {z.read(rec_name)!r}")
        for name, start in data_starts(p).items():
            if start % align:
                raise AssertionError(f"{p}: {name} starts at {start}, not a multiple of {align}")
    # torch 2.x's C++ writer adds the byteorder record at the end of the archive even when
    # _disable_byteorder_record skips the Python one [caffe2/serialize/inline_container.cc
    # writeEndOfFile], so this file has it after the data records.
    p = out / "format" / "zip" / "byteorder_last.pt"
    save_torch(rec, p, obj, _disable_byteorder_record=True)
    with zipfile.ZipFile(p) as z:
        if not z.namelist()[-2].endswith("/byteorder"):
            raise AssertionError(f"{p}: {z.namelist()}")
    # No byteorder record at all (files from torch < 2.1): rewritten by Python's zipfile, which also
    # drops the 64-byte alignment padding; torch.load reads it as little-endian.
    q = out / "format" / "zip" / "no_byteorder_unaligned.pt"
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(q, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            if not info.filename.endswith("/byteorder"):
                dst.writestr(info.filename, src.read(info.filename))
    tdutil.check_same(q, obj, torch.load(q))
    rec.tensors(q, obj, tdutil.ZIP)
    if hasattr(torch.serialization, "set_crc32_options"):
        torch.serialization.set_crc32_options(False)
        try:
            save_torch(rec, out / "format" / "zip" / "no_crc32.pt", obj, crc32=False)
        finally:
            torch.serialization.set_crc32_options(True)
    # Saved to a buffer: torch names the archive folder "archive" instead of the file stem.
    buf = io.BytesIO()
    torch.save(obj, buf)
    p = out / "format" / "zip" / "bytesio_archive_prefix.pt"
    p.write_bytes(buf.getvalue())
    with zipfile.ZipFile(p) as z:
        if not z.namelist()[0].startswith("archive/"):
            raise AssertionError(f"{p}: {z.namelist()}")
    back = torch.load(p)
    tdutil.check_same(p, obj, back)
    rec.tensors(p, obj, tdutil.ZIP)
    # A folder name with a dot, spaces and non-ASCII letters, taken from the file name.
    save_torch(rec, out / "format" / "zip" / "odd name.v1 é.pt", obj)
    # Many small tensors: index cost, and record names data/0 .. data/299.
    many = {f"layer{i}.w": torch.full((2, 3), float(i)) for i in range(300)}
    save_torch(rec, out / "format" / "zip" / "many_tensors.pt", many)


def generate(out, rec):
    dtype_files(out, rec)
    protocol_files(out, rec)
    zip_variant_files(out, rec)
