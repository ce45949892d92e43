"""ndkern's own functions (no numpy/scipy namesake), under their Rust names: each answers
one of the user questions (``Q`` numbers of the README's cookbook) in one call.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _ndkern
from ._support import (
    F64,
    axis_list,
    filter_mode,
    float_array,
    float_value,
    get_output,
    normalize_axis_index,
    same_float,
)

__all__ = [
    "CurveFitResult",
    "KMeansResult",
    "PCAResult",
    "ang2pix",
    "cross_correlate_circular",
    "curve_fit",
    "detrend_rolling_pearson",
    "estimate_kernel",
    "gather",
    "gaussian_filter_recursive",
    "gradient_stacked",
    "healpix_map",
    "hessian_eigvalsh",
    "histogram_masked",
    "interpolate",
    "kmeans",
    "label_mean",
    "label_stats",
    "level_rows",
    "nearest",
    "norm_l2",
    "pca",
    "ragged_select",
    "select_in_mask",
]


def _labels(labels: Any, name: str) -> np.ndarray:
    lab = np.asarray(labels)
    if lab.dtype.kind not in "iub":
        raise TypeError(f"{name}: labels must be integers, got dtype {lab.dtype}")
    return lab.astype(np.int64, copy=False) if lab.dtype.isnative else lab.astype(np.int64)


def label_stats(labels: Any, values: Any, nlabels: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Count and per-channel sums of `values` per label, in one O(N) pass: ``(count,
    sums)`` with ``count`` int64 ``(m,)`` and ``sums`` float64 ``(m, channels)``. `values`
    has `labels`' shape (one channel) or ``labels.shape + (channels,)`` (an ``(h, w, 3)``
    image with ``(h, w)`` labels); `nlabels` fixes ``m`` (default ``max(labels) + 1``).
    numpy: ``np.bincount(labels.ravel(), weights=channel.ravel())`` per channel.

    >>> import numpy as np, ndkern
    >>> count, sums = ndkern.label_stats(np.array([0, 1, 1, 2]), np.array([1.0, 2.0, 4.0, 8.0]))
    >>> count, sums[:, 0]
    (array([1, 2, 1]), array([1., 6., 8.]))
    """
    lab = _labels(labels, "label_stats")
    v = float_array(values, "label_stats")
    return _ndkern.label_stats(lab, v, None if nlabels is None else int(nlabels))


def label_mean(labels: Any, values: Any, nlabels: Optional[int] = None) -> np.ndarray:
    """Q14's recolor: every element takes the mean of `values` over its label (per channel),
    O(N): numpy's ``(np.bincount(l, c) / np.bincount(l))[l]`` per channel. float64, the shape
    of `values`.

    >>> import numpy as np, ndkern
    >>> img = np.array([[[1.0, 0, 0], [3.0, 0, 0]], [[5.0, 2, 2], [7.0, 4, 4]]])
    >>> ndkern.label_mean(np.array([[1, 1], [2, 2]]), img)[..., 0]
    array([[2., 2.],
           [6., 6.]])
    """
    lab = _labels(labels, "label_mean")
    v = float_array(values, "label_mean")
    r = _ndkern.label_mean(lab, v, None if nlabels is None else int(nlabels))
    return r.reshape(v.shape)


def gather(table: Any, labels: Any) -> np.ndarray:
    """``table[labels]`` for a per-label table ``(m, channels)`` (e.g. the means of
    :func:`label_stats`): shape ``labels.shape + (channels,)``, float64.

    >>> import numpy as np, ndkern
    >>> ndkern.gather(np.array([[0.0], [10.0]]), np.array([1, 0, 1]))[:, 0]
    array([10.,  0., 10.])
    """
    t = np.ascontiguousarray(np.asarray(table, dtype=F64))
    if t.ndim == 1:
        t = t[:, None]
    return _ndkern.gather(t, _labels(labels, "gather"))


