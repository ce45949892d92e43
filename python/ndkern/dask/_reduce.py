"""Reductions of dask arrays as per-chunk partials plus an exact combine.

Every statistic here is computed from partials that combine exactly: counts and sums add,
minima and maxima take the min/max, variances combine by Chan's parallel formula (counts,
means and centred sums of squares per chunk), never as an average of per-chunk means. The
per-chunk partials are ndkern calls (``histogramdd``, ``bincount``, ``label_stats``,
``stats.binned_statistic_dd``, ``nearest``...); the combine runs as a dask tree reduction
(lazy results) or, for the iterative k-means, on the client between passes.

Bin edges must be the same for every chunk, so when ``range`` is not given (numpy's and
scipy's default: the data's min..max), one eager pass computes the data's extent first, as
the whole-array call does implicitly; give ``range`` to keep everything lazy.
"""

from __future__ import annotations

import operator
from collections import namedtuple
from typing import Any, Optional, Sequence, Tuple

import numpy as np

import dask
import dask.array as da

import ndkern

from ._halo import chunk_threads

__all__ = [
    "BinnedStatisticddResult",
    "KMeansResult",
    "PCAResult",
    "bincount",
    "binned_statistic_dd",
    "detrend_rolling_pearson",
    "histogram",
    "histogramdd",
    "kmeans",
    "label_mean",
    "label_stats",
    "pca",
]


def _as_dask(a: Any) -> Any:
    return a if isinstance(a, da.Array) else da.asarray(a)


def _tree_sum(parts: Any, shape: Tuple[int, ...], dtype: Any) -> Any:
    """`parts`: a dask array whose blocks along axis 0 are the per-chunk partials, each of
    shape ``(1,) + shape``; their sum as a lazy dask array (dask's tree reduction)."""
    return parts.sum(axis=0, dtype=dtype)


def _partials(func: Any, arrays: list, shape: Tuple[int, ...], dtype: Any, name: str) -> Any:
    """``func(*blocks)`` (a partial of `shape`) for each row-block of `arrays` (all chunked
    the same along axis 0 only), stacked as a dask array of ``(nblocks,) + shape``."""
    nb = arrays[0].numblocks[0]
    flat = [a.ndim == 1 for a in arrays]
    # all 2-D (rows, columns in one chunk), so that dask pairs the row blocks
    arrays = [(a[:, None] if f else a).rechunk({1: -1}) for a, f in zip(arrays, flat)]

    def one(*blocks: np.ndarray) -> np.ndarray:
        chunk_threads()
        blocks = tuple(b[:, 0] if f else b for b, f in zip(blocks, flat))
        return np.asarray(func(*blocks), dtype=dtype).reshape((1,) + shape)

    return da.map_blocks(
        one,
        *arrays,
        chunks=((1,) * nb,) + tuple((s,) for s in shape),
        drop_axis=[1],
        new_axis=list(range(1, len(shape) + 1)) if len(shape) else None,
        dtype=dtype,
        meta=np.empty((0,) * (len(shape) + 1), dtype=dtype),
        token=f"ndkern-{name}-partial",
    )


# ---------------------------------------------------------------------------------------------
# histograms


def _extent(a: Any) -> Tuple[float, float]:
    lo, hi = dask.compute(a.min(), a.max())
    return float(lo), float(hi)


