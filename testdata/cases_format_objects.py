"""Checkpoint shapes: parameters, state dicts, nested metadata, optimizer state, quantized, sparse."""
import collections

import torch
from torch import nn

from tdutil import save_torch


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3))
        self.norm = nn.BatchNorm1d(3)          # buffers: running_mean/var, num_batches_tracked
        self.head = nn.Linear(3, 2, bias=False)

    def forward(self, x):
        return self.head(self.norm(self.encoder(x)))


def _net():
    torch.manual_seed(5)
    return Net()


def grad_files(out, rec):
    g = torch.Generator().manual_seed(6)
    leaf = torch.randn(3, 4, generator=g).requires_grad_()
    obj = {"leaf": leaf, "plain": torch.randn(2, generator=g), "param": nn.Parameter(torch.ones(2, 2)),
           "frozen": nn.Parameter(torch.zeros(3), requires_grad=False)}
    save_torch(rec, out / "format" / "objects" / "zip_requires_grad.pt", obj)
    save_torch(rec, out / "format" / "objects" / "legacy_requires_grad.pt", obj, legacy=True)
    save_torch(rec, out / "format" / "objects" / "root_parameter.pt", nn.Parameter(torch.arange(6.0).reshape(2, 3)))


def state_dict_files(out, rec):
    net = _net()
    sd = net.state_dict()                       # OrderedDict with a _metadata attribute (BUILD)
    if not hasattr(sd, "_metadata"):
        raise AssertionError("state_dict without _metadata")
    save_torch(rec, out / "format" / "objects" / "zip_state_dict.pt", sd)
    save_torch(rec, out / "format" / "objects" / "legacy_state_dict.pt", sd, legacy=True)
    # keep_vars=True keeps nn.Parameter objects: _rebuild_parameter, requires_grad True.
    save_torch(rec, out / "format" / "objects" / "zip_state_dict_params.pt", net.state_dict(keep_vars=True))
    save_torch(rec, out / "format" / "objects" / "protocol4_state_dict_params.pt",
               net.state_dict(keep_vars=True), protocol=4)


def nested_files(out, rec):
    g = torch.Generator().manual_seed(7)
    obj = {
        "model": collections.OrderedDict([("w", torch.randn(2, 3, generator=g)), ("b", torch.zeros(3))]),
        "epoch": 12,
        "step": 2 ** 40,
        "big": 2 ** 70,                         # beyond int64: LONG1 / BigInteger
        "negative": -(2 ** 63),
        "lr": 0.000125,
        "loss": -1.5e-7,
        "name": "run-α/7",
        "done": False,
        "best": None,
        "shape": torch.Size([3, 224, 224]),
        "dtype": torch.bfloat16,
        "pair": (1, "two", 3.0, None, True),
        "history": [0.5, 0.25, 0.125],
        "mixed": [torch.tensor([1, 2, 3]), 4, "five", {"six": torch.tensor(6.0), "seven": 7}],
        "nested": {"a": {"b": {"c": torch.ones(1, 2, dtype=torch.float16), "d": [1, [2, 3]]}}},
        "empty_list": [],
        "empty_tuple": (),
        3: "int key",
    }
    save_torch(rec, out / "format" / "objects" / "zip_nested.pt", obj)
    save_torch(rec, out / "format" / "objects" / "legacy_nested.pt", obj, legacy=True)
    save_torch(rec, out / "format" / "objects" / "list_root.pt",
               [torch.arange(4), "label", (torch.ones(2, 2), 0.5)])


def optimizer_files(out, rec):
    net = _net()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    x = torch.randn(8, 6, generator=torch.Generator().manual_seed(8))
    for _ in range(3):
        opt.zero_grad()
        net(x).pow(2).mean().backward()
        opt.step()
        sched.step()
    ckpt = {"model_state_dict": net.state_dict(), "optimizer_state_dict": opt.state_dict(),
            "scheduler": sched.state_dict(), "epoch": 3, "loss": 0.25}
    save_torch(rec, out / "format" / "objects" / "checkpoint_adamw.pt", ckpt)
    save_torch(rec, out / "format" / "objects" / "checkpoint_adamw_legacy.pt", ckpt, legacy=True)


def quantized_files(out, rec):
    g = torch.Generator().manual_seed(9)
    x = torch.randn(4, 6, generator=g)
    obj = {
        "qu8": torch.quantize_per_tensor(x, 0.05, 10, torch.quint8),
        "qi8": torch.quantize_per_tensor(x, 0.02, -3, torch.qint8),
        "qi32": torch.quantize_per_tensor(x, 0.001, 0, torch.qint32),
        "qch": torch.quantize_per_channel(x, torch.tensor([0.1, 0.05, 0.2, 0.01], dtype=torch.float64),
                                          torch.tensor([0, 1, -2, 3]), 0, torch.qint8),
        "plain": x,
    }
    save_torch(rec, out / "format" / "objects" / "zip_quantized.pt", obj)
    save_torch(rec, out / "format" / "objects" / "legacy_quantized.pt", obj, legacy=True)


def sparse_files(out, rec):
    i = torch.tensor([[0, 1, 3, 3], [2, 0, 1, 4]])
    v = torch.tensor([1.5, -2.0, 3.25, 0.5])
    coo = torch.sparse_coo_tensor(i, v, (4, 5)).coalesce()
    raw_coo = torch.sparse_coo_tensor(torch.tensor([[2, 0, 2]]), torch.tensor([1, 2, 3], dtype=torch.int32), (3,))
    csr = torch.arange(12, dtype=torch.float64).reshape(3, 4).masked_fill(torch.eye(3, 4, dtype=torch.bool), 0).to_sparse_csr()
    obj = {"coo": coo, "uncoalesced": raw_coo, "csr": csr, "dense": torch.ones(2)}
    save_torch(rec, out / "format" / "objects" / "zip_sparse.pt", obj)
    save_torch(rec, out / "format" / "objects" / "legacy_sparse.pt", obj, legacy=True)


def generate(out, rec):
    grad_files(out, rec)
    state_dict_files(out, rec)
    nested_files(out, rec)
    optimizer_files(out, rec)
    quantized_files(out, rec)
    sparse_files(out, rec)