def gaussian_filter_recursive(
    input: Any,
    sigma: Union[float, Sequence[float]],
    mode: str = "reflect",
    cval: float = 0.0,
    output: Any = None,
) -> np.ndarray:
    """Recursive (Young-van Vliet IIR) Gaussian smoothing: O(1) per sample whatever sigma,
    within 1.5e-2 of ``scipy.ndimage.gaussian_filter`` relative to the data range for sigma
    >= 3 (measured up to ~1.6e-2 at the borders with ``mode='constant'``; Q23 when an
    approximation is fine). `sigma`: one value or one per axis, each >= 0.5
    (0 leaves an axis alone). float32 stays float32; other input gives float64.

    >>> import numpy as np, ndkern
    >>> a = np.zeros(101); a[50] = 1.0
    >>> g = ndkern.gaussian_filter_recursive(a, 8.0)
    >>> bool(abs(g.sum() - 1.0) < 1e-2), int(np.argmax(g))
    (True, 50)
    """
    a = float_array(input, "gaussian_filter_recursive")
    sig = [float(sigma)] * a.ndim if np.ndim(sigma) == 0 else [float(s) for s in sigma]
    out = get_output(output if output is not None else a.dtype, a, "gaussian_filter_recursive")
    if out.dtype != a.dtype:
        raise TypeError(f"gaussian_filter_recursive: output must have dtype {a.dtype}")
    src = a.copy() if np.may_share_memory(a, out) else a
    _ndkern.gaussian_filter_recursive(src, sig, filter_mode(mode), float_value(cval, "cval"), out)
    return out


def hessian_eigvalsh(a: Any, order: str = "ascending") -> np.ndarray:
    """Q12: the eigenvalues of the finite-difference Hessian (``np.gradient`` twice) of
    every voxel of a 2-D or 3-D array, fused (no Hessian planes stored): shape
    ``a.shape + (ndim,)``, `order` ``'ascending'`` (``np.linalg.eigvalsh``),
    ``'descending'`` or ``'abs'`` (by magnitude). float32 stays float32.

    >>> import numpy as np, ndkern
    >>> x, y = np.meshgrid(np.arange(6.0), np.arange(5.0), indexing="ij")
    >>> ev = ndkern.hessian_eigvalsh(x**2 - 3 * y**2)
    >>> ev[2, 2]
    array([-6.,  2.])
    """
    src = float_array(a, "hessian_eigvalsh")
    return np.stack(_ndkern.hessian_eigvalsh(src, order), -1)


def nearest(points: Any, centroids: Any) -> Tuple[np.ndarray, np.ndarray]:
    """Q13: index of, and squared Euclidean distance to, the nearest of `centroids`
    ``(k, d)`` for every point of `points` ``(..., d)`` (``np.argmin(cdist(p, c), -1)``
    without the matrix; ties to the lowest index): ``(int64 (...), float64 (...))``.

    >>> import numpy as np, ndkern
    >>> img = np.array([[[250, 10, 10], [10, 10, 240]]], dtype=np.uint8)
    >>> palette = np.array([[255, 0, 0], [0, 0, 255]], dtype=float)
    >>> ndkern.nearest(img, palette)[0]
    array([[0, 1]])
    """
    p = float_array(points, "nearest")
    c = float_array(centroids, "nearest")
    p, c = same_float(p, c)
    return _ndkern.nearest(p, np.ascontiguousarray(c))


KMeansResult = namedtuple("KMeansResult", ["labels", "centroids", "inertia", "n_iter", "converged"])