def histogram(
    a: Any,
    bins: Any = 10,
    range: Optional[Tuple[float, float]] = None,
    density: Optional[bool] = None,
    weights: Any = None,
) -> Tuple[Any, np.ndarray]:
    """numpy.histogram of a dask array: ``(hist, bin_edges)``, `hist` lazy (per-chunk ndkern
    histograms summed), `bin_edges` numpy. Integer `bins` without `range` take the data's
    min..max (one eager pass).

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> x = da.from_array(np.array([0.5, 1.5, 1.5, 2.5, 3.0]), chunks=2)
    >>> h, e = ndkern.dask.histogram(x, bins=3)
    >>> h.compute(), e
    (array([1, 2, 2]), array([0.5       , 1.33333333, 2.16666667, 3.        ]))
    """
    x = _as_dask(a)
    w = None if weights is None else _as_dask(weights)
    if np.ndim(bins) == 0 and not isinstance(bins, str):
        if range is None:
            range = _extent(x) if x.size else (0.0, 1.0)
        edges = np.histogram_bin_edges(np.empty(0, x.dtype), int(bins), range)
        spec: Any = int(bins)
    else:
        if isinstance(bins, str):
            raise ValueError("ndkern.dask.histogram: give `bins` as a count or as edges")
        edges = np.asarray(bins)
        spec = edges
        range = None
    x = x.ravel()
    nb = len(edges) - 1
    if w is None:
        parts = _partials(
            lambda b: ndkern.histogram(b, spec, range)[0], [x], (nb,), np.intp, "histogram"
        )
        hist = _tree_sum(parts, (nb,), np.intp)
    else:
        w = w.ravel().rechunk(x.chunks)
        wdt = np.result_type(w.dtype)
        parts = _partials(
            lambda b, c: ndkern.histogram(b, spec, range, weights=c)[0],
            [x, w], (nb,), wdt, "histogram",
        )
        hist = _tree_sum(parts, (nb,), wdt)
    if density:
        db = np.diff(edges).astype(float)
        return hist / db / hist.sum(), edges
    return hist, edges


def _sample(sample: Any) -> Any:
    """An ``(N, D)`` dask array from an ``(N, D)`` array or a sequence of D arrays,
    chunked along N only."""
    if isinstance(sample, (list, tuple)):
        s = da.stack([_as_dask(c).ravel() for c in sample], axis=1)
    else:
        s = _as_dask(sample)
        if s.ndim == 1:
            s = s[:, None]
    return s.rechunk({1: -1})


def _per_dim(bins: Any, D: int, err: type) -> list:
    """One bins entry per dimension (a scalar repeated), numpy's/scipy's error otherwise."""
    try:
        M = len(bins)
    except TypeError:
        return [bins] * D
    if M != D:
        raise err("The dimension of bins must be equal to the dimension of the sample x.")
    return list(bins)


def _dd_edges(s: Any, bins: Any, range: Any) -> list:
    """numpy.histogramdd's edges, the extent of the data computed in one pass if needed."""
    D = s.shape[1]
    bins = _per_dim(bins, D, ValueError)
    if range is None and any(np.ndim(b) == 0 for b in bins):
        if s.shape[0] == 0:
            lo, hi = np.zeros(D), np.ones(D)
        else:
            lo, hi = dask.compute(s.min(axis=0), s.max(axis=0))
        range = [(lo[i], hi[i]) for i in builtins_range(D)]
    elif range is None:
        range = [None] * D
    elif len(range) != D:
        raise ValueError("range argument must have one entry per dimension")
    edges = []
    for i in builtins_range(D):
        if np.ndim(bins[i]) == 0:
            lo, hi = range[i]
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges.append(np.linspace(lo, hi, operator.index(bins[i]) + 1))
        else:
            edges.append(np.asarray(bins[i]))
    return edges


builtins_range = range


def histogramdd(
    sample: Any,
    bins: Any = 10,
    range: Optional[Sequence[Tuple[float, float]]] = None,
    density: Optional[bool] = None,
    weights: Any = None,
) -> Tuple[Any, list]:
    """numpy.histogramdd of a dask array of points ``(N, D)`` (or a sequence of D
    coordinate arrays): ``(H, edges)``, `H` a lazy float64 dask array (per-chunk ndkern
    histograms summed). Integer `bins` without `range` take the data's extent (one eager
    pass).

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> pts = da.from_array(np.array([[0.1, 0.9], [0.5, 0.5], [1.0, 1.0], [2.0, 0.0]]), chunks=(3, 2))
    >>> ndkern.dask.histogramdd(pts, bins=2, range=[(0, 1), (0, 1)])[0].compute()
    array([[0., 1.],
           [0., 2.]])
    """
    s = _sample(sample)
    edges = _dd_edges(s, bins, range)
    shape = tuple(len(e) - 1 for e in edges)
    if weights is None:
        parts = _partials(lambda b: ndkern.histogramdd(b, edges)[0], [s], shape, np.float64, "histogramdd")
    else:
        w = _as_dask(weights).rechunk((s.chunks[0],))
        parts = _partials(
            lambda b, c: ndkern.histogramdd(b, edges, weights=c)[0],
            [s, w], shape, np.float64, "histogramdd",
        )
    hist = _tree_sum(parts, shape, np.float64)
    if density:
        tot = hist.sum()
        for i, e in enumerate(edges):
            sh = [1] * len(edges)
            sh[i] = len(e) - 1
            hist = hist / np.diff(e).reshape(sh)
        hist = hist / tot
    return hist, edges


