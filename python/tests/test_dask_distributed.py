"""ndkern.dask on a real scheduler: dask.distributed.LocalCluster with 2 worker processes
(pickled tasks, ndkern imported in each worker, its pool sized to the worker's one thread);
a representative subset of the filters and reductions against the whole-array ndkern call."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import ndkern  # noqa: E402
import ndkern.dask as nd  # noqa: E402
from conftest import assert_close  # noqa: E402
from ndkern import ndimage as ndi  # noqa: E402
from ndkern.dask import ndfilters as nf  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
        worker_dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def test_filters_on_workers(client):
    rng = np.random.default_rng(0)
    a = rng.random((20, 17, 9)).astype(np.float32)
    x = da.from_array(a, chunks=((7, 2, 11), 6, (1, 8)))
    cases = [
        (nf.gaussian_filter(x, 1.5, mode="wrap"), ndi.gaussian_filter(a, 1.5, mode="wrap")),
        (nf.uniform_filter(x, (3, 5, 4), mode="mirror", origin=(0, 1, -1)),
         ndi.uniform_filter(a, (3, 5, 4), mode="mirror", origin=(0, 1, -1))),
        (nf.correlate(x, np.ones((3, 2, 3)), mode="constant", cval=2.0),
         ndi.correlate(a, np.ones((3, 2, 3)), mode="constant", cval=2.0)),
        (nf.gaussian_filter(x, 1.0, order=(1, 0, 2), mode="constant", cval=1.0),
         ndi.gaussian_filter(a, 1.0, order=(1, 0, 2), mode="constant", cval=1.0)),
        (nf.window_sum(x, 5), ndkern.window_sum(a, 5)),
        (nd.local_mean_var(x, 4, mode="shrink")[1], ndkern.local_mean_var(a, 4, mode="shrink")[1]),
    ]
    got = client.compute([c[0] for c in cases], sync=True)
    for g, (r, e) in zip(got, cases):
        assert g.dtype == e.dtype
        assert_close(g, e)
    # each worker ran ndkern with a one-thread pool (its threads_per_worker)
    assert set(client.run(ndkern.get_num_threads).values()) == {1}


def test_tiled_gaussian_on_workers(client, monkeypatch):
    """Gaussian windows filtered in tiles (forced on a small volume; the tiling is planned
    when the graph is built) in the workers' scratch buffers, two computations in a row so
    the buffers are reused across tasks and shapes."""
    from ndkern.dask import _halo

    monkeypatch.setattr(_halo, "TILE_PLANE_BYTES", 64)
    monkeypatch.setattr(_halo, "TILE_MIN", 1)
    rng = np.random.default_rng(2)
    a = rng.random((11, 60, 7)).astype(np.float32)
    x = da.from_array(a, chunks=((4, 7), (25, 35), 7))
    for mode, sigma in (("wrap", 2.0), ("constant", (1.0, 3.0, 0.5))):
        got = client.compute(nf.gaussian_filter(x, sigma, mode=mode, cval=0.5), sync=True)
        assert_close(got, ndi.gaussian_filter(a, sigma, mode=mode, cval=0.5))


@pytest.mark.skipif(not hasattr(ndkern, "label_stats"), reason="bindings not built in")
def test_reductions_on_workers(client):
    rng = np.random.default_rng(1)
    p = rng.normal(size=(3000, 3))
    v = rng.normal(size=3000) + 5.0
    x = da.from_array(p, chunks=(700, 3))
    w = da.from_array(v, chunks=700)
    h, _ = nd.histogramdd(x, bins=7, weights=w)
    assert_close(h.compute(), ndkern.histogramdd(p, bins=7, weights=v)[0])
    r = nd.binned_statistic_dd(x, w, "std", bins=4)
    e = ndkern.stats.binned_statistic_dd(p, v, "std", bins=4)
    assert_close(np.nan_to_num(r.statistic.compute()), np.nan_to_num(e.statistic))
    init = p[:3].copy()
    km = nd.kmeans(x.persist(), 3, init=init)
    ek = ndkern.kmeans(p, 3, init=init)
    assert np.array_equal(km.labels.compute(), ek.labels)
    assert_close(km.centroids, ek.centroids)
    img = rng.random((40, 30, 3))
    lab = rng.integers(0, 50, size=(40, 30))
    r = nd.label_mean(da.from_array(lab, chunks=(15, 10)), da.from_array(img, chunks=(15, 10, 3)))
    assert_close(r.compute(), ndkern.label_mean(lab, img))
    y = rng.normal(size=500).cumsum()
    a = rng.normal(size=(4, 500, 6)).cumsum(axis=1)
    q3 = nd.detrend_rolling_pearson(da.from_array(a, chunks=(2, 250, 3)), y, axis=1, window=50, trim=40)
    assert_close(q3.compute(), ndkern.detrend_rolling_pearson(a, y, axis=1, window=50, trim=40))