def kmeans(
    x: Any,
    k: int,
    init: Any = "k-means++",
    max_iter: int = 300,
    tol: float = 1e-4,
    n_init: int = 1,
    seed: int = 0,
) -> KMeansResult:
    """Q19: k-means of the rows of `x` ``(n, d)`` with one flat label per sample:
    ``KMeansResult(labels, centroids, inertia, n_iter, converged)``. Stops when no label
    changes, when the centroids move less than `tol` (relative to the mean feature variance,
    scikit-learn's rule) or after `max_iter` iterations. `init`: ``'k-means++'`` (seeded by
    `seed`, deterministic whatever the thread count) or initial centroids ``(k, d)``; an empty
    cluster takes the farthest point.

    >>> import numpy as np, ndkern
    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]])
    >>> r = ndkern.kmeans(x, 2, init=np.array([[0.0, 5.0], [9.0, 9.0]]))
    >>> r.labels, r.inertia, r.converged
    (array([0, 0, 1, 1]), 1.0, True)
    """
    a = float_array(x, "kmeans")
    given = None
    if not (isinstance(init, str) and init == "k-means++"):
        if isinstance(init, str):
            raise ValueError(f"kmeans: init must be 'k-means++' or an array of centroids, got {init!r}")
        given = np.ascontiguousarray(np.asarray(init, dtype=F64))
    labels, centroids, info = _ndkern.kmeans(
        a, int(k), given, int(seed), int(max_iter), float(tol), int(n_init)
    )
    return KMeansResult(labels, centroids, float(info[0]), int(info[1]), bool(info[2]))


PCAResult = namedtuple(
    "PCAResult",
    ["transformed", "components", "explained_variance", "explained_variance_ratio", "mean"],
)


def pca(x: Any, n_components: int = 2, whiten: bool = False) -> PCAResult:
    """Q25: principal component analysis of the rows of `x` ``(n, d)``:
    ``PCAResult(transformed (n, c), components (c, d), explained_variance (c,),
    explained_variance_ratio (c,), mean (d,))`` (scikit-learn's definitions, variance with
    ``n - 1``; `whiten` gives unit-variance components). float64.

    >>> import numpy as np, ndkern
    >>> x = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]])
    >>> r = ndkern.pca(x, 1)
    >>> r.explained_variance_ratio, abs(r.transformed[:, 0]).round(6)
    (array([1.]), array([2.12132 , 0.707107, 0.707107, 2.12132 ]))
    """
    a = float_array(x, "pca")
    t, comp, ev, evr, mean = _ndkern.pca(a, int(n_components), bool(whiten))
    return PCAResult(t, comp, ev[:, 0], evr[:, 0], mean[:, 0])


def interpolate(x: Any, y: Any, at: Any) -> np.ndarray:
    """Q21: the polynomial of degree ``n - 1`` through the n points ``(x, y)`` (barycentric
    form: exact at the nodes, stable at degree 29 where ``np.polyfit`` misses by thousands),
    evaluated at `at` (any shape), float64.

    >>> import numpy as np, ndkern
    >>> x = np.arange(30.0); y = np.random.default_rng(1).integers(0, 150, 30).astype(float)
    >>> bool(np.array_equal(ndkern.interpolate(x, y, x), y))
    True
    """
    xf = np.asarray(x, dtype=F64)
    yf = np.asarray(y, dtype=F64)
    t = np.asarray(at, dtype=F64)
    return _ndkern.interpolate(xf, yf, t)


def estimate_kernel(input: Any, output: Any, size: Union[int, Sequence[int]],
                    mode: str = "convolve") -> np.ndarray:
    """Q20: the least-squares kernel of odd shape `size` with ``output ~ convolve(input,
    kernel)`` (``mode='correlate'``: correlate) over all full windows, float64.
    ``ValueError`` ("insufficient data") when the windows do not determine it.

    >>> import numpy as np, ndkern
    >>> from ndkern.ndimage import convolve
    >>> img = np.random.default_rng(2).random((12, 12))
    >>> k = np.arange(9.0).reshape(3, 3)
    >>> est = ndkern.estimate_kernel(img, convolve(img, k), (3, 3))
    >>> bool(np.allclose(est, k))
    True
    """
    if mode not in ("convolve", "correlate"):
        raise ValueError(f"mode must be 'convolve' or 'correlate', got {mode!r}")
    a, b = same_float(float_array(input, "estimate_kernel"), float_array(output, "estimate_kernel"))
    sz = [int(size)] * a.ndim if np.ndim(size) == 0 else [int(s) for s in size]
    return _ndkern.estimate_kernel(a, b, sz, mode == "convolve")


