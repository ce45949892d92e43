"""Hostile inputs to every function of the second half of the package: empty, 0-d, NaN/inf,
huge parameters, wrong dtypes and shapes. Each call either returns or raises ValueError,
TypeError or MemoryError (never a crash: the suite runs under faulthandler, and a Rust panic
would surface as RuntimeError, which fails here)."""

from __future__ import annotations

import numpy as np
import pytest

import ndkern
from ndkern import feature, filters, measure, registration, signal, stats
from ndkern.cluster import vq
from ndkern.spatial import distance

E0 = np.empty((0,))
E2 = np.empty((0, 3))
NAN = np.array([1.0, np.nan, 3.0])
INF = np.array([[1.0, np.inf], [0.0, 2.0]])
S = np.array(3.0)
STR = np.array(["a", "b"])
BIG = 2**62

CALLS = {
    "histogram_empty": lambda: ndkern.histogram(E0, 5),
    "histogram_nan": lambda: ndkern.histogram(NAN, 3),
    "histogram_inf_range": lambda: ndkern.histogram(NAN, 3, (0, np.inf)),
    "histogram_str": lambda: ndkern.histogram(STR),
    "histogram_huge_bins": lambda: ndkern.histogram(np.ones(3), [0.0, 1.0], weights=np.ones(2)),
    "histogramdd_empty": lambda: ndkern.histogramdd(E2, 2),
    "histogramdd_nan": lambda: ndkern.histogramdd(np.array([[np.nan, 1.0]]), 2),
    "histogramdd_huge": lambda: ndkern.histogramdd(np.ones((2, 3)), 2**20, range=[(0, 1)] * 3),
    "bincount_huge": lambda: ndkern.bincount([BIG]),
    "bincount_neg": lambda: ndkern.bincount([-5]),
    "digitize_empty_bins": lambda: ndkern.digitize([1.0], []),
    "digitize_nan_bins": lambda: ndkern.digitize([1.0], [0.0, np.nan]),
    "gradient_0d": lambda: ndkern.gradient(S),
    "gradient_zero_spacing": lambda: ndkern.gradient(np.arange(5.0), 0.0),
    "gradient_nan_coords": lambda: ndkern.gradient(np.arange(3.0), np.array([0.0, np.nan, 1.0])),
    "polyfit_nan": lambda: ndkern.polyfit(NAN, NAN, 1),
    "polyfit_huge_deg": lambda: ndkern.polyfit(np.arange(3.0), np.arange(3.0), BIG),
    "polyval_empty": lambda: ndkern.polyval([1.0, 2.0], E0),
    "fftshift_0d": lambda: ndkern.fft.fftshift(S),
    "kde_inf": lambda: stats.gaussian_kde(np.array([1.0, np.inf, 2.0, 3.0])),
    "kde_nan_points": lambda: stats.gaussian_kde(np.arange(10.0))(np.array([np.nan])),
    "kde_bad_bounds": lambda: stats.gaussian_kde(np.arange(10.0), bounds=(5.0, 1.0)),
    "kde_zero_factor": lambda: stats.gaussian_kde(np.arange(10.0), 0.0),
    "pearsonr_nan": lambda: stats.pearsonr(NAN, np.array([1.0, 2.0, 4.0])),
    "pearsonr_const": lambda: stats.pearsonr(np.ones(4), np.arange(4.0)),
    "bsdd_empty": lambda: stats.binned_statistic_dd(E2, E0, bins=2, range=[(0, 1)] * 3),
    "bsdd_huge_bins": lambda: stats.binned_statistic_dd(np.ones((2, 2)), np.ones(2), bins=2**40),
    "cdist_nan": lambda: distance.cdist(INF, INF),
    "cdist_empty": lambda: distance.cdist(E2, np.ones((2, 3))),
    "pdist_1row": lambda: distance.pdist(np.ones((1, 3))),
    "mahal_singular": lambda: distance.pdist(np.ones((5, 2)), "mahalanobis"),
    "vq_empty": lambda: vq.vq(E2, np.ones((2, 3))),
    "kmeans2_k_too_big": lambda: vq.kmeans2(np.ones((3, 2)), 10, minit="points"),
    "kmeans2_nan": lambda: vq.kmeans2(INF, 2),
    "convolve_nan": lambda: signal.convolve(NAN, NAN),
    "fftconvolve_inf": lambda: signal.fftconvolve(INF, INF),
    "oaconvolve_mismatch": lambda: signal.oaconvolve(np.ones((3, 4)), np.ones((2, 5)), axes=0),
    "detrend_empty": lambda: signal.detrend(E0),
    "detrend_0d": lambda: signal.detrend(S),
    "bary_dup": lambda: ndkern.interpolate.barycentric_interpolate([1.0, 1.0], [1.0, 2.0], [0.0]),
    "bary_empty": lambda: ndkern.interpolate.barycentric_interpolate(E0, E0, [0.0]),
    "pcc_empty": lambda: registration.phase_cross_correlation(E2, E2),
    "pcc_huge_up": lambda: registration.phase_cross_correlation(np.ones((4, 4)), np.ones((4, 4)),
                                                                upsample_factor=BIG),
    "block_huge": lambda: measure.block_reduce(np.ones((3, 3)), (BIG, 1)),
    "hessian_1d": lambda: feature.hessian_matrix(np.ones(5), use_gaussian_derivatives=False),
    "hessian_huge_sigma": lambda: feature.hessian_matrix(np.ones((4, 4)), 1e300,
                                                         use_gaussian_derivatives=True),
    "hessian_eig_bad": lambda: feature.hessian_matrix_eigvals([np.ones(3), np.ones(4)]),
    "frangi_huge_sigma": lambda: filters.frangi(np.ones((5, 5)), sigmas=[1e300]),
    "frangi_4d": lambda: filters.frangi(np.ones((2, 2, 2, 2))),
    "label_huge": lambda: ndkern.label_stats(np.array([BIG]), np.ones(1)),
    "gather_oob": lambda: ndkern.gather(np.ones((2, 1)), np.array([5])),
    "ragged_bad": lambda: ndkern.ragged_select(np.ones((2, 3, 4)), np.ones((2, 2), bool)),
    "healpix_bad_nside": lambda: ndkern.healpix_map(0, NAN, NAN, NAN),
    "healpix_nan": lambda: ndkern.healpix_map(2, NAN, np.zeros(3), np.ones(3)),
    "drp_short": lambda: ndkern.detrend_rolling_pearson(np.ones((2, 5)), np.ones(5), 1, 10, 5),
    "level_rows_1d": lambda: ndkern.level_rows(np.ones(5)),
    "hev_1d": lambda: ndkern.hessian_eigvalsh(np.ones(5)),
    "est_kernel_nan": lambda: ndkern.estimate_kernel(INF, INF, 1),
    "interp_nan": lambda: ndkern.interpolate(NAN, NAN, [0.0]),
    "kmeans_nan": lambda: ndkern.kmeans(INF, 1),
    "nearest_empty_cb": lambda: ndkern.nearest(np.ones((2, 3)), E2),
    "pca_one_row": lambda: ndkern.pca(np.ones((1, 3)), 1),
    "recursive_small_sigma": lambda: ndkern.gaussian_filter_recursive(np.ones(5), 0.1),
    "select_mask_bad": lambda: ndkern.select_in_mask(np.ones((3, 3)), np.ones((2, 2), bool)),
    "hist_masked_empty": lambda: ndkern.histogram_masked(E0, E0.astype(bool), 3),
    "xcorr_empty": lambda: ndkern.cross_correlate_circular(E2, E2),
    "norm_l2_axis": lambda: ndkern.norm_l2(np.ones(3), axis=3),
    "curve_fit_raises": lambda: ndkern.curve_fit(lambda p: 1 / 0, np.ones(3), [1.0]),
    "curve_fit_shape": lambda: ndkern.curve_fit(lambda p: np.ones(4), np.ones(3), [1.0]),
    "curve_fit_empty_p0": lambda: ndkern.curve_fit(lambda p: np.ones(3), np.ones(3), []),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_hostile_input_raises_cleanly_or_returns(name):
    try:
        CALLS[name]()
    except (ValueError, TypeError, MemoryError, ZeroDivisionError, OverflowError,
            np.exceptions.AxisError):
        pass
