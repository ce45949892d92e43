"""scipy.spatial.distance's ``cdist`` and ``pdist`` computed by ndkern.

Metrics: ``'euclidean'`` and ``'sqeuclidean'`` (each with optional weights ``w``),
``'mahalanobis'`` (``VI``, default: the inverse covariance of the data, as scipy), plus
ndkern's ``'sqmahalanobis'`` (Q2: ``<VI (x - y), x - y>`` without the square root). Like
scipy, the points are converted to float64 and the result is float64. From d = 6 the
squared distances come from a tiled matrix product, centred and with near-zero entries
recomputed exactly (no cancellation; exactly 0 between duplicates). Other metrics raise
``ValueError`` (use scipy for those).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .. import _ndkern
from .._support import F64, refuse

__all__ = ["cdist", "pdist"]

_METRICS = ("euclidean", "sqeuclidean", "mahalanobis", "sqmahalanobis")


def _points(x: Any, name: str, msg: str) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim != 2:
        raise ValueError(msg)
    if a.dtype.kind == "c" or a.dtype.kind not in "biuf":
        raise TypeError(f"{name}: points must be real numeric, got dtype {a.dtype}")
    return a if a.dtype == F64 and a.dtype.isnative else a.astype(F64)


def _metric(metric: Any, func: str, kwargs: dict, data: np.ndarray) -> tuple:
    if callable(metric) or not isinstance(metric, str):
        raise refuse(func, f"metric {metric!r}", "use one of " + ", ".join(_METRICS) +
                     " (or scipy.spatial.distance for other metrics)")
    m = metric.lower()
    if m in ("euclid", "eu", "e"):
        m = "euclidean"
    if m in ("sqe", "sqeuclid"):
        m = "sqeuclidean"
    if m in ("mahal", "mah"):
        m = "mahalanobis"
    if m not in _METRICS:
        raise refuse(func, f"metric {metric!r}", "use one of " + ", ".join(_METRICS) +
                     " (or scipy.spatial.distance for other metrics)")
    kw = dict(kwargs)
    w = kw.pop("w", None)
    vi = kw.pop("VI", None)
    if kw:
        raise TypeError(f"{func}: unexpected keyword argument(s) {sorted(kw)} for metric {m!r}")
    d = data.shape[1]
    wl = None
    if w is not None:
        if m not in ("euclidean", "sqeuclidean"):
            raise refuse(func, f"weights with metric {m!r}", "use euclidean or sqeuclidean")
        wa = np.asarray(w, dtype=F64)
        if wa.ndim != 1 or wa.shape[0] != d:
            raise ValueError(f"Weights must have same size as input vector. {wa.shape[0] if wa.ndim == 1 else wa.shape} vs. {d}")
        if (wa < 0).any():
            raise ValueError("Input weights should be all non-negative")
        wl = [float(v) for v in wa]
    via = None
    if m in ("mahalanobis", "sqmahalanobis"):
        if vi is None:
            n = data.shape[0]
            if n <= d:
                raise ValueError(
                    f"The number of observations ({n}) is too small; the covariance matrix "
                    f"is singular. For observations with {d} dimensions, at least {d + 1} "
                    "observations are required."
                )
            cv = np.atleast_2d(np.cov(data.T))
            vi = np.linalg.inv(cv).T.copy()
        via = np.ascontiguousarray(np.atleast_2d(np.asarray(vi, dtype=F64)))
        if via.shape != (d, d):
            raise ValueError(f"VI must be ({d}, {d}), got {via.shape}")
    elif vi is not None:
        raise TypeError(f"{func}: VI is only used by the mahalanobis metrics")
    return m, wl, via


def _into(out: Optional[np.ndarray], r: np.ndarray, func: str) -> np.ndarray:
    if out is None:
        return r
    if not isinstance(out, np.ndarray) or out.shape != r.shape:
        raise ValueError(f"Output array has incorrect shape: expected {r.shape}")
    if out.dtype != F64:
        raise ValueError("Output array must be double type.")
    if not out.flags.c_contiguous:
        raise ValueError("Output array must be C-contiguous.")
    out[...] = r
    return out


def cdist(XA: Any, XB: Any, metric: Any = "euclidean", *, out: Optional[np.ndarray] = None,
          **kwargs: Any) -> np.ndarray:
    """Distances between each pair of rows of `XA` ``(mA, d)`` and `XB` ``(mB, d)``
    (scipy.spatial.distance.cdist): float64 ``(mA, mB)``.

    >>> import numpy as np
    >>> from ndkern.spatial.distance import cdist
    >>> cdist([[0.0, 0.0], [3.0, 4.0]], [[0.0, 0.0], [6.0, 8.0]])
    array([[ 0., 10.],
           [ 5.,  5.]])
    >>> cdist([[1.0, 0.0]], [[0.0, 0.0]], "sqmahalanobis", VI=np.diag([4.0, 1.0]))
    array([[4.]])
    """
    a = _points(XA, "cdist", "XA must be a 2-dimensional array.")
    b = _points(XB, "cdist", "XB must be a 2-dimensional array.")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            "XA and XB must have the same number of columns (i.e. feature dimension.)"
        )
    m, w, vi = _metric(metric, "cdist", kwargs, np.vstack([a, b]) if "mah" in str(metric)
                       else a)
    if a.shape[0] == 0 or b.shape[0] == 0:
        return _into(out, np.empty((a.shape[0], b.shape[0])), "cdist")
    return _into(out, _ndkern.cdist(a, b, m, w, vi), "cdist")


def pdist(X: Any, metric: Any = "euclidean", *, out: Optional[np.ndarray] = None,
          **kwargs: Any) -> np.ndarray:
    """Condensed pairwise distances between the rows of `X` ``(m, d)``
    (scipy.spatial.distance.pdist): float64 ``(m (m - 1) / 2,)``, pairs ``(i, j)``, ``i < j``
    in row order (only the upper triangle is computed).

    >>> from ndkern.spatial.distance import pdist
    >>> pdist([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    array([ 5., 10.,  5.])
    """
    x = _points(X, "pdist", "A 2-dimensional array must be passed.")
    m, w, vi = _metric(metric, "pdist", kwargs, x)
    if x.shape[0] < 2:
        return _into(out, np.empty((0,)), "pdist")
    return _into(out, _ndkern.pdist(x, m, w, vi), "pdist")
