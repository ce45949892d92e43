"""ndkern.dask's reductions (partials + combine) against the single-machine ndkern call on the
whole array, on several chunkings (one chunk, many, uneven)."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")

import ndkern  # noqa: E402
import ndkern.dask as nd  # noqa: E402
from conftest import assert_close  # noqa: E402

if not all(hasattr(ndkern, n) for n in ("histogramdd", "label_stats", "kmeans", "pca", "stats")):
    pytest.skip("the ndkern bindings these reductions use are not built in", allow_module_level=True)

ROW_CHUNKS = {"one": -1, "many": 97, "uneven": (1, 300, 2, 497, 200)}


def rows(a, chunking):
    c = ROW_CHUNKS[chunking]
    if isinstance(c, tuple) and a.shape[0] != sum(c):
        c = -1
    return da.from_array(a, chunks=(c,) + (-1,) * (a.ndim - 1))


@pytest.fixture(scope="module")
def pts():
    rng = np.random.default_rng(11)
    p = rng.normal(size=(1000, 3)) * [1.0, 2.0, 0.5] + [0.0, 5.0, -1.0]
    v = rng.normal(size=1000) + 3.0
    return p, v


@pytest.mark.parametrize("chunking", list(ROW_CHUNKS))
def test_histogram(chunking, pts):
    p, v = pts
    x = rows(p[:, 0], chunking)
    w = rows(v, chunking)
    for kw in [dict(bins=17), dict(bins=8, range=(-1.0, 1.5)), dict(bins=np.array([-3, -1, 0, 0.5, 2.0]))]:
        h, e = nd.histogram(x, **kw)
        eh, ee = ndkern.histogram(p[:, 0], **kw)
        np.testing.assert_array_equal(e, ee)
        got = h.compute()
        assert got.dtype == eh.dtype and np.array_equal(got, eh)
        h, _ = nd.histogram(x, weights=w, **kw)
        assert_close(h.compute(), ndkern.histogram(p[:, 0], weights=v, **kw)[0])
        h, _ = nd.histogram(x, density=True, **kw)
        assert_close(h.compute(), ndkern.histogram(p[:, 0], density=True, **kw)[0])


@pytest.mark.parametrize("chunking", list(ROW_CHUNKS))
def test_histogramdd(chunking, pts):
    p, v = pts
    x = rows(p, chunking)
    for kw in [dict(bins=6), dict(bins=(3, 4, 5), range=[(-1, 1), (4, 6), (-2, 0)])]:
        h, e = nd.histogramdd(x, **kw)
        eh, ee = ndkern.histogramdd(p, **kw)
        for a, b in zip(e, ee):
            np.testing.assert_array_equal(a, b)
        assert np.array_equal(h.compute(), eh)
        h, _ = nd.histogramdd(x, weights=rows(v, chunking), density=True, **kw)
        assert_close(h.compute(), ndkern.histogramdd(p, weights=v, density=True, **kw)[0])
    # a sequence of coordinate arrays
    h, _ = nd.histogramdd([rows(p[:, 0], chunking), rows(p[:, 2], chunking)], bins=5)
    assert np.array_equal(h.compute(), ndkern.histogramdd([p[:, 0], p[:, 2]], bins=5)[0])


@pytest.mark.parametrize("chunking", list(ROW_CHUNKS))
def test_bincount_and_label_stats(chunking, pts):
    p, v = pts
    lab = (np.abs(p[:, 0]) * 7).astype(np.int64)
    x = rows(lab, chunking)
    assert np.array_equal(nd.bincount(x).compute(), ndkern.bincount(lab))
    assert np.array_equal(nd.bincount(x, minlength=40).compute(), ndkern.bincount(lab, minlength=40))
    assert_close(nd.bincount(x, weights=rows(v, chunking)).compute(), ndkern.bincount(lab, weights=v))
    count, sums = nd.label_stats(x, rows(v, chunking))
    ec, es = ndkern.label_stats(lab, v)
    assert np.array_equal(count.compute(), ec)
    assert_close(sums.compute(), es)
    count, sums = nd.label_stats(x, rows(p, chunking), nlabels=30)
    ec, es = ndkern.label_stats(lab, p, 30)
    assert np.array_equal(count.compute(), ec)
    assert_close(sums.compute(), es)


@pytest.mark.parametrize("chunks", [(-1, -1, -1), (7, 5, 3), ((3, 10, 12), (1, 20, 9), 3)])
def test_label_mean_q14(chunks):
    rng = np.random.default_rng(4)
    img = rng.random((25, 30, 3))
    lab = rng.integers(1, 40, size=(25, 30))
    x = da.from_array(img, chunks=chunks)
    lchunks = chunks[:2] if chunks[0] != -1 else (-1, -1)
    L = da.from_array(lab, chunks=lchunks)
    r = nd.label_mean(L, x)
    assert r.shape == img.shape and r.dtype == np.float64
    assert_close(r.compute(), ndkern.label_mean(lab, img))
    r1 = nd.label_mean(L, x[..., 0])
    assert_close(r1.compute(), ndkern.label_mean(lab, img[..., 0]))


@pytest.mark.parametrize("statistic", ["count", "sum", "mean", "std", "min", "max"])
@pytest.mark.parametrize("chunking", ["one", "uneven"])
def test_binned_statistic_dd(statistic, chunking, pts):
    p, v = pts
    x = rows(p, chunking)
    w = rows(v, chunking)
    for kw in [dict(bins=5), dict(bins=[np.linspace(-2, 2, 6), np.linspace(2, 8, 4), [-2.0, -1.0, 0.0]])]:
        r = nd.binned_statistic_dd(x, w, statistic, **kw)
        e = ndkern.stats.binned_statistic_dd(p, v, statistic, **kw)
        for a, b in zip(r.bin_edges, e.bin_edges):
            np.testing.assert_array_equal(a, b)
        got = r.statistic.compute()
        assert np.array_equal(np.isnan(got), np.isnan(e.statistic))
        assert_close(np.nan_to_num(got), np.nan_to_num(e.statistic))
        assert np.array_equal(r.binnumber.compute(), e.binnumber)


def test_binned_std_large_offset():
    """Chan's combine: a large common offset (1e8, std 1) does not cancel the variance away
    (a sum-of-squares combine loses every digit here); values carry ~1e-8 absolute error at
    that magnitude, hence the tolerance."""
    rng = np.random.default_rng(9)
    p = rng.random((2000, 2))
    v = 1e8 + rng.normal(size=2000)
    r = nd.binned_statistic_dd(rows(p, "many"), rows(v, "many"), "std", bins=3, range=[(0, 1), (0, 1)])
    e = ndkern.stats.binned_statistic_dd(p, v, "std", bins=3, range=[(0, 1), (0, 1)])
    np.testing.assert_allclose(r.statistic.compute(), e.statistic, rtol=1e-7)


def test_q1_gridding(pts):
    p, v = pts
    x = rows(p, "many")
    lo, hi = p.min(axis=0), p.max(axis=0)
    edges = [np.arange(a, b + 0.1, 0.1) for a, b in zip(lo, hi)]
    r = nd.binned_statistic_dd(x, rows(v, "many"), "mean", bins=edges)
    e = ndkern.stats.binned_statistic_dd(p, v, "mean", bins=edges)
    got = r.statistic.compute()
    assert np.array_equal(np.isnan(got), np.isnan(e.statistic))
    assert_close(np.nan_to_num(got), np.nan_to_num(e.statistic))
    # no point lost on a cell edge: the counts add up
    assert nd.binned_statistic_dd(x, rows(v, "many"), "count", bins=edges).statistic.sum().compute() == len(p)


@pytest.mark.parametrize("chunking", list(ROW_CHUNKS))
def test_kmeans(chunking):
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 6.0, 6.0], [8.0, 0.0, 3.0]])
    x = (centres[rng.integers(0, 4, 1000)] + rng.normal(size=(1000, 3))).astype(np.float64)
    init = x[:4].copy()
    for tol in [1e-4, 0.0]:
        r = nd.kmeans(rows(x, chunking), 4, init=init, tol=tol)
        e = ndkern.kmeans(x, 4, init=init, tol=tol)
        assert np.array_equal(r.labels.compute(), e.labels)
        assert_close(r.centroids, e.centroids)
        assert r.inertia == pytest.approx(e.inertia, rel=1e-12)
        assert r.converged == e.converged
        assert abs(r.n_iter - e.n_iter) <= (1 if tol == 0 else 0)


def test_kmeans_empty_cluster():
    x = np.array([[0.0], [0.1], [0.2], [10.0], [10.1], [50.0]])
    init = np.array([[0.0], [10.0], [1000.0]])
    r = nd.kmeans(da.from_array(x, chunks=2), 3, init=init)
    e = ndkern.kmeans(x, 3, init=init)
    assert np.array_equal(r.labels.compute(), e.labels)
    assert_close(r.centroids, e.centroids)


@pytest.mark.parametrize("chunking", list(ROW_CHUNKS))
@pytest.mark.parametrize("whiten", [False, True])
def test_pca(chunking, whiten):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(1000, 4)) @ rng.normal(size=(4, 4)) + 1e6
    r = nd.pca(rows(x, chunking), 2, whiten=whiten)
    e = ndkern.pca(x, 2, whiten=whiten)
    for name in ["components", "explained_variance", "explained_variance_ratio", "mean"]:
        np.testing.assert_allclose(getattr(r, name), getattr(e, name), rtol=1e-9, atol=1e-9, err_msg=name)
    np.testing.assert_allclose(r.transformed.compute(), e.transformed, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_q3_chain(dtype):
    rng = np.random.default_rng(8)
    y = rng.normal(size=600).cumsum()
    a = (rng.normal(size=(3, 600, 4, 5)).cumsum(axis=1) + 0.3 * y[None, :, None, None]).astype(dtype)
    a[1, 100, 2, 3] = np.nan
    x = da.from_array(a, chunks=(2, 100, 3, 2))  # series axis split: rechunked whole
    r = nd.detrend_rolling_pearson(x, y, axis=1, window=60, trim=50)
    e = ndkern.detrend_rolling_pearson(a, y, axis=1, window=60, trim=50)
    assert r.shape == e.shape and r.dtype == e.dtype
    got = r.compute()
    assert np.array_equal(np.isnan(got), np.isnan(e))
    assert_close(np.nan_to_num(got), np.nan_to_num(e))