# ---------------------------------------------------------------------------------------------
# bincount and label statistics


def _nlabels(labels: Any, given: Optional[int]) -> int:
    if given is not None:
        return int(given)
    return int(labels.max().compute()) + 1 if labels.size else 0


def bincount(x: Any, /, weights: Any = None, minlength: int = 0) -> Any:
    """numpy.bincount of a 1-D dask array (a scatter-add with `weights`): lazy, per-chunk
    ndkern bincounts summed. The length, ``max(max(x) + 1, minlength)``, takes one eager
    pass over `x`.

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> x = da.from_array(np.array([0, 1, 1, 3, 2, 1, 7]), chunks=3)
    >>> ndkern.dask.bincount(x).compute()
    array([1, 3, 1, 1, 0, 0, 0, 1])
    """
    a = _as_dask(x)
    if a.ndim != 1:
        raise ValueError("object too deep for desired array")
    if a.dtype.kind not in "biu":
        raise TypeError(f"Cannot cast array data from {a.dtype!r} to dtype('int64') according to the rule 'safe'")
    n = max(_nlabels(a, None), operator.index(minlength))
    if weights is None:
        parts = _partials(lambda b: ndkern.bincount(b, minlength=n), [a], (n,), np.intp, "bincount")
        return _tree_sum(parts, (n,), np.intp)
    w = _as_dask(weights).rechunk(a.chunks)
    parts = _partials(
        lambda b, c: ndkern.bincount(b, c, minlength=n), [a, w], (n,), np.float64, "bincount"
    )
    return _tree_sum(parts, (n,), np.float64)


def _label_blocks(labels: Any, values: Any) -> Tuple[Any, Any, int]:
    """labels and values as 2-D row blocks: labels ``(N,)``, values ``(N, channels)``."""
    lab = _as_dask(labels)
    v = _as_dask(values)
    if v.shape == lab.shape:
        ch = 1
        vv = v.reshape((-1, 1)) if lab.ndim else v[None, None]
    elif v.shape[:-1] == lab.shape:
        ch = v.shape[-1]
        vv = v.reshape((-1, ch))
    else:
        raise ValueError(
            f"values must have the labels' shape {lab.shape} or that plus a channel axis, "
            f"got {v.shape}"
        )
    ll = lab.ravel()
    vv = vv.rechunk((ll.chunks[0], (ch,)))
    return ll, vv, ch


def label_stats(labels: Any, values: Any, nlabels: Optional[int] = None) -> Tuple[Any, Any]:
    """ndkern.label_stats of dask arrays: ``(count, sums)`` per label (int64 ``(m,)``,
    float64 ``(m, channels)``), lazy, per-chunk ndkern partials summed. Without `nlabels`,
    ``m = max(labels) + 1`` takes one eager pass.

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> lab = da.from_array(np.array([0, 1, 1, 2]), chunks=2)
    >>> count, sums = ndkern.dask.label_stats(lab, da.from_array(np.array([1.0, 2.0, 4.0, 8.0]), chunks=2))
    >>> count.compute(), sums.compute()[:, 0]
    (array([1, 2, 1]), array([1., 6., 8.]))
    """
    ll, vv, ch = _label_blocks(labels, values)
    m = _nlabels(ll, nlabels)

    def part(lb: np.ndarray, vb: np.ndarray) -> np.ndarray:
        count, sums = ndkern.label_stats(lb, vb[:, 0] if ch == 1 else vb, m)
        return np.concatenate([count[:, None].astype(np.float64), sums], axis=1)

    parts = _partials(part, [ll, vv], (m, ch + 1), np.float64, "label_stats")
    tot = _tree_sum(parts, (m, ch + 1), np.float64)
    return tot[:, 0].astype(np.int64), tot[:, 1:]


