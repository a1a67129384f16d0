"""Files the reader must refuse, each with its TensorFormatException.Reason name.

The hostile pickles are byte literals: they are written, never unpickled (not even by torch).
Every torch-written file here is also checked to be refused by ``torch.load(weights_only=True)``
where torch refuses it too, so the reader is no more permissive than torch's safe loader.
"""
import io
import pickle
import tarfile
import zipfile

import torch
from torch import nn

from cases_format_objects import Net

# GLOBAL 'posix system', BINUNICODE 'echo pwned', TUPLE1, REDUCE, STOP (protocol 2).
POSIX_SYSTEM = (b"\x80\x02cposix\nsystem\nq\x00X\n\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03.")
# SHORT_BINUNICODE 'builtins', 'exec', STACK_GLOBAL, argument, TUPLE1, REDUCE, STOP (protocol 4).
BUILTINS_EXEC = (b"\x80\x04\x95\x2a\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x04exec\x94\x93\x94"
                 b"\x8c\x0eprint('pwned')\x94\x85\x94R\x94.")
# A state dict whose second value is os.system('echo pwned'): the call hides among allowed ones.
DICT_WITH_SYSTEM = (b"\x80\x02}q\x00(X\x05\x00\x00\x00epochq\x01K\x03X\x03\x00\x00\x00cmdq\x02"
                    b"cos\nsystem\nq\x03X\n\x00\x00\x00echo pwnedq\x04\x85q\x05Rq\x06u.")


class MyTensor(torch.Tensor):
    """A tensor subclass: saved through _rebuild_from_type_v2 with this class as a GLOBAL."""


