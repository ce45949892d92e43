"""ndkern's numpy reductions against numpy, and local_mean_var / window_sum against scipy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as sn
from hypothesis import given
from hypothesis import strategies as st

import ndkern
from conftest import arrays, assert_close

# numpy, the oracle, warns on empty selections and ddof >= n
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

OPS = ["sum", "mean", "var", "std", "min", "max"]


@st.composite
def axis_args(draw, ndim):
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none" or ndim == 0:
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.lists(st.integers(-ndim, ndim - 1), min_size=0, max_size=ndim, unique_by=lambda x: x % ndim)))


@pytest.mark.parametrize("op", OPS)
@given(data=st.data())
def test_reduction_matches_numpy(op, data):
    a, dt, _ = data.draw(arrays(min_dims=1, max_dims=4, allow_empty=op not in ("min", "max")))
    axis = data.draw(axis_args(a.ndim))
    keepdims = data.draw(st.booleans())
    kw = {"axis": axis, "keepdims": keepdims}
    if op in ("var", "std"):
        kw["ddof"] = data.draw(st.integers(0, 2))
        n = a.size if axis is None else int(np.prod([a.shape[i] for i in np.atleast_1d(axis)]))
        if kw["ddof"] >= n:
            kw["ddof"] = 0
    ref = getattr(np, op)(a.astype(np.float64), **kw)
    got = getattr(ndkern, op)(a, **kw)
    ref = np.asarray(ref).astype(dt)
    assert np.asarray(got).dtype == dt
    if np.isnan(ref).any():  # mean/var of an empty selection
        assert np.array_equal(np.isnan(ref), np.isnan(np.asarray(got)))
        return
    # variance: bound by the data's spread (f32 input is rounded before numpy sees it)
    assert_close(np.asarray(got), ref, dt)


@given(data=st.data())
def test_count_nonzero(data):
    a, dt, _ = data.draw(arrays())
    a = np.where(np.random.default_rng(0).random(a.shape) < 0.4, 0, a).astype(dt)
    axis = data.draw(axis_args(a.ndim))
    keepdims = data.draw(st.booleans())
    ref = np.count_nonzero(a, axis=axis, keepdims=keepdims)
    got = ndkern.count_nonzero(a, axis=axis, keepdims=keepdims)
    assert type(got) is type(ref) or np.asarray(got).dtype == np.asarray(ref).dtype
    assert np.array_equal(got, ref)


def test_scalar_results_and_out():
    a = np.arange(12.0).reshape(3, 4)
    s = ndkern.sum(a)
    assert isinstance(s, np.float64) and s == 66.0
    assert isinstance(ndkern.count_nonzero(a), int)
    out = np.empty(4)
    assert ndkern.mean(a, axis=0, out=out) is out
    assert np.allclose(out, a.mean(axis=0))
    with pytest.raises(ValueError):
        ndkern.mean(a, axis=0, out=np.empty(3))


def test_float32_strided_sum_is_accurate():
    # numpy issue 11331: float32 mean along a non-contiguous axis; ndkern accumulates in f64
    x = np.full((2, 10_000_00), 0.1, dtype=np.float32)[:, ::1].T
    got = ndkern.mean(x, axis=0)
    exact = np.float64(np.float32(0.1))
    assert np.max(np.abs(got.astype(np.float64) - exact)) <= 1e-7 * exact


def test_integer_input_follows_numpy():
    a = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    for op in ("sum", "min", "max"):
        r = getattr(ndkern, op)(a, axis=1)
        ref = getattr(np, op)(a, axis=1)
        assert r.dtype == ref.dtype and np.array_equal(r, ref)
    for op in ("mean", "var", "std"):
        r = getattr(ndkern, op)(a, axis=(0, 2))
        ref = getattr(np, op)(a, axis=(0, 2))
        assert r.dtype == np.float64
        assert np.allclose(r, ref, rtol=1e-14)
    assert ndkern.count_nonzero(a) == np.count_nonzero(a)
    assert np.isclose(ndkern.var([1, 2, 3, 4], ddof=1), np.var([1, 2, 3, 4], ddof=1))


def test_dtype_argument():
    a = np.random.default_rng(1).random(100).astype(np.float32)
    r = ndkern.sum(a, dtype=np.float64)
    assert isinstance(r, np.float64)
    assert abs(r - a.astype(np.float64).sum()) < 1e-12


def test_ddof_too_large_behaves_as_numpy():
    a = np.array([1.0, 2.0])
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        r = ndkern.var(a, ddof=2)
    assert np.isinf(r) or np.isnan(r)


def test_var_is_exact_with_offset():
    x = 1e9 + np.array([1.0, 2.0, 3.0, 4.0])
    assert ndkern.var(x, ddof=1) == 5.0 / 3.0


# ---------------------------------------------------------------------------------------------
# ndkern's own window statistics


MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]


@given(data=st.data())
def test_local_mean_var(data):
    a, dt, _ = data.draw(arrays(max_dims=3))
    size = [data.draw(st.integers(1, 5)) for _ in range(a.ndim)]
    mode = data.draw(st.sampled_from(MODES))
    cval = data.draw(st.sampled_from([0.0, 2.0]))
    m, v = ndkern.local_mean_var(a, size, mode=mode, cval=cval)
    x = a.astype(np.float64)
    ref_m = sn.uniform_filter(x, size, mode=mode, cval=cval)
    ref_v = sn.uniform_filter(x * x, size, mode=mode, cval=cval * cval) - ref_m**2
    assert m.dtype == dt and v.dtype == dt
    assert_close(m, ref_m.astype(dt), dt)
    if a.size:
        # the naive reference loses digits to cancellation: bound by the data's magnitude
        tol = 1e-5 if dt == np.float32 else 1e-11
        scale = max(float(np.max(x * x)), cval * cval, 1.0)
        assert float(np.max(np.abs(v.astype(np.float64) - ref_v))) <= tol * scale


@given(data=st.data())
def test_window_sum(data):
    a, dt, _ = data.draw(arrays(max_dims=3))
    size = data.draw(st.integers(1, 5))
    mode = data.draw(st.sampled_from(MODES + ["shrink"]))
    got = ndkern.window_sum(a, size, mode=mode)
    scipy_mode = "constant" if mode == "shrink" else mode
    ref = sn.uniform_filter(a.astype(np.float64), size, mode=scipy_mode) * size**a.ndim
    assert got.dtype == dt
    assert_close(got, ref.astype(dt), dt)


def test_window_sum_q18():
    A = np.array([[179, 97, 77, 118, 144, 105], [68, 56, 184, 210, 141, 230], [178, 166, 218, 47, 106, 172],
                  [38, 183, 50, 185, 48, 87], [60, 200, 228, 232, 6, 190], [253, 75, 231, 166, 117, 134]], float)
    B = np.array([[116, 95, 94, 220, 80, 223], [135, 9, 166, 78, 5, 129], [102, 167, 120, 81, 141, 29],
                  [83, 117, 81, 129, 255, 48], [130, 231, 165, 7, 187, 169], [44, 137, 16, 50, 229, 202]], float)
    s = ndkern.window_sum(A**2 - B**2, 3)
    assert s[0, 0] == 8423 and s[5, 5] == -88994 and s[3, 5] == -64752


def test_numpy_only_keywords_are_accepted():
    a = np.arange(12.0).reshape(3, 4)
    w = a > 3
    assert ndkern.sum(a, axis=0, initial=10.0)[0] == np.sum(a, axis=0, initial=10.0)[0]
    assert np.array_equal(ndkern.mean(a, axis=1, where=w), np.mean(a, axis=1, where=w), equal_nan=True)
    assert ndkern.max(a, where=w, initial=-1.0) == np.max(a, where=w, initial=-1.0)
    assert ndkern.var(a, correction=1) == np.var(a, correction=1)
    m = a.mean(axis=1, keepdims=True)
    assert np.allclose(ndkern.std(a, axis=1, mean=m), np.std(a, axis=1, mean=m))