def label_mean(labels: Any, values: Any, nlabels: Optional[int] = None) -> Any:
    """Q14's recolor on dask arrays: every element takes the mean of `values` over its label
    (per channel), in two lazy steps: the per-label sums and counts (per-chunk partials
    summed), then, chunk by chunk, the gather of the small per-label table. float64, the
    shape and chunks of `values`.

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> img = da.from_array(np.array([[[1.0, 0, 0], [3.0, 0, 0]], [[5.0, 2, 2], [7.0, 4, 4]]]), chunks=(1, 1, 3))
    >>> ndkern.dask.label_mean(da.from_array(np.array([[1, 1], [2, 2]]), chunks=1), img).compute()[..., 0]
    array([[2., 2.],
           [6., 6.]])
    """
    lab = _as_dask(labels)
    v = _as_dask(values)
    count, sums = label_stats(lab, v, nlabels)
    cnt = count[:, None].astype(np.float64)
    table = (sums / da.where(cnt > 0, cnt, np.nan)).rechunk(-1)
    per_channel = v.shape != lab.shape
    if per_channel:
        lab_c = lab.rechunk(v.chunks[:-1])

        def gather_block(lb: np.ndarray, t: np.ndarray) -> np.ndarray:
            chunk_threads()
            return ndkern.gather(t, lb)

        return da.blockwise(
            gather_block, tuple(builtins_range(v.ndim)),
            lab_c, tuple(builtins_range(v.ndim - 1)),
            table, (v.ndim + 5, v.ndim - 1),
            dtype=np.float64, concatenate=True,
            meta=np.empty((0,) * v.ndim, np.float64),
        )

    def gather1(lb: np.ndarray, t: np.ndarray) -> np.ndarray:
        chunk_threads()
        return ndkern.gather(t, lb)[..., 0]

    lab_c = lab.rechunk(v.chunks)
    return da.blockwise(
        gather1, tuple(builtins_range(v.ndim)),
        lab_c, tuple(builtins_range(v.ndim)),
        table, (v.ndim + 5, v.ndim + 6),
        dtype=np.float64, concatenate=True,
        meta=np.empty((0,) * v.ndim, np.float64),
    )


# ---------------------------------------------------------------------------------------------
# binned statistics (Q1's gridding)

BinnedStatisticddResult = namedtuple(
    "BinnedStatisticddResult", ("statistic", "bin_edges", "binnumber")
)

_STATS = ("count", "sum", "mean", "std", "min", "max")