def level_rows(image: Any) -> np.ndarray:
    """Q26: `image` (2-D) minus the least-squares line fitted to every row (numpy:
    ``np.polyfit(cols, img.T, 1)`` then subtract), without a Python loop. float32 stays
    float32.

    >>> import numpy as np, ndkern
    >>> img = np.array([[1.0, 2.0, 3.0], [5.0, 3.0, 1.0]]) + np.array([0.0, 1.0, 0.0])
    >>> ndkern.level_rows(img).round(12)
    array([[-0.33333333,  0.66666667, -0.33333333],
           [-0.33333333,  0.66666667, -0.33333333]])
    """
    return _ndkern.level_rows(float_array(image, "level_rows"))


def detrend_rolling_pearson(a: Any, y: Any, axis: int = -1, window: int = 360,
                            trim: Optional[int] = None) -> np.ndarray:
    """Q3: for every series of `a` along `axis`: linear detrend, centred rolling mean of
    `window`, ``[trim : n - trim]`` (default ``window // 2 + 120``, the question's), then
    Pearson's r against `y` treated the same way, in one pass. A series with NaN gives NaN.
    Shape: `a`'s without `axis`; float32 stays float32.

    >>> import numpy as np, ndkern
    >>> rng = np.random.default_rng(3)
    >>> y = rng.normal(size=400).cumsum()
    >>> a = np.stack([y, -y, rng.normal(size=400)])
    >>> r = ndkern.detrend_rolling_pearson(a, y, axis=1, window=20, trim=15)
    >>> r[:2].round(12)
    array([ 1., -1.])
    """
    x = float_array(a, "detrend_rolling_pearson")
    yy = float_array(y, "detrend_rolling_pearson")
    x, yy = same_float(x, yy)
    ax = normalize_axis_index(int(axis), x.ndim)
    t = int(window) // 2 + 120 if trim is None else int(trim)
    return _ndkern.detrend_rolling_pearson(x, yy, ax, int(window), t)