def _torch_zip(path, folder, data_pkl):
    """A zip laid out like torch.save's, around a hand-made data.pkl."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{folder}/data.pkl", data_pkl)
        z.writestr(f"{folder}/byteorder", "little")
        z.writestr(f"{folder}/version", "3\n")


def _legacy(path, object_pickle):
    """A legacy stream: magic number, protocol version, sys info, then the object pickle
    [torch/serialization.py _legacy_save]; no storages follow."""
    head = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
    head += pickle.dumps({"protocol_version": 1001, "little_endian": True,
                          "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
    path.write_bytes(head + object_pickle)


def _torch_refuses(path):
    try:
        torch.load(path, weights_only=True)
    except Exception:
        return True
    return False


def hostile_files(out, rec):
    d = out / "format" / "refused"
    d.mkdir(parents=True, exist_ok=True)
    for name, pkl in (("posix_system", POSIX_SYSTEM), ("builtins_exec", BUILTINS_EXEC),
                      ("dict_os_system", DICT_WITH_SYSTEM)):
        _torch_zip(d / f"zip_{name}.pt", f"zip_{name}", pkl)
        rec.refused(d / f"zip_{name}.pt", "FORBIDDEN_GLOBAL")
        _legacy(d / f"legacy_{name}.pt", pkl)
        rec.refused(d / f"legacy_{name}.pt", "FORBIDDEN_GLOBAL")


def torch_refused_files(out, rec):
    d = out / "format" / "refused"
    cases = []
    sub = torch.arange(6.0).reshape(2, 3).as_subclass(MyTensor)
    torch.save({"x": sub}, d / "tensor_subclass.pt")
    # The subclass is a GLOBAL outside the allow-list, refused by name where it appears [DESIGN.md].
    cases.append(("tensor_subclass.pt", "FORBIDDEN_GLOBAL", True))
    torch.save(nn.Linear(3, 2), d / "whole_module.pt")
    cases.append(("whole_module.pt", "FORBIDDEN_GLOBAL", True))
    torch.save(nn.Linear(3, 2), d / "whole_module_legacy.pt", _use_new_zipfile_serialization=False)
    cases.append(("whole_module_legacy.pt", "FORBIDDEN_GLOBAL", True))
    torch.save({"nt": torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])}, d / "nested_tensor.pt")
    cases.append(("nested_tensor.pt", "UNSUPPORTED_TENSOR", False))
    torch.save({"m": torch.ones(2, 3, device="meta")}, d / "meta_tensor.pt")
    cases.append(("meta_tensor.pt", "UNSUPPORTED_TENSOR", False))
    torch.manual_seed(0)
    torch.jit.script(Net().eval()).save(str(d / "torchscript.pt"))
    cases.append(("torchscript.pt", "TORCHSCRIPT", True))
    for name, reason, torch_too in cases:
        if torch_too and not _torch_refuses(d / name):
            raise AssertionError(f"{name}: torch.load(weights_only=True) accepts it")
        rec.refused(d / name, reason)


def not_tensor_files(out, rec):
    d = out / "format" / "refused"
    (d / "text.pt").write_bytes(b"this is not a tensor file\n")
    (d / "png.pt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32))
    (d / "empty.pt").write_bytes(b"")
    # A plain pickle of data, without torch's magic number: not a torch.save stream.
    (d / "plain_pickle.pt").write_bytes(pickle.dumps({"a": [1, 2, 3]}, protocol=2))
    buf = io.BytesIO()
    import numpy as np
    np.save(buf, np.arange(4, dtype=np.float32))
    (d / "numpy.npy").write_bytes(buf.getvalue())
    for name in ("text.pt", "png.pt", "empty.pt", "plain_pickle.pt", "numpy.npy"):
        rec.refused(d / name, "NOT_A_TENSOR_FILE")
    # The pre-0.1.10 tar container: members sys_info, pickle, tensors, storages
    # [torch/serialization.py _legacy_load legacy_load].
    with tarfile.open(d / "tar_era.pt", "w", format=tarfile.PAX_FORMAT) as tar:
        for member, payload in (("sys_info", pickle.dumps({"little_endian": True}, protocol=2)),
                                ("pickle", pickle.dumps({}, protocol=2)),
                                ("tensors", pickle.dumps(0, protocol=2)),
                                ("storages", pickle.dumps(0, protocol=2))):
            info = tarfile.TarInfo(member)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    rec.refused(d / "tar_era.pt", "UNSUPPORTED_CONTAINER")


def unsupported_dtype_files(out, rec):
    """The dtypes torch writes that the reader refuses by name: float4_e2m1fn_x2 and quint4x2 /
    quint2x4 pack two or four values into a byte, and bits8/16/1x8/2x4/4x2 are bit containers
    without a numeric meaning. uint1..7 and int1..7 are not here: torch 2.15 cannot save them
    (``dtype torch.uint4 is not recognized``)."""
    d = out / "format" / "refused" / "dtype"
    d.mkdir(parents=True, exist_ok=True)
    packed = {"float4_e2m1fn_x2": torch.arange(6, dtype=torch.uint8).view(torch.float4_e2m1fn_x2)}
    for name in ("bits8", "bits1x8", "bits2x4", "bits4x2"):
        packed[name] = torch.arange(6, dtype=torch.uint8).view(getattr(torch, name))
    packed["bits16"] = torch.arange(6, dtype=torch.int16).view(torch.bits16)
    g = torch.Generator().manual_seed(4)
    for name in ("quint4x2", "quint2x4"):
        packed[name] = torch.quantize_per_tensor(torch.rand(6, generator=g), 0.1, 0, getattr(torch, name))
    for name, t in packed.items():
        for legacy in (False, True):
            p = d / f"{'legacy' if legacy else 'zip'}_{name}.pt"
            torch.save({"x": t}, p, _use_new_zipfile_serialization=not legacy)
            rec.refused(p, "UNSUPPORTED_DTYPE")


def generate(out, rec):
    unsupported_dtype_files(out, rec)
    hostile_files(out, rec)
    torch_refused_files(out, rec)
    not_tensor_files(out, rec)