def binned_statistic_dd(
    sample: Any,
    values: Any,
    statistic: str = "mean",
    bins: Any = 10,
    range: Optional[Sequence[Tuple[float, float]]] = None,
) -> BinnedStatisticddResult:
    """scipy.stats.binned_statistic_dd of dask arrays: points ``(N, D)`` (or D coordinate
    arrays) and `values` ``(N,)``; `statistic` one of 'count', 'sum', 'mean', 'std'
    (population), 'min', 'max'. Lazy: per chunk, ndkern's one-pass binned statistics give
    the partials (count and sum; count, mean and centred sum of squares for 'std', combined
    by Chan's formula; min/max), the combine is a dask tree reduction. Empty bins: 0 for
    count/sum, NaN otherwise, as scipy. Integer `bins` without `range` take the data's extent
    (one eager pass). `binnumber` is a lazy ``(N,)`` array (computed only if used).

    Q1 (scattered samples onto a regular 0.1-step grid, the mean per cell)::

        lo, hi = dask.compute(pts.min(axis=0), pts.max(axis=0))
        edges = [np.arange(l, h + 0.1, 0.1) for l, h in zip(lo, hi)]
        grid = ndkern.dask.binned_statistic_dd(pts, v, "mean", bins=edges).statistic

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> pts = da.from_array(np.array([[0.1, 0.1], [0.2, 0.3], [0.9, 0.8]]), chunks=(2, 2))
    >>> r = ndkern.dask.binned_statistic_dd(pts, da.from_array(np.array([1.0, 3.0, 5.0]), chunks=2), "mean", bins=2, range=[(0, 1), (0, 1)])
    >>> r.statistic.compute()
    array([[ 2., nan],
           [nan,  5.]])
    """
    if statistic not in _STATS:
        raise ValueError(
            f"ndkern.dask.binned_statistic_dd: statistic must be one of {_STATS} "
            f"(median and callables do not combine from partials), got {statistic!r}"
        )
    s = _sample(sample)
    D = s.shape[1]
    bins_l = _per_dim(bins, D, AttributeError)
    edges = _bs_edges(s, bins_l, range)
    shape = tuple(len(e) - 1 for e in edges)
    v = _as_dask(values).ravel().rechunk((s.chunks[0],))
    bsdd = ndkern.stats.binned_statistic_dd

    def stat(b: np.ndarray, c: np.ndarray, what: str) -> np.ndarray:
        return bsdd(b, c, what, bins=edges).statistic

    if statistic in ("count", "sum", "mean"):
        nbin = tuple(k + 2 for k in shape)
        inner = tuple(slice(1, -1) for _ in shape)
        total = int(np.prod(nbin))

        def part(b: np.ndarray, c: np.ndarray) -> np.ndarray:
            # scipy's definition: the bin numbers (one ndkern pass), then a count and a
            # weighted bincount of them (outlier bins dropped)
            bn = bsdd(b, c, "count", bins=edges).binnumber
            cnt = ndkern.bincount(bn, minlength=total).reshape(nbin)[inner]
            sm = ndkern.bincount(bn, weights=c, minlength=total).reshape(nbin)[inner]
            return np.stack([cnt, sm])

        tot = _tree_sum(_partials(part, [s, v], (2,) + shape, np.float64, "binned"), (2,) + shape, np.float64)
        if statistic == "count":
            out = tot[0]
        elif statistic == "sum":
            out = tot[1]
        else:
            out = tot[1] / da.where(tot[0] > 0, tot[0], np.nan)
    elif statistic == "std":
        def part(b: np.ndarray, c: np.ndarray) -> np.ndarray:
            n = stat(b, c, "count")
            m = np.nan_to_num(stat(b, c, "mean"))
            sd = np.nan_to_num(stat(b, c, "std"))
            return np.stack([n, m, n * sd * sd])

        parts = _partials(part, [s, v], (3,) + shape, np.float64, "binned")
        tot = da.reduction(
            parts, _chan_chunk, _chan_agg, combine=_chan_combine, axis=0, concatenate=True,
            dtype=np.float64, meta=np.empty((0,) * (len(shape) + 1), np.float64),
            name="ndkern-chan",
        )
        n = tot[0]
        out = da.sqrt(tot[2] / da.where(n > 0, n, np.nan))
    else:
        fill = np.inf if statistic == "min" else -np.inf

        def part(b: np.ndarray, c: np.ndarray) -> np.ndarray:
            r = stat(b, c, statistic)
            return np.where(np.isnan(r), fill, r)[None]

        parts = _partials(part, [s, v], (1,) + shape, np.float64, "binned")
        red = parts.min(axis=0) if statistic == "min" else parts.max(axis=0)
        out = da.where(da.isinf(red[0]) & (red[0] == fill), np.nan, red[0])

    def binnum(b: np.ndarray, c: np.ndarray) -> np.ndarray:
        return bsdd(b, c, "count", bins=edges).binnumber

    binnumber = da.map_blocks(
        binnum, s, v[:, None], drop_axis=1, dtype=np.intp,
        meta=np.empty((0,), np.intp), token="ndkern-binnumber",
    )
    return BinnedStatisticddResult(out, edges, binnumber)


