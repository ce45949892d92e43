"""ndkern.ndimage against scipy.ndimage on random shapes, dtypes, layouts, modes and
parameters (hypothesis), plus the dtype/output rules."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as sn
from hypothesis import given
from hypothesis import strategies as st

from conftest import MODES, arrays, assert_close, tolerance
from ndkern import ndimage as ndi

cvals = st.sampled_from([0.0, 1.5, -2.0])


def origin_for(draw, size):
    return draw(st.integers(-(size // 2), (size - 1) // 2))


def output_kw(draw, a):
    """Either no output, a dtype (the input's), or a preallocated array of some layout."""
    kind = draw(st.sampled_from(["none", "dtype", "array", "strided"]))
    if kind == "none":
        return {}, None
    if kind == "dtype":
        return {"output": a.dtype}, None
    if kind == "array":
        out = np.full(a.shape, np.nan, dtype=a.dtype)
    else:
        big = np.full(tuple(2 * s + 1 for s in a.shape), np.nan, dtype=a.dtype)
        out = big[tuple(slice(1, None, 2) for _ in a.shape)][tuple(slice(None, None, -1) for _ in a.shape)]
    return {"output": out}, out


def check(result, expected, dtype, out, scale=None):
    if out is not None:
        assert result is out
    if scale is None:
        assert_close(result, expected, dtype)
    else:
        assert result.shape == expected.shape and result.dtype == expected.dtype
        if expected.size:
            err = float(np.max(np.abs(result.astype(np.float64) - expected.astype(np.float64))))
            assert err <= tolerance(dtype) * max(scale, 1e-300), (err, scale)


@given(st.data())
def test_uniform_filter1d(data):
    a, dt, _ = data.draw(arrays())
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    size = data.draw(st.integers(1, a.shape[axis] + 3))
    mode = data.draw(st.sampled_from(MODES))
    cval = data.draw(cvals)
    origin = origin_for(data.draw, size)
    kw, out = output_kw(data.draw, a)
    ref = sn.uniform_filter1d(a, size, axis, mode=mode, cval=cval, origin=origin)
    got = ndi.uniform_filter1d(a, size, axis, mode=mode, cval=cval, origin=origin, **kw)
    check(got, ref, dt, out)


@given(st.data())
def test_uniform_filter(data):
    a, dt, _ = data.draw(arrays())
    use_axes = data.draw(st.booleans())
    axes = None
    nax = a.ndim
    if use_axes:
        axes = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=a.ndim, unique_by=lambda x: x % a.ndim))
        nax = len(axes)
    ax_list = list(range(a.ndim)) if axes is None else [x % a.ndim for x in axes]
    per_axis = data.draw(st.booleans())
    if per_axis:
        size = [data.draw(st.integers(1, a.shape[ax] + 3)) for ax in ax_list]
        origin = [origin_for(data.draw, s) for s in size]
    else:
        size = data.draw(st.integers(1, 6))
        origin = origin_for(data.draw, size)
    if data.draw(st.booleans()):
        mode = [data.draw(st.sampled_from(MODES)) for _ in range(nax)]
    else:
        mode = data.draw(st.sampled_from(MODES))
    cval = data.draw(cvals)
    kw, out = output_kw(data.draw, a)
    ref = sn.uniform_filter(a, size, mode=mode, cval=cval, origin=origin, axes=axes)
    got = ndi.uniform_filter(a, size, mode=mode, cval=cval, origin=origin, axes=axes, **kw)
    check(got, ref, dt, out)


@given(st.data())
def test_gaussian_filter1d(data):
    a, dt, _ = data.draw(arrays())
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    sigma = data.draw(st.floats(0.2, 3.0))
    order = data.draw(st.integers(0, 3))
    mode = data.draw(st.sampled_from(MODES))
    cval = data.draw(cvals)
    truncate = data.draw(st.sampled_from([4.0, 2.5, 1.0]))
    radius = data.draw(st.one_of(st.none(), st.integers(0, 6)))
    kw, out = output_kw(data.draw, a)
    ref = sn.gaussian_filter1d(a, sigma, axis, order, mode=mode, cval=cval, truncate=truncate, radius=radius)
    got = ndi.gaussian_filter1d(a, sigma, axis, order, mode=mode, cval=cval, truncate=truncate, radius=radius, **kw)
    # derivatives cancel the data's magnitude: bound the error by max|input| instead
    scale = max(float(np.max(np.abs(ref))), float(np.max(np.abs(a)))) if a.size else 1.0
    check(got, ref, dt, out, scale=scale)


