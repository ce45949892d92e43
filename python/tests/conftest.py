"""Shared strategies and helpers of the Python tests (scipy/numpy are the oracles)."""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Deterministic in CI (the same examples every run); NDKERN_HYPOTHESIS_EXAMPLES raises the
# number of examples for a deeper local run, NDKERN_HYPOTHESIS_RANDOM=1 draws fresh ones.
settings.register_profile(
    "ndkern",
    max_examples=int(os.environ.get("NDKERN_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    derandomize=os.environ.get("NDKERN_HYPOTHESIS_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("ndkern")

MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]
DTYPES = [np.float32, np.float64]
LAYOUTS = ["C", "F", "flipped", "strided", "transposed"]


def tolerance(dtype) -> float:
    """Error bound relative to max|reference|: scipy computes in float64 either way."""
    return 1e-5 if np.dtype(dtype) == np.float32 else 1e-12


def assert_close(actual, expected, dtype=None):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    if expected.size == 0:
        return
    tol = tolerance(dtype if dtype is not None else expected.dtype)
    scale = max(float(np.max(np.abs(expected.astype(np.float64)))), 1e-300)
    err = float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))
    assert err <= tol * scale, f"max error {err:.3g} > {tol:g} * max|ref| {scale:.3g}"


def make_layout(base: np.ndarray, layout: str, rng: np.random.Generator) -> np.ndarray:
    """The same values as `base` in another memory layout (a view where one is possible)."""
    if layout == "C":
        return np.ascontiguousarray(base)
    if layout == "F":
        return np.asfortranarray(base)
    if layout == "flipped":
        # negative strides on every axis: stored reversed, viewed forward
        store = np.ascontiguousarray(base[tuple(slice(None, None, -1) for _ in base.shape)])
        v = store[tuple(slice(None, None, -1) for _ in base.shape)]
        assert np.array_equal(v, base) and (base.ndim == 0 or base.size < 2 or v.strides[0] <= 0)
        return v
    if layout == "strided":
        big = np.empty(tuple(2 * s + 1 for s in base.shape), dtype=base.dtype)
        big.fill(np.nan)
        v = big[tuple(slice(1, None, 2) for _ in base.shape)]
        v[...] = base
        return v
    if layout == "transposed":
        store = np.ascontiguousarray(base.T)
        return store.T
    raise AssertionError(layout)


@st.composite
def arrays(draw, min_dims=1, max_dims=4, max_side=7, allow_empty=True):
    """(array, dtype, layout): random shape (size-1 and, optionally, size-0 axes), float32 or
    float64, values in [-1, 1] with an offset, in one of LAYOUTS."""
    ndim = draw(st.integers(min_dims, max_dims))
    lo = 0 if allow_empty else 1
    side = st.one_of(st.integers(1, max_side), st.just(1), st.integers(lo, max_side))
    shape = tuple(draw(side) for _ in range(ndim))
    dtype = draw(st.sampled_from(DTYPES))
    layout = draw(st.sampled_from(LAYOUTS))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    base = (rng.uniform(-1, 1, size=shape) + rng.uniform(-3, 3)).astype(dtype)
    return make_layout(base, layout, rng), np.dtype(dtype), layout