def ragged_select(features: Any, mask: Any, return_index: bool = False) -> Any:
    """Q10: per frame, the rows of `features` ``(frames, points, k)`` where `mask`
    ``(frames, points)`` is set: a list of ``(count_f, k)`` arrays (views of one buffer),
    numpy's ``[features[f][mask[f]] for f in range(frames)]`` in one pass. With
    `return_index`, also the selected point indices per frame.

    >>> import numpy as np, ndkern
    >>> feat = np.arange(12.0).reshape(2, 3, 2)
    >>> sel = ndkern.ragged_select(feat, np.array([[True, False, True], [False, False, True]]))
    >>> [s.tolist() for s in sel]
    [[[0.0, 1.0], [4.0, 5.0]], [[10.0, 11.0]]]
    """
    f = float_array(features, "ragged_select")
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"ragged_select: mask must be boolean, got dtype {m.dtype}")
    offsets, index, values = _ndkern.ragged_select(f, m)
    frames = [values[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
    if return_index:
        return frames, [index[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
    return frames


def ang2pix(nside: int, theta: Any, phi: Any, nest: bool = False) -> np.ndarray:
    """healpy's ``ang2pix(nside, theta, phi, nest)``: the HEALPix pixel of each position
    (colatitude `theta` in [0, pi], longitude `phi`, radians), int64.

    >>> import numpy as np, ndkern
    >>> ndkern.ang2pix(1, np.array([0.1, np.pi / 2, 3.0]), np.array([0.0, 0.0, 0.0]))
    array([0, 4, 8])
    """
    t, p = same_float(float_array(theta, "ang2pix"), float_array(phi, "ang2pix"))
    if t.shape != p.shape:
        t, p = np.broadcast_arrays(t, p)
    return _ndkern.ang2pix(int(nside), t, p, bool(nest))


def healpix_map(nside: int, theta: Any, phi: Any, values: Any = None, nest: bool = False,
                statistic: str = "sum") -> np.ndarray:
    """Q27: values at sphere positions accumulated into a HEALPix map of `nside` (length
    ``12 nside^2``): healpy's ``np.bincount(ang2pix(nside, theta, phi), values,
    12 * nside**2)``. `statistic`: ``'sum'`` (float64), ``'count'`` (int64) or ``'mean'``
    (NaN where no sample fell). `values` None counts samples.

    >>> import numpy as np, ndkern
    >>> m = ndkern.healpix_map(1, np.array([0.1, 0.1, 3.0]), np.zeros(3), np.array([1.0, 2.0, 5.0]))
    >>> m[[0, 8]], m.sum()
    (array([3., 5.]), np.float64(8.0))
    """
    t = float_array(theta, "healpix_map").ravel()
    p = float_array(phi, "healpix_map").ravel()
    v = np.ones_like(t) if values is None else float_array(values, "healpix_map").ravel()
    t, p, v = same_float(t, p, v)
    count, total = _ndkern.healpix_map(int(nside), t, p, v, bool(nest))
    if statistic == "sum":
        return total
    if statistic == "count":
        return count
    if statistic == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)
    raise ValueError(f"statistic must be 'sum', 'count' or 'mean', got {statistic!r}")


def select_in_mask(points: Any, mask: Any, range: Optional[Sequence[Tuple[float, float]]] = None) -> np.ndarray:
    """Q4: the indices of the `points` ``(n, d)`` that fall in a set cell of the boolean
    `mask` (a d-D grid spanning `range`, default ``[0, 1)`` per axis), by arithmetic bin
    indexing (no digitize); points outside are skipped. int64.

    >>> import numpy as np, ndkern
    >>> mask = np.array([[True, False], [False, True]])
    >>> ndkern.select_in_mask(np.array([[0.1, 0.2], [0.7, 0.9], [0.2, 0.8]]), mask)
    array([0, 1])
    """
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"select_in_mask: mask must be boolean, got dtype {m.dtype}")
    rg = [(0.0, 1.0)] * m.ndim if range is None else [(float(a), float(b)) for a, b in range]
    if len(rg) != m.ndim:
        raise ValueError(f"select_in_mask: give one range per mask axis ({m.ndim})")
    spec = [(None, lo, hi, n) for (lo, hi), n in zip(rg, m.shape)]
    return _ndkern.select_in_mask(float_array(points, "select_in_mask"), spec, m)


def histogram_masked(a: Any, mask: Any, bins: int = 10, range: Optional[Tuple[float, float]] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Q5: ``np.histogram(a[mask], bins, range)`` without the copy ``a[mask]`` (0 stays a
    valid data value): ``(hist int64, bin_edges)``, `range` default: the masked values'
    extent.

    >>> import numpy as np, ndkern
    >>> a = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> ndkern.histogram_masked(a, a != 1.0, bins=3, range=(0, 3))[0]
    array([1, 0, 2])
    """
    x = float_array(a, "histogram_masked")
    m = np.asarray(mask)
    if m.dtype != np.bool_ or m.shape != x.shape:
        raise ValueError("histogram_masked: mask must be a boolean array of a's shape")
    if range is None:
        sel = x[m]
        lo, hi = (0.0, 1.0) if sel.size == 0 else (float(sel.min()), float(sel.max()))
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
    else:
        lo, hi = float(range[0]), float(range[1])
    n = int(bins)
    edges = np.linspace(lo, hi, n + 1)
    counts = _ndkern.histogram_masked(x, m, (None, lo, hi, n))
    return counts.astype(np.intp), edges


def cross_correlate_circular(a: Any, b: Any) -> Tuple[np.ndarray, np.ndarray, float]:
    """Q22: circular FFT cross-correlation of the mean-removed images ``c[k] = sum_n
    a'[n + k] b'[n]`` (the conjugate spectrum product, not a matrix product): ``(c, shift,
    ncc)``, `shift` the signed peak displacement (fftfreq convention, ``a ~ roll(b,
    shift)``), `ncc` the normalized correlation coefficient at the peak.

    >>> import numpy as np, ndkern
    >>> b = np.random.default_rng(4).random((16, 16))
    >>> c, shift, ncc = ndkern.cross_correlate_circular(np.roll(b, (2, -3), (0, 1)), b)
    >>> shift, round(ncc, 12)
    (array([ 2, -3]), 1.0)
    """
    x, y = same_float(float_array(a, "cross_correlate_circular"),
                      float_array(b, "cross_correlate_circular"))
    return _ndkern.cross_correlate_circular(x, y)


def norm_l2(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Q8: the L2 norm over `axis` (``np.sqrt((a * a).sum(axis))``, i.e.
    ``np.linalg.norm`` over several axes), one pass with float64 accumulation; float32
    stays float32.

    >>> import numpy as np, ndkern
    >>> ndkern.norm_l2(np.ones((2, 2, 2, 3)) * 2.0, axis=(0, 1, 2))
    array([5.65685425, 5.65685425, 5.65685425])
    """
    x = float_array(a, "norm_l2")
    r = _ndkern.reduce("norm_l2", x, axis_list(axis, x.ndim), bool(keepdims), 0)
    return r[()] if r.ndim == 0 else r


def gradient_stacked(f: Any, *varargs: Any, edge_order: int = 1) -> np.ndarray:
    """Q11: all partial derivatives stacked on a new last axis, ``np.stack(np.gradient(f),
    -1)``: shape ``f.shape + (ndim,)``.

    >>> import numpy as np, ndkern
    >>> ndkern.gradient_stacked(np.arange(6.0).reshape(2, 3))[0]
    array([[3., 1.],
           [3., 1.],
           [3., 1.]])
    """
    from ._numpy import gradient

    g = gradient(f, *varargs, edge_order=edge_order)
    return np.stack(g if isinstance(g, tuple) else (g,), -1)



CurveFitResult = namedtuple(
    "CurveFitResult", ["params", "cov", "ssr", "n_points", "nfev", "converged"]
)


def curve_fit(model: Any, ydata: Any, p0: Sequence[float], *, ftol: float = 1e-14,
              xtol: float = 1e-14, gtol: float = 0.0,
              max_nfev: Optional[int] = None) -> CurveFitResult:
    """Q6: least-squares fit of ``model(params)`` (an array of `ydata`'s shape, any
    dimensions) to `ydata`, skipping NaN data, from `p0` (Levenberg-Marquardt, central
    difference Jacobian): ``CurveFitResult(params, cov, ssr, n_points, nfev, converged)``,
    `cov` scipy's ``pcov`` (``absolute_sigma=False``). Unlike ``scipy.optimize.curve_fit``
    the model takes only the parameters (close over your arrays) and the data may be N-d
    with NaNs. The model runs in Python, so the GIL is held while it does.

    >>> import numpy as np, ndkern
    >>> m1, m2, m3 = np.random.default_rng(6).uniform(1, 2, size=(3, 20, 30))
    >>> model = lambda p: m1 * 12 + m2 ** p[0] - m3 / p[1]
    >>> data = model([1.7, 0.8]); data[3, 4] = np.nan
    >>> fit = ndkern.curve_fit(model, data, [1.0, 1.0])
    >>> fit.params.round(9), fit.n_points, fit.converged
    (array([1.7, 0.8]), 599, True)
    """
    y = np.asarray(ydata, dtype=F64)
    p = [float(v) for v in np.atleast_1d(np.asarray(p0, dtype=F64))]

    def f(params: np.ndarray) -> np.ndarray:
        r = np.asarray(model(params), dtype=F64)
        if r.shape != y.shape:
            raise ValueError(
                f"curve_fit: the model returned shape {r.shape}, ydata has shape {y.shape}"
            )
        return r

    params, cov, ssr, n_points, nfev, converged = _ndkern.curve_fit(
        f, y, p, float(ftol), float(xtol), float(gtol), 0 if max_nfev is None else int(max_nfev)
    )
    return CurveFitResult(params, cov, ssr, n_points, nfev, converged)
