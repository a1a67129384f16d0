"""Lazy conj / neg views (``z.conj()``, ``torch._neg_view(x)``): the helper hands out their values,
``t.resolve_conj().resolve_neg()``, on every hand-off path, not the bytes torch stored."""
import numpy as np
import pytest

from helpers import assert_same, torch_load
from tdutil import resolved

import torchtensor

HANDOFFS = ["fast", "arrow"]


def _numpy_values(t):
    """What torch says the view holds, as NumPy values (bfloat16 and complex32 widened: NumPy has no
    type for them)."""
    import torch

    r = t.resolve_conj().resolve_neg()
    wider = {torch.bfloat16: torch.float32, torch.complex32: torch.complex64}
    return (r.to(wider[r.dtype]) if r.dtype in wider else r).numpy()


def _check(arrays, want, what):
    assert set(arrays) == set(want), what
    for k, t in want.items():
        assert t.is_conj() or t.is_neg(), f"{k}: torch.load gave no conj/neg view"
        got = arrays[k]
        # Value for value as torch resolves the view (NaN equal to NaN, -0.0 equal to 0.0) ...
        np.testing.assert_array_equal(got.astype(np.float32) if got.dtype.name == "bfloat16" else got,
                                      _numpy_values(t), err_msg=f"{what} {k}")
        # ... and bit for bit, with negation as a sign-bit flip (tdutil.resolved says why).
        assert_same(got, resolved(t).contiguous(), f"{what} {k}")


@pytest.mark.parametrize("handoff", HANDOFFS)
def test_plain_columns_that_are_neg_views_are_negated(spark, testdata, handoff):
    # float32 and int64 rows, contiguous, little-endian: without their neg bit the fast hand-off would
    # copy them file to file; the bit makes their values differ from the bytes.
    f = testdata / "python" / "conj_neg" / "plain.pt"
    want = torch_load(f)
    arrays = torchtensor.to_numpy(torchtensor.read(spark, f), handoff=handoff)
    _check(arrays, want, f"plain via {handoff}")
    # int64 -(-2^63) wraps to itself, as torch's two's complement negation does.
    assert arrays["i"][0] == np.iinfo(np.int64).min and arrays["i"][1] == np.iinfo(np.int64).max


@pytest.mark.parametrize("handoff", HANDOFFS)
@pytest.mark.parametrize("batch_rows", [7, 4096])
def test_complex_half_float_and_strided_views(spark, testdata, handoff, batch_rows):
    f = testdata / "python" / "conj_neg" / "mixed.pt"
    want = torch_load(f)
    df = torchtensor.read(spark, f, batchRows=batch_rows)
    arrays = torchtensor.to_numpy(df, handoff=handoff)
    _check(arrays, want, f"mixed via {handoff}, batchRows={batch_rows}")


def test_tensors_layout_data_is_resolved(spark, testdata):
    f = testdata / "python" / "conj_neg" / "mixed.pt"
    want = torch_load(f)
    arrays = torchtensor.to_numpy(torchtensor.read(spark, f, layout="tensors"))
    _check(arrays, want, "tensors layout")