@given(st.data())
def test_gaussian_filter(data):
    a, dt, _ = data.draw(arrays())
    axes = None
    nax = a.ndim
    if data.draw(st.booleans()):
        axes = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=a.ndim, unique_by=lambda x: x % a.ndim))
        nax = len(axes)
    if data.draw(st.booleans()):
        sigma = [data.draw(st.sampled_from([0.0, 0.5, 1.0, 1.7, 2.5])) for _ in range(nax)]
    else:
        sigma = data.draw(st.floats(0.3, 2.5))
    order = data.draw(st.one_of(st.integers(0, 2), st.lists(st.integers(0, 3), min_size=nax, max_size=nax)))
    if data.draw(st.booleans()):
        mode = [data.draw(st.sampled_from(MODES)) for _ in range(nax)]
    else:
        mode = data.draw(st.sampled_from(MODES))
    cval = data.draw(cvals)
    truncate = data.draw(st.sampled_from([4.0, 3.0, 1.5]))
    radius = data.draw(st.one_of(st.none(), st.integers(0, 4)))
    kw, out = output_kw(data.draw, a)
    ref = sn.gaussian_filter(a, sigma, order, mode=mode, cval=cval, truncate=truncate, radius=radius, axes=axes)
    got = ndi.gaussian_filter(a, sigma, order, mode=mode, cval=cval, truncate=truncate, radius=radius, axes=axes, **kw)
    scale = max(float(np.max(np.abs(ref))), float(np.max(np.abs(a)))) if a.size else 1.0
    check(got, ref, dt, out, scale=scale)