def _chan_fold(p: np.ndarray) -> np.ndarray:
    """Partials ``(k, 3, ...)`` of (count, mean, centred sum of squares) folded into one
    ``(3, ...)`` by Chan's pairwise formula (stable: no large sums of squares cancel)."""
    n, m, m2 = p[0, 0].copy(), p[0, 1].copy(), p[0, 2].copy()
    for q in p[1:]:
        nb, mb, m2b = q[0], q[1], q[2]
        tot = n + nb
        safe = np.where(tot > 0, tot, 1.0)
        d = mb - m
        m = np.where(tot > 0, m + d * (nb / safe), 0.0)
        m2 = m2 + m2b + d * d * (n * nb / safe)
        n = tot
    return np.stack([n, m, m2])


def _chan_chunk(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return x


def _chan_combine(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return _chan_fold(x)[None]


def _chan_agg(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    r = _chan_fold(x)
    return r[None] if keepdims else r


def _bs_edges(s: Any, bins: list, range: Any) -> list:
    """scipy's ``_bin_edges`` (edges in the sample's float dtype), the data's extent from
    one eager pass when needed."""
    D = s.shape[1]
    if range is None:
        if any(np.isscalar(b) for b in bins):
            lo, hi = dask.compute(s.min(axis=0), s.max(axis=0))
            smin, smax = np.array(lo, float), np.array(hi, float)
        else:
            smin = smax = np.zeros(D)
    else:
        if len(range) != D:
            raise ValueError(f"range given for {len(range)} dimensions; {D} required")
        smin = np.array([r[0] for r in range], float)
        smax = np.array([r[1] for r in range], float)
    eq = smin == smax
    smin, smax = np.where(eq, smin - 0.5, smin), np.where(eq, smax + 0.5, smax)
    edt = s.dtype if np.issubdtype(s.dtype, np.floating) else float
    edges = []
    for i in builtins_range(D):
        if np.isscalar(bins[i]):
            edges.append(np.linspace(smin[i], smax[i], int(bins[i]) + 1, dtype=edt))
        else:
            edges.append(np.asarray(bins[i], edt))
    return edges


# ---------------------------------------------------------------------------------------------
# k-means and PCA

KMeansResult = namedtuple("KMeansResult", ["labels", "centroids", "inertia", "n_iter", "converged"])


def _rows(x: Any) -> Any:
    a = _as_dask(x)
    if a.ndim != 2:
        raise ValueError(f"x must be (n, d), got shape {a.shape}")
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    return a.rechunk({1: -1})


def kmeans(
    x: Any,
    k: int,
    init: Any,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> KMeansResult:
    """ndkern.kmeans (Lloyd) on a dask array ``(n, d)`` chunked along rows: each iteration is
    one pass — per chunk, ndkern's nearest-centroid assignment and per-cluster counts and
    sums (``label_stats``), summed on the client — then one global centroid update. Stops as
    ndkern does: no label changed (the update gives the same centroids), a centroid shift
    ``<= tol`` times the mean feature variance, or `max_iter` passes. `init`: the initial
    centroids ``(k, d)`` (compute them on a sample, e.g. ``ndkern.kmeans(x_sample, k)``).
    An empty cluster takes the farthest point, as in ndkern. Returns ``KMeansResult(labels`` (a
    lazy dask array), ``centroids, inertia, n_iter, converged)``. Persist `x` first
    (``x = x.persist()``) so the passes do not reload it.

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> x = da.from_array(np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]]), chunks=(3, 2))
    >>> r = ndkern.dask.kmeans(x, 2, init=np.array([[0.0, 5.0], [9.0, 9.0]]))
    >>> r.labels.compute(), r.inertia, r.converged
    (array([0, 0, 1, 1]), 1.0, True)
    """
    a = _rows(x)
    n, d = a.shape
    k = int(k)
    c = np.array(init, dtype=np.float64)
    if c.shape != (k, d):
        raise ValueError(f"init must have shape ({k}, {d}), got {c.shape}")
    if tol < 0:
        raise ValueError(f"tol = {tol} must be >= 0")
    blocks = list(a.to_delayed()[:, 0])
    offsets = np.cumsum((0,) + a.chunks[0])
    if tol == 0:
        tol_abs = 0.0
    else:
        mean = a.mean(axis=0, dtype=np.float64)
        var = ((a - mean) ** 2).mean(axis=0, dtype=np.float64)
        tol_abs = float(tol) * float(var.mean().compute())

    def part(b: np.ndarray, cen: np.ndarray) -> tuple:
        chunk_threads()
        lab, dist = ndkern.nearest(b, cen)
        count, sums = ndkern.label_stats(lab, b, k)
        return count, sums, float(dist.sum())

    def assign(cen: np.ndarray) -> tuple:
        res = dask.compute(*[dask.delayed(part)(b, cen) for b in blocks])
        counts = np.sum([r[0] for r in res], axis=0)
        sums = np.sum([r[1] for r in res], axis=0)
        return counts, sums, float(np.sum([r[2] for r in res]))

    def candidates(b: np.ndarray, cen: np.ndarray, counts: np.ndarray, m: int, off: int) -> list:
        lab, dist = ndkern.nearest(b, cen)
        ok = np.nonzero(counts[lab] > 1)[0]
        order = ok[np.lexsort((ok, -dist[ok]))][:m]
        return [(float(dist[i]), off + int(i), int(lab[i]), b[i].astype(np.float64)) for i in order]

    n_iter, converged, fresh, inertia = 0, False, False, 0.0
    while n_iter < max_iter:
        counts, sums, inertia = assign(c)
        n_iter += 1
        empty = np.nonzero(counts == 0)[0]
        if len(empty):
            # the farthest points (ties: lowest index) move to the empty clusters
            cand = dask.compute(*[
                dask.delayed(candidates)(b, c, counts, len(empty) * 4 + 4, int(o))
                for b, o in zip(blocks, offsets)
            ])
            pool = sorted((p for cs in cand for p in cs), key=lambda p: (-p[0], p[1]))
            taken = set()
            for j in empty:
                for p in pool:
                    if p[1] not in taken and counts[p[2]] > 1:
                        taken.add(p[1])
                        counts[p[2]] -= 1
                        sums[p[2]] -= p[3]
                        counts[j] = 1
                        sums[j] = p[3]
                        break
        new = c.copy()
        live = counts > 0
        new[live] = sums[live] / counts[live][:, None]
        if n_iter > 1 and not len(empty) and np.array_equal(new, c):
            converged, fresh = True, True  # no label changed
            break
        shift = float(((new - c) ** 2).sum())
        c = new
        fresh = False
        if shift <= tol_abs:
            converged = True
            break
    if not fresh:
        inertia = assign(c)[2]
    cen = c.copy()
    labels = da.map_blocks(
        lambda b: ndkern.nearest(b, cen)[0], a, drop_axis=1, dtype=np.int64,
        meta=np.empty((0,), np.int64), token="ndkern-kmeans-labels",
    )
    return KMeansResult(labels, c, inertia, n_iter, converged)


PCAResult = namedtuple(
    "PCAResult",
    ["transformed", "components", "explained_variance", "explained_variance_ratio", "mean"],
)


def pca(x: Any, n_components: int = 2, whiten: bool = False) -> PCAResult:
    """ndkern.pca of a dask array ``(n, d)`` chunked along rows: one pass of per-chunk
    partials (count, mean and centred ``X^T X``, combined by Chan's formula — a large common
    offset cancels), a ``d x d`` eigensolve on the client, ndkern's sign rule (the largest
    entry of every component positive). `transformed` is lazy; the rest numpy.

    >>> import numpy as np, dask.array as da, ndkern.dask
    >>> x = da.from_array(np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]]), chunks=(3, 2))
    >>> r = ndkern.dask.pca(x, 1)
    >>> r.explained_variance_ratio, abs(r.transformed.compute()[:, 0]).round(6)
    (array([1.]), array([2.12132 , 0.707107, 0.707107, 2.12132 ]))
    """
    a = _rows(x)
    n, d = a.shape
    c = int(n_components)
    if not 1 <= c <= d or n < 2:
        raise ValueError(f"pca: need 1 <= n_components <= {d} and n >= 2, got {c} and n = {n}")

    def part(b: np.ndarray) -> np.ndarray:
        b = b.astype(np.float64, copy=False)
        m = b.mean(axis=0)
        r = b - m
        return np.concatenate([[np.full(d, len(b), float)], [m], r.T @ r])

    parts = dask.compute(*[dask.delayed(part)(b) for b in a.to_delayed()[:, 0]])
    parts = [p for p in parts if p[0, 0] > 0]
    ns = np.array([p[0, 0] for p in parts])
    means = np.array([p[1] for p in parts])
    mean = (ns[:, None] * means).sum(axis=0) / ns.sum()
    m2 = sum(p[2:] for p in parts) + ((ns[:, None, None] * (means - mean)[:, :, None] * (means - mean)[:, None, :]).sum(axis=0))
    cov = m2 / (n - 1)
    w, v = np.linalg.eigh(cov)
    order = np.argsort(-w, kind="stable")
    total = np.maximum(w, 0.0).sum()
    comps = np.empty((c, d))
    var = np.empty(c)
    for i, j in enumerate(order[:c]):
        col = v[:, j]
        big = int(np.argmax(np.abs(col)))
        comps[i] = col if col[big] >= 0 else -col
        var[i] = max(w[j], 0.0)
    ratio = var / total if total > 0 else np.zeros(c)
    scale = np.where(var > 0, np.sqrt(var), 1.0) if whiten else None

    def project(b: np.ndarray) -> np.ndarray:
        t = (b.astype(np.float64, copy=False) - mean) @ comps.T
        return t / scale if scale is not None else t

    transformed = da.map_blocks(
        project, a, chunks=(a.chunks[0], (c,)), dtype=np.float64,
        meta=np.empty((0, 0), np.float64), token="ndkern-pca",
    )
    return PCAResult(transformed, comps, var, ratio, mean)


# ---------------------------------------------------------------------------------------------
# Q3


def detrend_rolling_pearson(
    a: Any, y: Any, axis: int = -1, window: int = 360, trim: Optional[int] = None
) -> Any:
    """ndkern.detrend_rolling_pearson (Q3) on a dask array: every series along `axis` must
    be whole in one chunk, so `a` is **rechunked to one chunk along `axis`** (the other axes
    keep their chunks; chunk the input that way to skip the rechunk), then each chunk runs
    the single-machine call. `y`: the 1-D series (numpy, or a small dask array). Lazy; the
    result has `a`'s shape without `axis` and its float dtype.

    >>> import numpy as np, dask.array as da, ndkern, ndkern.dask
    >>> rng = np.random.default_rng(3)
    >>> y = rng.normal(size=400).cumsum()
    >>> a = np.stack([y, -y, rng.normal(size=400)])
    >>> r = ndkern.dask.detrend_rolling_pearson(da.from_array(a, chunks=(1, 100)), y, axis=1, window=20, trim=15)
    >>> r.compute()[:2].round(12)
    array([ 1., -1.])
    """
    x = _as_dask(a)
    ax = int(axis) % x.ndim if x.ndim else 0
    yy = np.asarray(y.compute() if isinstance(y, da.Array) else y)
    # validate eagerly on a tiny example of the same series length (and learn the dtype)
    probe_shape = tuple(1 if i != ax else x.shape[ax] for i in builtins_range(x.ndim))
    dt = ndkern.detrend_rolling_pearson(np.zeros(probe_shape, x.dtype), yy, ax, window, trim).dtype
    x = x.rechunk({ax: -1})

    def run(b: np.ndarray) -> np.ndarray:
        chunk_threads()
        return ndkern.detrend_rolling_pearson(b, yy, ax, window, trim)

    return da.map_blocks(
        run, x, drop_axis=ax, dtype=dt, meta=np.empty((0,) * (x.ndim - 1), dt),
        token="ndkern-detrend_rolling_pearson",
    )
