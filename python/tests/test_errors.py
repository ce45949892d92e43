"""Bad input raises the exception scipy/numpy raise (ndkern.ArgumentError is both a
ValueError and the RuntimeError scipy raises in some places); nothing crashes the interpreter
(the suite runs under `python -X faulthandler`)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as sn

import ndkern
from ndkern import _ndkern
from ndkern import ndimage as ndi

A = np.random.default_rng(0).random((6, 7))

# (function name, args, kwargs): each raises in scipy; ndkern must raise an instance of the
# same exception type.
BAD = [
    ("uniform_filter", (A, 3), {"mode": "bogus"}),
    ("uniform_filter", (A, 3), {"mode": ["reflect"]}),
    ("uniform_filter", (A, (3, 3, 3)), {}),
    ("uniform_filter", (A, 3), {"output": np.empty((6, 6))}),
    ("uniform_filter", (A, 3), {"origin": 2}),
    ("uniform_filter", (A, 3), {"axes": (0, 2)}),
    ("uniform_filter", (A, 3), {"axes": (0, 0)}),
    ("uniform_filter1d", (A, 0), {}),
    ("uniform_filter1d", (A, 3), {"axis": 2}),
    ("uniform_filter1d", (A, 3), {"axis": -3}),
    ("uniform_filter1d", (A, 4), {"origin": -3}),
    ("uniform_filter1d", (A, 3), {"mode": "shrink"}),
    ("gaussian_filter1d", (A, -1.0), {}),
    ("gaussian_filter1d", (A, 1.0), {"radius": -1}),
    ("gaussian_filter1d", (A, 1.0), {"order": -1}),
    ("gaussian_filter1d", (A, 1.0), {"truncate": -2.0}),
    ("gaussian_filter1d", (A, 1.0), {"axis": 5}),
    ("gaussian_filter", (A, (1.0, 2.0, 3.0)), {}),
    ("gaussian_filter", (A, 1.0), {"mode": "nope"}),
    ("gaussian_filter", (A, 1.0), {"output": np.empty((7, 6))}),
    ("correlate1d", (A, []), {}),
    ("correlate1d", (A, [1.0, 2.0, 3.0]), {"origin": 2}),
    ("correlate1d", (A, [[1.0, 2.0]]), {}),
    ("convolve1d", (A, [1.0, 2.0]), {"axis": 3}),
    ("correlate", (A, np.ones((3,))), {}),
    ("correlate", (A, np.ones((3, 3, 3))), {}),
    ("correlate", (A, np.ones((0, 3))), {}),
    ("correlate", (A, np.ones((3, 3))), {"origin": (2, 0)}),
    ("correlate", (A, np.ones((3, 3))), {"mode": ["reflect", "wrap"]}),
    ("convolve", (A, np.ones((3, 3))), {"mode": "grid"}),
    ("convolve", (A, np.ones((3,))), {"axes": (0, 1)}),
    ("convolve", (A, np.ones((3, 3))), {"output": np.empty((2, 2))}),
]


@pytest.mark.parametrize("name,args,kw", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_same_exception_as_scipy(name, args, kw):
    with pytest.raises(Exception) as ref:
        getattr(sn, name)(*args, **kw)
    with pytest.raises(ref.type):
        getattr(ndi, name)(*args, **kw)


def test_argument_error_is_value_and_runtime_error():
    with pytest.raises(ValueError):
        ndi.uniform_filter(A, 3, mode="bogus")
    with pytest.raises(RuntimeError):
        ndi.uniform_filter(A, 3, mode="bogus")
    assert issubclass(ndkern.ArgumentError, ValueError)


def test_gaussian_orders_above_3_as_scipy():
    # formerly NotImplementedError: now scipy's kernel weights through ndkern's correlate1d
    np.testing.assert_allclose(ndi.gaussian_filter(A, 1.0, order=4),
                               sn.gaussian_filter(A, 1.0, order=4), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ndi.gaussian_filter(A, (1.0, 2.0), order=(5, 1), mode="wrap"),
                               sn.gaussian_filter(A, (1.0, 2.0), order=(5, 1), mode="wrap"),
                               rtol=0, atol=1e-12)
    c = A.astype(complex) * (1 + 2j)
    np.testing.assert_allclose(ndi.gaussian_filter1d(c, 1.0, order=5),
                               sn.gaussian_filter1d(c, 1.0, order=5), rtol=0, atol=1e-12)
    f32 = A.astype(np.float32)
    r = ndi.gaussian_filter1d(f32, 1.5, axis=0, order=4)
    assert r.dtype == np.float32
    np.testing.assert_allclose(r, sn.gaussian_filter1d(f32, 1.5, axis=0, order=4), atol=1e-5)


def test_complex_cval_with_real_input_as_scipy():
    # formerly NotImplementedError: the exception scipy raises, with what to do
    for name in ("uniform_filter", "gaussian_filter", "correlate"):
        args = (A, np.ones((3, 3))) if name == "correlate" else (A, 3)
        with pytest.raises(Exception) as ref:
            getattr(sn, name)(*args, mode="constant", cval=1j)
        with pytest.raises(ref.type):
            getattr(ndi, name)(*args, mode="constant", cval=1j)
    with pytest.raises(TypeError, match="complex"):
        ndkern.window_sum(A, 3, mode="constant", cval=1 + 1j)


def test_too_large_is_memory_error():
    # Rust's Error::TooLarge (an allocation sized by the arguments over the memory cap)
    with pytest.raises(MemoryError, match="NDKERN_MAX_ALLOC_BYTES"):
        _ndkern._too_large_for_test()
    with pytest.raises(MemoryError):
        ndkern.bincount([0, 1], minlength=2**60)


def test_zero_sigma_1d_is_value_error():
    with pytest.raises(ValueError):
        ndi.gaussian_filter1d(A, 0.0)
    # the N-d filter skips zero-sigma axes, as scipy
    assert np.array_equal(ndi.gaussian_filter(A, 0.0), A)


def test_bad_dtypes():
    with pytest.raises(TypeError):
        ndi.uniform_filter(np.array(["a", "b"]), 3)
    with pytest.raises(ValueError):
        ndi.uniform_filter(A, 3, output=np.empty((6, 7), complex))
    ro = np.empty((6, 7))
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        ndi.uniform_filter(A, 3, output=ro)


def test_reduction_errors():
    with pytest.raises(np.exceptions.AxisError):
        ndkern.sum(A, axis=2)
    with pytest.raises(ValueError):
        ndkern.sum(A, axis=(0, 0))
    with pytest.raises(ValueError):
        ndkern.min(np.empty((0, 3)))
    with pytest.raises(np.exceptions.AxisError):
        ndkern.count_nonzero(A, axis=-3)


def test_extension_errors_are_exceptions():
    # Called directly, the extension checks too: a Rust Err becomes ValueError.
    out = np.empty_like(A)
    with pytest.raises(ValueError, match="origin"):
        _ndkern.uniform_filter1d(A, 3, 0, "reflect", 0.0, 5, out)
    with pytest.raises(ValueError, match="shape"):
        _ndkern.uniform_filter(A, [3, 3], "reflect", 0.0, [0, 0], np.empty((2, 2)))
    with pytest.raises(TypeError):
        _ndkern.uniform_filter(A, [3, 3], "reflect", 0.0, [0, 0], np.empty((6, 7), np.float32))
    with pytest.raises(ValueError):
        _ndkern.uniform_filter(A, [3, 3], "bogus", 0.0, [0, 0], out)


@pytest.mark.parametrize("in_pool", [False, True])
def test_rust_panic_becomes_runtime_error(in_pool):
    with pytest.raises(RuntimeError, match="panic"):
        _ndkern._panic_for_test(in_pool)
    # the pool still works afterwards
    assert np.isfinite(ndi.uniform_filter(A, 3)).all()


def test_window_stats_errors():
    with pytest.raises(ValueError):
        ndkern.window_sum(A, 0)
    with pytest.raises(ValueError):
        ndkern.window_sum(A, (3, 3, 3))
    with pytest.raises(ValueError):
        ndkern.local_mean_var(A, 3, mode="nope")
