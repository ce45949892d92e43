"""The timing hook of `cargo xtask bench --python` (ndkern._ndkern._time_rust): per-call times of
the Rust call behind a Python row, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest

from ndkern import _ndkern

ROWS = ["q7_var_last_axis", "q8_norm_l2_axes012", "uniform3_2d"]


@pytest.mark.parametrize("row", ROWS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_time_rust_returns_one_time_per_call(row, dtype):
    a = np.random.default_rng(0).random((10, 10, 10, 5) if row.startswith("q") else (40, 30))
    t = _ndkern._time_rust(row, a.astype(dtype), 7)
    assert len(t) == 7 and all(0.0 < x < 10.0 for x in t)


def test_time_rust_into_row_writes_the_output():
    a = np.random.default_rng(1).random((40, 30))
    out = np.zeros_like(a)
    assert len(_ndkern._time_rust("uniform3_2d_into", a, 2, out)) == 2
    # uniform 3x3, reflect: interior points are 3x3 means
    assert np.isclose(out[5, 7], a[4:7, 6:9].mean(), rtol=1e-12, atol=0)


def test_time_rust_refuses_bad_rows_and_outputs():
    a = np.ones((4, 4))
    with pytest.raises(ValueError, match="unknown value"):
        _ndkern._time_rust("no_such_row", a, 1)
    with pytest.raises(TypeError, match="needs `output`"):
        _ndkern._time_rust("uniform3_2d_into", a, 1)
    with pytest.raises(TypeError, match="same dtype"):
        _ndkern._time_rust("uniform3_2d_into", a, 1, np.ones((4, 4), np.float32))
    with pytest.raises(TypeError, match="uniform3_2d_into row only"):
        _ndkern._time_rust("q7_var_last_axis", a, 1, np.ones((4, 4)))
    with pytest.raises(ValueError):  # the Rust call's own error: an axis out of range
        _ndkern._time_rust("q8_norm_l2_axes012", np.ones(3), 1)
