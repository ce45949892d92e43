"""scikit-image's names (ndkern.registration, ndkern.measure, ndkern.feature, ndkern.filters)
compared with scikit-image on the same random inputs, plus bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.feature as skf
import skimage.filters as skfl
import skimage.measure as skm
import skimage.registration as skr
from conftest import LAYOUTS, make_layout
from hypothesis import given
from hypothesis import strategies as st

from ndkern import feature, filters, measure, registration

RNG = np.random.default_rng(9)


def close(a, b, rtol=1e-12, atol=0.0):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    scale = float(np.nanmax(np.abs(b))) if b.size else 1.0
    np.testing.assert_allclose(a, b, rtol=0, atol=atol + rtol * max(scale, 1e-300),
                               equal_nan=True)


@given(st.integers(1, 3), st.integers(1, 4), st.sampled_from(
    ["sum", "mean", "min", "max", "count_nonzero", "any", "median"]),
    st.sampled_from([np.float64, np.float32, np.uint8, np.bool_, np.int16]), st.booleans())
def test_block_reduce(ndim, b, func, dtype, cval):
    shape = tuple(int(v) for v in RNG.integers(1, 9, size=ndim))
    img = RNG.normal(size=shape) * 5
    if np.dtype(dtype).kind in "biu":
        img = np.abs(img) > 4 if dtype == np.bool_ else np.abs(img).astype(dtype)
    else:
        img = img.astype(dtype)
        img = make_layout(img, LAYOUTS[int(RNG.integers(0, len(LAYOUTS)))], RNG)
    f = {"sum": np.sum, "mean": np.mean, "min": np.min, "max": np.max,
         "count_nonzero": np.count_nonzero, "any": np.any, "median": np.median}[func]
    block = tuple(int(v) for v in RNG.integers(1, b + 1, size=ndim))
    cv = 1 if cval else 0
    ref = skm.block_reduce(img, block, f, cval=cv)
    got = measure.block_reduce(img, block, f, cval=cv)
    close(got, ref, 1e-5 if np.asarray(ref).dtype == np.float32 else 1e-12)


def test_block_reduce_q9_and_errors():
    img = (RNG.random((12, 12)) > 0.5).astype(np.uint8)
    close(measure.block_reduce(img != 0, (3, 3), np.mean),
          skm.block_reduce(img != 0, (3, 3), np.mean))
    for args in ((img, (3, 3, 3)), (img, (0, 3))):
        with pytest.raises(ValueError):
            skm.block_reduce(*args)
        with pytest.raises(ValueError):
            measure.block_reduce(*args)


@given(st.sampled_from([(32, 32), (20, 24), (8, 9, 10)]), st.sampled_from([1, 4, 20]),
       st.sampled_from(["phase", None]), st.sampled_from([np.float64, np.float32]))
def test_phase_cross_correlation(shape, up, norm, dtype):
    ref_img = RNG.random(shape).astype(dtype)
    shift = tuple(int(v) for v in RNG.integers(-3, 4, size=len(shape)))
    mov = np.roll(ref_img, shift, axis=tuple(range(len(shape))))
    mov = mov + (0.01 * RNG.random(shape)).astype(dtype)
    r = skr.phase_cross_correlation(ref_img, mov, upsample_factor=up, normalization=norm)
    g = registration.phase_cross_correlation(ref_img, mov, upsample_factor=up,
                                             normalization=norm)
    np.testing.assert_allclose(g[0], r[0], atol=1.0 / up + 1e-9)
    assert g[0].dtype == np.float64
    assert g[1] == pytest.approx(r[1], abs=5e-3)
    assert abs(g[2] - r[2]) < 5e-3 or abs(abs(g[2] - r[2]) - 2 * np.pi) < 5e-3


def test_phase_cross_correlation_errors():
    a = RNG.random((8, 8))
    with pytest.raises(ValueError):
        registration.phase_cross_correlation(a, a[:7])
    with pytest.raises(ValueError):
        registration.phase_cross_correlation(a, a, space="fourier")
    with pytest.raises(ValueError):
        registration.phase_cross_correlation(a, a, reference_mask=a > 0.5)
    with pytest.raises(ValueError):
        registration.phase_cross_correlation(a, a, normalization="bogus")


@given(st.sampled_from([(9, 11), (6, 7, 8)]), st.sampled_from([0.7, 1.5, 3.0]),
       st.sampled_from(["constant", "reflect", "nearest", "wrap", "mirror"]), st.booleans(),
       st.sampled_from([np.float64, np.float32]))
def test_hessian_matrix_and_eigvals(shape, sigma, mode, gauss, dtype):
    img = RNG.normal(size=shape).astype(dtype)
    ref = skf.hessian_matrix(img, sigma, mode=mode, cval=0.5, use_gaussian_derivatives=gauss)
    got = feature.hessian_matrix(img, sigma, mode=mode, cval=0.5,
                                 use_gaussian_derivatives=gauss)
    assert len(got) == len(ref)
    tol = 2e-3 if dtype == np.float32 else 1e-10
    # skimage's float32 passes round at the image's scale: an absolute part for float32
    atol = 1e-6 * float(np.abs(img).max()) if dtype == np.float32 else 0.0
    for g, r in zip(got, ref):
        close(g, r, tol, atol)
    close(feature.hessian_matrix_eigvals(got), skf.hessian_matrix_eigvals(ref), tol * 10,
          atol * 10)


def test_hessian_matrix_xy_int_and_warning():
    img = RNG.integers(0, 255, size=(10, 12)).astype(np.uint8)
    with pytest.warns(FutureWarning):
        got = feature.hessian_matrix(img, 1.0)
    with pytest.warns(FutureWarning):
        ref = skf.hessian_matrix(img, 1.0)
    for g, r in zip(got, ref):
        close(g, r, 1e-10)
    f = RNG.random((10, 12))
    for g, r in zip(feature.hessian_matrix(f, 1.0, order="xy", use_gaussian_derivatives=False),
                    skf.hessian_matrix(f, 1.0, order="xy", use_gaussian_derivatives=False)):
        close(g, r, 1e-10)
    with pytest.raises(ValueError):
        feature.hessian_matrix(RNG.random((4, 4, 4)), order="xy", use_gaussian_derivatives=False)
    with pytest.raises(ValueError):
        feature.hessian_matrix(f, 1.0, order="ij", use_gaussian_derivatives=False)


@given(st.sampled_from([(16, 18), (8, 9, 10)]), st.booleans(),
       st.sampled_from([None, 5.0]), st.sampled_from([np.float64, np.float32]))
def test_frangi(shape, black, gamma, dtype):
    img = RNG.random(shape).astype(dtype)
    ref = skfl.frangi(img, sigmas=[1.0, 2.0], black_ridges=black, gamma=gamma)
    got = filters.frangi(img, sigmas=[1.0, 2.0], black_ridges=black, gamma=gamma)
    close(got, ref, 2e-3 if dtype == np.float32 else 1e-9)
    refc = skfl.frangi(img, sigmas=[1.5], mode="constant", cval=0.25)
    close(filters.frangi(img, sigmas=[1.5], mode="constant", cval=0.25), refc,
          2e-3 if dtype == np.float32 else 1e-9)


def test_frangi_errors():
    with pytest.raises(ValueError):
        filters.frangi(RNG.random(10))
    with pytest.raises(ValueError):
        filters.frangi(RNG.random((5, 5)), sigmas=[-1.0])
