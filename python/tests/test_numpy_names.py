"""numpy's names at the top level (histogram, histogramdd, bincount, digitize, gradient,
polyfit, polyval) and ndkern.fft: each call compared with numpy's on the same input."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LAYOUTS, assert_close, make_layout
from hypothesis import given, settings
from hypothesis import strategies as st

import ndkern

RNG = np.random.default_rng(11)


@st.composite
def data(draw, min_dims=1, max_dims=3, max_side=9):
    ndim = draw(st.integers(min_dims, max_dims))
    shape = tuple(draw(st.integers(0, max_side)) for _ in range(ndim))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int32, np.uint8]))
    layouts = LAYOUTS if np.dtype(dtype).kind == "f" else [lt for lt in LAYOUTS if lt != "strided"]
    layout = draw(st.sampled_from(layouts)) if ndim else "C"
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = rng.uniform(-5, 5, size=shape)
    if np.dtype(dtype).kind in "iu":
        base = np.abs(base) * 10
    return make_layout(base.astype(dtype), layout, rng)


def close(a, b, rtol=1e-12):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=0, equal_nan=True)


def same(a, b):
    assert type(a) is type(b) or (np.isscalar(a) and np.isscalar(b)), (type(a), type(b))
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_array_equal(a, b)


@given(data(), st.sampled_from([1, 3, 10, "edges", "auto"]), st.booleans(), st.booleans(),
       st.booleans())
def test_histogram(x, bins, with_range, weighted, density):
    if isinstance(bins, str) and bins == "edges":
        bins = np.sort(RNG.uniform(-6, 6, size=5))
    rg = (-2.0, 3.0) if with_range else None
    w = np.asarray(RNG.uniform(0, 2, size=x.shape)).astype(x.dtype if x.dtype.kind == "f"
                                                             else np.float64) if weighted else None
    if isinstance(bins, str) and weighted:
        w = None
    if x.size == 0 and isinstance(bins, str):
        return
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = np.histogram(x, bins, rg, density, w)
        got = ndkern.histogram(x, bins, rg, density, w)
    if density or weighted:
        close(got[0], ref[0], 1e-5 if w is not None and w.dtype == np.float32 else 1e-12)
    else:
        same(got[0], ref[0])
    same(got[1], ref[1])


def test_histogram_edge_values():
    # values on inner edges, the last edge, outside, NaN excluded with a range
    x = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.0000001, -0.1, 0.1 + 0.2])
    for bins in (4, 3, 7, [0.0, 0.3, 1.0]):
        same(ndkern.histogram(x, bins, (0, 1))[0], np.histogram(x, bins, (0, 1))[0])
    for b in (5, 1000):
        y = RNG.random(10_000) * 7 - 3
        same(ndkern.histogram(y, b)[0], np.histogram(y, b)[0])


def test_histogram_errors():
    for kw in ({"bins": 0}, {"bins": -3}, {"range": (2, 1)}, {"range": (0, np.inf)},
               {"bins": [3, 1, 2]}):
        with pytest.raises(ValueError):
            np.histogram([1.0, 2.0], **kw)
        with pytest.raises(ValueError):
            ndkern.histogram([1.0, 2.0], **kw)
    with pytest.raises(ValueError):
        ndkern.histogram([1.0, np.nan])
    with pytest.raises(ValueError):
        ndkern.histogram([1.0, 2.0], weights=[1.0])


@given(st.integers(1, 3), st.integers(0, 40), st.sampled_from([2, 5, "mixed"]), st.booleans(),
       st.booleans(), st.sampled_from([np.float64, np.float32]))
def test_histogramdd(d, n, bins, with_range, weighted, dtype):
    pts = RNG.normal(size=(n, d)).astype(dtype)
    if isinstance(bins, str):
        bins = [3] * (d - 1) + [np.array([-1.0, 0.0, 0.5, 2.0])]
    rg = [(-1.0, 1.0)] * d if with_range else None
    w = RNG.random(n) if weighted else None
    ref = np.histogramdd(pts, bins, rg, weights=w)
    got = ndkern.histogramdd(pts, bins, rg, weights=w)
    assert_close(got[0], ref[0])
    assert len(got[1]) == len(ref[1])
    for a, b in zip(got[1], ref[1]):
        same(a, b)
    if n > 1:
        with np.errstate(invalid="ignore", divide="ignore"):
            close(ndkern.histogramdd(pts, bins, rg, density=True, weights=w)[0],
                  np.histogramdd(pts, bins, rg, density=True, weights=w)[0])


def test_histogramdd_sequence_sample():
    x, y = RNG.random(50), RNG.random(50)
    ref = np.histogramdd((x, y), bins=(3, 4))
    got = ndkern.histogramdd((x, y), bins=(3, 4))
    assert_close(got[0], ref[0])


@given(st.integers(0, 60), st.integers(0, 20), st.booleans(), st.sampled_from(
    [np.int64, np.int32, np.uint8, np.intp]))
def test_bincount(n, minlength, weighted, dtype):
    x = RNG.integers(0, 15, size=n).astype(dtype)
    w = RNG.normal(size=n) if weighted else None
    ref = np.bincount(x, w, minlength)
    got = ndkern.bincount(x, w, minlength)
    if weighted:
        assert_close(got, ref)
    else:
        same(got, ref)


def test_bincount_errors():
    for args, kw in (
        (([-1, 2],), {}),
        (([[1, 2]],), {}),
        (([1, 2],), {"minlength": -1}),
        (([1, 2],), {"weights": [1.0]}),
    ):
        with pytest.raises(ValueError):
            np.bincount(*args, **kw)
        with pytest.raises(ValueError):
            ndkern.bincount(*args, **kw)
    with pytest.raises(TypeError):
        ndkern.bincount([1.5, 2.0])
    same(ndkern.bincount(np.array([], int)), np.bincount(np.array([], int)))


@given(data(), st.booleans(), st.sampled_from(["inc", "dec", "one", "dup"]))
def test_digitize(x, right, kind):
    bins = np.sort(RNG.uniform(-6, 6, size=6))
    if kind == "dec":
        bins = bins[::-1]
    elif kind == "one":
        bins = bins[:1]
    elif kind == "dup":
        bins = np.array([-1.0, 0.0, 0.0, 2.0])
    same(ndkern.digitize(x, bins, right), np.digitize(x, bins, right))


def test_digitize_special():
    same(ndkern.digitize(0.5, [0, 1]), np.digitize(0.5, [0, 1]))
    x = np.array([np.nan, -np.inf, np.inf, 1.0])
    same(ndkern.digitize(x, [0.0, 1.0, 2.0]), np.digitize(x, [0.0, 1.0, 2.0]))
    same(ndkern.digitize(x, [2.0, 1.0, 0.0], True), np.digitize(x, [2.0, 1.0, 0.0], True))
    with pytest.raises(ValueError):
        ndkern.digitize([1.0], [0.0, 2.0, 1.0])
    with pytest.raises(TypeError):
        ndkern.digitize([1j], [0.0, 1.0])


@given(data(min_dims=1, max_dims=3), st.integers(1, 2), st.sampled_from(["none", "scalar",
                                                                          "per_axis", "coords"]),
       st.booleans())
def test_gradient(f, edge_order, spacing, one_axis):
    if any(s < edge_order + 1 for s in f.shape):
        with pytest.raises(ValueError):
            ndkern.gradient(f, edge_order=edge_order)
        return
    axis = (f.ndim - 1) if one_axis else None
    axes = [f.ndim - 1] if one_axis else list(range(f.ndim))
    if spacing == "none":
        args = ()
    elif spacing == "scalar":
        args = (0.5,)
    elif spacing == "per_axis":
        args = tuple(1.0 + i for i in range(len(axes)))
    else:
        args = tuple(np.cumsum(RNG.uniform(0.5, 2.0, size=f.shape[a])) for a in axes)
    ref = np.gradient(f, *args, axis=axis, edge_order=edge_order)
    got = ndkern.gradient(f, *args, axis=axis, edge_order=edge_order)
    if isinstance(ref, tuple):
        assert isinstance(got, tuple) and len(got) == len(ref)
        for g, r in zip(got, ref):
            assert_close(g, r, np.float32 if r.dtype == np.float32 else np.float64)
    else:
        assert_close(got, ref, np.float32 if ref.dtype == np.float32 else np.float64)


def test_gradient_errors():
    a = RNG.random((4, 5))
    for args, kw in (((), {"edge_order": 3}), ((1.0, 2.0, 3.0), {}), ((np.ones(3), 1.0), {}),
                     ((), {"axis": 2})):
        with pytest.raises(Exception) as ref:
            np.gradient(a, *args, **kw)
        with pytest.raises(ref.type):
            ndkern.gradient(a, *args, **kw)


@given(st.integers(0, 5), st.integers(8, 40), st.booleans(), st.booleans())
def test_polyfit(deg, n, weighted, two_d):
    x = np.sort(RNG.uniform(-2, 3, size=n))
    y = RNG.normal(size=(n, 3) if two_d else n)
    w = RNG.uniform(0.5, 2, size=n) if weighted else None
    ref = np.polyfit(x, y, deg, w=w)
    got = ndkern.polyfit(x, y, deg, w=w)
    assert got.shape == ref.shape and got.dtype == ref.dtype
    np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-9 * np.abs(ref).max())


def test_polyfit_numpy_keywords_and_errors():
    x, y = np.arange(6.0), np.arange(6.0) ** 2
    full = ndkern.polyfit(x, y, 2, full=True)
    assert len(full) == 5
    for args in ((x, y, -1), (x[:, None], y, 1), (x, y[:3], 1)):
        with pytest.raises(Exception) as ref:
            np.polyfit(*args)
        with pytest.raises(ref.type):
            ndkern.polyfit(*args)
    with pytest.raises(ValueError):  # rank deficient: numpy only warns
        ndkern.polyfit([1.0, 1.0, 1.0], [1.0, 2.0, 3.0], 2)


@given(data(min_dims=0, max_dims=3), st.integers(0, 6), st.sampled_from(
    [np.float64, np.float32, np.int64]))
def test_polyval(x, deg, pdt):
    p = RNG.uniform(-2, 2, size=deg).astype(pdt) if pdt != np.int64 else RNG.integers(
        -3, 3, size=deg)
    xv = x if x.dtype.kind == "f" else x.astype(np.float64)
    ref = np.polyval(p, xv)
    got = ndkern.polyval(p, xv)
    assert np.asarray(got).dtype == np.asarray(ref).dtype
    r = np.asarray(ref, dtype=np.float64)
    tol = 1e-5 if np.asarray(ref).dtype == np.float32 else 1e-12
    if r.size:
        scale = max(1.0, float(np.abs(r).max()))
        assert np.allclose(np.asarray(got, dtype=np.float64), r, rtol=0, atol=tol * scale * 10)


def test_polyval_other_types_are_numpy():
    same(ndkern.polyval([1, 2], np.array([1, 2])), np.polyval([1, 2], np.array([1, 2])))
    same(ndkern.polyval([1.0, 2.0], 3.0), np.polyval([1.0, 2.0], 3.0))


@given(data(min_dims=1, max_dims=3), st.sampled_from([None, 0, -1, (0,), "all"]), st.booleans())
def test_fftshift(x, axes, inverse):
    if axes == "all":
        axes = tuple(range(x.ndim))
    if isinstance(axes, tuple) and any(a >= x.ndim for a in axes):
        return
    f, g = (ndkern.fft.ifftshift, np.fft.ifftshift) if inverse else (
        ndkern.fft.fftshift, np.fft.fftshift)
    same(f(x, axes), g(x, axes))


def test_fftshift_complex_and_errors():
    c = RNG.normal(size=(4, 5)) + 1j
    same(ndkern.fft.fftshift(c), np.fft.fftshift(c))
    with pytest.raises(np.exceptions.AxisError):
        ndkern.fft.fftshift(np.ones(3), axes=2)


@settings(max_examples=10)
@given(st.integers(0, 3))
def test_layouts_read_in_place(k):
    # strided and flipped inputs give the same results as contiguous copies
    base = RNG.normal(size=(6, 7))
    v = make_layout(base, LAYOUTS[k + 1], RNG)
    same(ndkern.histogram(v, 5)[0], np.histogram(base, 5)[0])
    assert_close(ndkern.gradient(v, axis=1), np.gradient(base, axis=1))
