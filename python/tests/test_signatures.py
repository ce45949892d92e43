"""Keyword for keyword: every drop-in name has its library's parameters, kinds and defaults
(ndkern's own additions are keyword-only and listed here)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import scipy.cluster.vq as svq
import scipy.interpolate as sip
import scipy.ndimage as sn
import scipy.signal as ssg
import scipy.spatial.distance as ssd
import scipy.stats as sst
import skimage.feature as skf
import skimage.filters as skfl
import skimage.measure as skm
import skimage.registration as skr

import ndkern

PAIRS = [
    (ndkern.histogram, np.histogram),
    (ndkern.histogramdd, np.histogramdd),
    (ndkern.bincount, np.bincount),
    (ndkern.digitize, np.digitize),
    (ndkern.gradient, np.gradient),
    (ndkern.polyfit, np.polyfit),
    (ndkern.polyval, np.polyval),
    (ndkern.fft.fftshift, np.fft.fftshift),
    (ndkern.fft.ifftshift, np.fft.ifftshift),
    (ndkern.stats.binned_statistic_dd, sst.binned_statistic_dd),
    (ndkern.stats.pearsonr, sst.pearsonr),
    (ndkern.stats.gaussian_kde.integrate_box_1d, sst.gaussian_kde.integrate_box_1d),
    (ndkern.stats.gaussian_kde.evaluate, sst.gaussian_kde.evaluate),
    (ndkern.signal.detrend, ssg.detrend),
    (ndkern.signal.convolve, ssg.convolve),
    (ndkern.signal.correlate, ssg.correlate),
    (ndkern.signal.fftconvolve, ssg.fftconvolve),
    (ndkern.signal.oaconvolve, ssg.oaconvolve),
    (ndkern.spatial.distance.cdist, ssd.cdist),
    (ndkern.spatial.distance.pdist, ssd.pdist),
    (ndkern.cluster.vq.vq, svq.vq),
    (ndkern.cluster.vq.kmeans2, svq.kmeans2),
    (ndkern.interpolate.barycentric_interpolate, sip.barycentric_interpolate),
    (ndkern.registration.phase_cross_correlation, skr.phase_cross_correlation),
    (ndkern.measure.block_reduce, skm.block_reduce),
    (ndkern.feature.hessian_matrix, skf.hessian_matrix),
    (ndkern.feature.hessian_matrix_eigvals, skf.hessian_matrix_eigvals),
    (ndkern.filters.frangi, skfl.frangi),
    (ndkern.ndimage.gaussian_filter, sn.gaussian_filter),
]

# ndkern's additions (keyword-only, after the library's parameters)
EXTRA = {"__init__": {"bounds"}}


def params(f):
    return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]


@pytest.mark.parametrize("ours,theirs", PAIRS, ids=[p[1].__qualname__ for p in PAIRS])
def test_same_signature(ours, theirs):
    a, b = params(ours), params(theirs)
    assert [x[0] for x in a] == [x[0] for x in b]
    for (n, ka, da), (_, kb, db) in zip(a, b):
        assert ka == kb, (n, ka, kb)
        if isinstance(db, range) or callable(db):
            assert str(da) == str(db) or da is db, (n, da, db)
        else:
            assert da == db or (da is None and db is None), (n, da, db)


def test_gaussian_kde_init_signature():
    a = params(ndkern.stats.gaussian_kde.__init__)
    b = params(sst.gaussian_kde.__init__)
    assert a[: len(b)] == b
    assert {x[0] for x in a[len(b):]} == EXTRA["__init__"]
    assert all(x[1] is inspect.Parameter.KEYWORD_ONLY for x in a[len(b):])