@pytest.mark.parametrize("convolve", [False, True])
@given(data=st.data())
def test_correlate1d(convolve, data):
    a, dt, _ = data.draw(arrays())
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = data.draw(st.integers(1, 7))
    w = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).uniform(-1, 1, n)
    mode = data.draw(st.sampled_from(MODES))
    cval = data.draw(cvals)
    if convolve:
        origin = data.draw(st.integers(-((n - 1) // 2), n // 2 - (0 if n & 1 else 1)))
        f_ref, f = sn.convolve1d, ndi.convolve1d
    else:
        origin = origin_for(data.draw, n)
        f_ref, f = sn.correlate1d, ndi.correlate1d
    kw, out = output_kw(data.draw, a)
    ref = f_ref(a, w, axis, mode=mode, cval=cval, origin=origin)
    got = f(a, w, axis, mode=mode, cval=cval, origin=origin, **kw)
    scale = float(np.sum(np.abs(w))) * max(float(np.max(np.abs(a))) if a.size else 0.0, abs(cval))
    check(got, ref, dt, out, scale=scale)


@pytest.mark.parametrize("convolve", [False, True])
@given(data=st.data())
def test_correlate(convolve, data):
    a, dt, _ = data.draw(arrays(max_dims=3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    axes = None
    if data.draw(st.booleans()):
        axes = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True))
    nax = a.ndim if axes is None else len(axes)
    wshape = tuple(data.draw(st.integers(1, 4)) for _ in range(nax))
    kind = data.draw(st.sampled_from(["dense", "rank1", "sparse"]))
    if kind == "rank1":
        w = np.ones(())
        for s in wshape:
            w = np.multiply.outer(w, rng.uniform(0.1, 1, s))
    else:
        w = rng.uniform(-1, 1, wshape)
        if kind == "sparse":
            w[rng.random(wshape) < 0.5] = 0.0
    mode = data.draw(st.sampled_from(MODES))
    cval = data.draw(cvals)
    # scipy: the kernel's axes follow the input's order; origins follow `axes` when it lists
    # only some axes (positionally otherwise)
    if axes is not None and len(axes) < a.ndim:
        lens = [wshape[sorted(axes).index(ax)] for ax in axes]
    else:
        lens = list(wshape)
    if data.draw(st.booleans()):
        origin = 0
    elif convolve:
        origin = [data.draw(st.integers(-((s - 1) // 2), s // 2 - (0 if s & 1 else 1))) for s in lens]
    else:
        origin = [origin_for(data.draw, s) for s in lens]
    kw, out = output_kw(data.draw, a)
    f_ref, f = (sn.convolve, ndi.convolve) if convolve else (sn.correlate, ndi.correlate)
    ref = f_ref(a, w, mode=mode, cval=cval, origin=origin, axes=axes)
    got = f(a, w, mode=mode, cval=cval, origin=origin, axes=axes, **kw)
    scale = float(np.sum(np.abs(w))) * max(float(np.max(np.abs(a))) if a.size else 0.0, abs(cval))
    check(got, ref, dt, out, scale=scale)


# ---------------------------------------------------------------------------------------------
# dtype rules, output arrays, aliases


INT_CASES = [
    ("uniform_filter", (3,), {}),
    ("uniform_filter", ((3, 2),), {"mode": ["nearest", "wrap"]}),
    ("uniform_filter1d", (4,), {"axis": 0}),
    ("gaussian_filter", (1.3,), {}),
    ("gaussian_filter1d", (0.8,), {"order": 1}),
    ("correlate", (np.array([[1, 2, 0], [0, 1, -1]]),), {"mode": "constant"}),
    ("convolve1d", ([1.0, 3.0],), {}),
]


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int64, np.bool_])
@pytest.mark.parametrize("name,args,kw", INT_CASES)
def test_non_float_input_follows_scipy(dtype, name, args, kw):
    rng = np.random.default_rng(7)
    a = (rng.integers(0, 60, (9, 11)) if dtype != np.bool_ else rng.random((9, 11)) < 0.5).astype(dtype)
    ref = getattr(sn, name)(a, *args, **kw)
    got = getattr(ndi, name)(a, *args, **kw)
    assert got.dtype == ref.dtype == a.dtype
    # scipy computes in double and truncates to the integer type; a last-bit difference in
    # the double can move a truncation by one
    diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    assert diff.max() <= 1
    assert np.mean(diff > 0) < 0.05


def test_float16_input_is_computed_in_float64():
    # scipy refuses float16 ("array type not supported"); ndkern computes it in float64 and
    # returns float16 (each 1-D pass stored in float16, as scipy's rule for the output dtype)
    a = np.random.default_rng(8).random((12, 10)).astype(np.float16)
    got = ndi.uniform_filter(a, 3)
    assert got.dtype == np.float16
    ref = sn.uniform_filter(a.astype(np.float64), 3).astype(np.float16)
    assert np.max(np.abs(got.astype(float) - ref.astype(float))) <= 2e-3


@pytest.mark.parametrize("out_dtype", [np.float64, np.float32, np.int16, "float64"])
def test_output_dtype(out_dtype):
    a = np.random.default_rng(1).uniform(0, 50, (20, 30)).astype(np.float32)
    ref = sn.gaussian_filter(a, 1.5, output=out_dtype)
    got = ndi.gaussian_filter(a, 1.5, output=out_dtype)
    assert got.dtype == ref.dtype
    assert np.max(np.abs(got.astype(float) - ref.astype(float))) <= (1 if np.dtype(out_dtype).kind == "i" else 1e-4)


def test_in_place():
    a = np.random.default_rng(2).random((30, 40))
    ref = sn.uniform_filter(a, 5)
    b = a.copy()
    r = ndi.uniform_filter(b, 5, output=b)
    assert r is b
    assert_close(b, ref)
    c = a.copy()
    ndi.correlate(c, np.ones((3, 3)), output=c)
    assert_close(c, sn.correlate(a, np.ones((3, 3))))


def test_zero_copy_views_are_read_in_place():
    big = np.random.default_rng(3).random((40, 50, 6))
    v = big[::-2, 3:45:3, 2]
    assert not v.flags.c_contiguous and v.strides[0] < 0
    assert_close(ndi.uniform_filter(v, 3), sn.uniform_filter(v, 3))
    f = np.asfortranarray(big)
    assert_close(ndi.gaussian_filter(f, 1.2), sn.gaussian_filter(f, 1.2))


@pytest.mark.parametrize("alias,mode", [("grid-mirror", "reflect"), ("grid-constant", "constant"), ("grid-wrap", "wrap")])
def test_mode_aliases(alias, mode):
    a = np.random.default_rng(4).random((9, 8))
    assert_close(ndi.uniform_filter(a, 4, mode=alias, cval=2.0), sn.uniform_filter(a, 4, mode=mode, cval=2.0))


def test_list_input_and_0d():
    assert_close(ndi.uniform_filter([1.0, 2.0, 6.0], 3), sn.uniform_filter([1.0, 2.0, 6.0], 3))
    assert_close(ndi.gaussian_filter(np.array(2.5), 1.0), sn.gaussian_filter(np.array(2.5), 1.0))
    assert_close(ndi.correlate(np.array(2.5), np.array(2.0)), sn.correlate(np.array(2.5), np.array(2.0)))


def test_non_native_byte_order():
    a = np.random.default_rng(5).random((10, 12)).astype(">f8")
    ref = sn.uniform_filter(a, 3)
    got = ndi.uniform_filter(a, 3)
    assert got.dtype == ref.dtype
    assert np.max(np.abs(got - ref)) < 1e-12


def test_nan_stays_local():
    a = np.ones(50)
    a[10] = np.nan
    r = ndi.uniform_filter1d(a, 3)
    assert np.isnan(r[9:12]).all() and not np.isnan(r[:9]).any() and not np.isnan(r[12:]).any()


# ---------------------------------------------------------------------------------------------
# complex data (real and imaginary parts filtered separately, as scipy)

_rng = np.random.default_rng(11)
_W2 = _rng.uniform(-1, 1, (3, 2))
_W2C = _W2 + 1j * _rng.uniform(-1, 1, (3, 2))
COMPLEX_CASES = [
    ("uniform_filter", (3,), {"mode": "wrap", "cval": 1.0}),
    ("uniform_filter1d", (4,), {"axis": 0, "mode": "constant", "cval": 1 + 2j}),
    ("gaussian_filter", (1.2,), {"order": [0, 1]}),
    ("gaussian_filter1d", (0.9,), {"mode": "mirror"}),
    ("correlate1d", ([1.0, -2.0, 0.5],), {"mode": "nearest"}),
    ("correlate1d", ([1.0 + 1j, -2.0, 0.5j],), {}),
    ("convolve1d", ([1.0 + 1j, -2.0],), {"origin": -1}),
    ("correlate", (_W2,), {"mode": "constant", "cval": 0.5 - 1j}),
    ("correlate", (_W2C,), {}),
    ("convolve", (_W2C,), {"mode": "wrap"}),
]


COMPLEX_PARAMS = [
    (dtype, *case)
    for case in COMPLEX_CASES
    for dtype in (np.complex64, np.complex128, np.float64)
    # real data: only with complex weights (and a real cval)
    if np.dtype(dtype).kind == "c"
    or (any(np.iscomplexobj(x) for x in case[1]) and not np.iscomplexobj(case[2].get("cval", 0)))
]


@pytest.mark.parametrize("dtype,name,args,kw", COMPLEX_PARAMS)
def test_complex_follows_scipy(dtype, name, args, kw):
    rng = np.random.default_rng(12)
    a = rng.uniform(-1, 1, (9, 7)).astype(dtype)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.uniform(-1, 1, (9, 7)).astype(dtype)
    ref = getattr(sn, name)(a, *args, **kw)
    got = getattr(ndi, name)(a, *args, **kw)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    tol = 1e-5 if ref.dtype == np.complex64 else 1e-12
    assert np.max(np.abs(got - ref)) <= tol * max(1.0, float(np.max(np.abs(ref))))
    # into a given (strided) complex output, and in place
    out = np.zeros((9, 14), ref.dtype)[:, ::2]
    assert getattr(ndi, name)(a, *args, output=out, **kw) is out
    assert np.max(np.abs(out - ref)) <= tol * max(1.0, float(np.max(np.abs(ref))))
    if a.dtype == ref.dtype:
        b = a.copy()
        getattr(ndi, name)(b, *args, output=b, **kw)
        assert np.max(np.abs(b - ref)) <= tol * max(1.0, float(np.max(np.abs(ref))))


def test_complex_output_must_be_complex():
    a = np.ones((4, 4), complex)
    with pytest.raises(RuntimeError):
        ndi.uniform_filter(a, 3, output=np.empty((4, 4)))
    with pytest.raises(RuntimeError):
        sn.uniform_filter(a, 3, output=np.empty((4, 4)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axes_order_matters_with_constant_border(dtype):
    # scipy filters `axes` in the order given; with a non-zero cval and derivative kernels
    # (weights not summing to 1) the order changes the result (found by hypothesis)
    a = np.random.default_rng(9).uniform(-3, 3, (5, 4)).astype(dtype)
    kw = dict(order=1, mode="constant", cval=1.5, axes=[1, 0])
    assert_close(ndi.gaussian_filter(a, 1.0, **kw), sn.gaussian_filter(a, 1.0, **kw))
    kw = dict(mode="constant", cval=-2.0, axes=(1, 0), origin=(1, 0))
    assert_close(ndi.uniform_filter(a, (3, 2), **kw), sn.uniform_filter(a, (3, 2), **kw))
