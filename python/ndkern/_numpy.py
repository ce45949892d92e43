"""numpy's names computed by ndkern: ``histogram``, ``histogramdd``, ``bincount``,
``digitize``, ``gradient``, ``polyfit``, ``polyval``.

Signatures, defaults, result dtypes and shapes are numpy's. Inputs numpy would compute in a
way ndkern does not (complex data, object arrays, ``polyfit(full=True)``/``cov=``/``rcond=``,
float16 or integer results of ``polyval``) are handed to numpy itself, as the reductions do.
"""

from __future__ import annotations

import builtins
import operator
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _ndkern
from ._support import F32, F64, float_array, same_float

__all__ = ["bincount", "digitize", "gradient", "histogram", "histogramdd", "polyfit", "polyval"]


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def histogram(
    a: Any,
    bins: Any = 10,
    range: Optional[Tuple[float, float]] = None,
    density: Optional[bool] = None,
    weights: Any = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """Histogram of `a`'s values (numpy.histogram): ``(hist, bin_edges)``.

    An integer `bins` gives equal bins over `range` (default: the data's min..max) indexed by
    arithmetic, as numpy; edges (or a numpy rule name such as ``'auto'``) are searched.
    Counts are int64 (weights: the weights' dtype; ``density=True``: float64). float32 and
    float64 data are read in place.

    >>> import numpy as np, ndkern
    >>> ndkern.histogram([1, 2, 1], bins=[0, 1, 2, 3])
    (array([0, 2, 1]), array([0, 1, 2, 3]))
    >>> ndkern.histogram(np.arange(4.0), bins=np.arange(5), density=True)[0]
    array([0.25, 0.25, 0.25, 0.25])
    """
    x = np.asarray(a)
    w = None if weights is None else np.asarray(weights)
    if w is not None and w.shape != x.shape:
        raise ValueError("weights should have the same shape as a.")
    if x.dtype.kind not in "biuf" or (w is not None and w.dtype.kind not in "biuf"):
        return np.histogram(x, bins, range, density, w)
    edges = np.histogram_bin_edges(x, bins, range, w)
    src = float_array(x, "histogram")
    if _is_int(bins) and src.dtype == F64:
        spec = (None, float(edges[0]), float(edges[-1]), len(edges) - 1)
    else:
        spec = ([float(e) for e in edges], 0.0, 0.0, 0)
    if w is None:
        counts = _ndkern.histogram(src, spec, None, False)
        n = counts.astype(np.intp)
    else:
        src, wf = same_float(src, float_array(w, "histogram"))
        counts = _ndkern.histogram(src, spec, wf, False)
        n = counts.astype(w.dtype) if w.dtype != F64 else counts
    if density:
        db = np.diff(edges).astype(float)
        return n / db / n.sum(), edges
    return n, edges


def _dd_edges(sample: np.ndarray, bins: Any, range: Any) -> list:
    """numpy.histogramdd's edges (its code, step by step)."""
    N, D = sample.shape
    try:
        M = len(bins)
        if M != D:
            raise ValueError(
                "The dimension of bins must be equal to the dimension of the sample x."
            )
    except TypeError:
        bins = D * [bins]
    if range is None:
        range = (None,) * D
    elif len(range) != D:
        raise ValueError("range argument must have one entry per dimension")
    edges = D * [None]
    for i in builtins.range(D):
        if np.ndim(bins[i]) == 0:
            if bins[i] < 1:
                raise ValueError(f"`bins[{i}]` must be positive, when an integer")
            smin, smax = _outer_edges(sample[:, i], range[i])
            try:
                n = operator.index(bins[i])
            except TypeError as e:
                raise TypeError(f"`bins[{i}]` must be an integer, when a scalar") from e
            edges[i] = np.linspace(smin, smax, n + 1)
        elif np.ndim(bins[i]) == 1:
            edges[i] = np.asarray(bins[i])
            if np.any(edges[i][:-1] > edges[i][1:]):
                raise ValueError(f"`bins[{i}]` must be monotonically increasing, when an array")
        else:
            raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
    return edges



def _outer_edges(a: np.ndarray, range: Any) -> tuple:
    if range is not None:
        first_edge, last_edge = range
        if first_edge > last_edge:
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(f"supplied range of [{first_edge}, {last_edge}] is not finite")
    elif a.size == 0:
        first_edge, last_edge = 0, 1
    else:
        first_edge, last_edge = a.min(), a.max()
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(f"autodetected range of [{first_edge}, {last_edge}] is not finite")
    if first_edge == last_edge:
        first_edge = first_edge - 0.5
        last_edge = last_edge + 0.5
    return first_edge, last_edge


def histogramdd(
    sample: Any,
    bins: Any = 10,
    range: Optional[Sequence[Tuple[float, float]]] = None,
    density: Optional[bool] = None,
    weights: Any = None,
) -> Tuple[np.ndarray, list]:
    """Multidimensional histogram (numpy.histogramdd): ``(H, edges)``, `H` float64.

    `sample`: an ``(N, D)`` array or a sequence of D coordinate arrays. Edges are numpy's
    (``linspace`` over `range` or the data's extent for integer `bins`); a value on an inner
    edge counts in the upper bin, the last bin is closed, points outside are dropped.

    >>> import numpy as np, ndkern
    >>> pts = np.array([[0.1, 0.9], [0.5, 0.5], [1.0, 1.0], [2.0, 0.0]])
    >>> ndkern.histogramdd(pts, bins=2, range=[(0, 1), (0, 1)])[0]
    array([[0., 1.],
           [0., 2.]])
    """
    try:
        N, D = sample.shape
        s = np.asarray(sample)
    except (AttributeError, ValueError):
        s = np.atleast_2d(sample).T
        N, D = s.shape
    w = None if weights is None else np.asarray(weights)
    if s.dtype.kind not in "biuf" or (w is not None and w.dtype.kind not in "biuf"):
        return np.histogramdd(s, bins, range, density, w)
    if w is not None and w.shape != (N,):
        raise ValueError(f"weights must have shape ({N},), got {w.shape}")
    edges = _dd_edges(s, bins, range)
    spec = [([float(e) for e in ed], 0.0, 0.0, 0) for ed in edges]
    pts = float_array(s, "histogramdd")
    if w is None:
        hist = _ndkern.histogramdd(pts, spec, None, False)
    else:
        pts, wf = same_float(pts, float_array(w, "histogramdd"))
        hist = _ndkern.histogramdd(pts, spec, wf, False)
    if density:
        tot = hist.sum()
        for i in builtins.range(D):
            shape = np.ones(D, int)
            shape[i] = len(edges[i]) - 1
            hist = hist / np.diff(edges[i]).reshape(shape)
        hist /= tot
    return hist, edges


def bincount(x: Any, /, weights: Any = None, minlength: int = 0) -> np.ndarray:
    """Occurrences of each non-negative integer in `x` (numpy.bincount): int64 counts, or
    float64 sums of `weights` per value, length ``max(x) + 1`` or `minlength`.

    >>> import ndkern
    >>> ndkern.bincount([0, 1, 1, 3, 2, 1, 7])
    array([1, 3, 1, 1, 0, 0, 0, 1])
    >>> ndkern.bincount([0, 1, 1, 2], weights=[0.5, 1.0, 0.25, 2.0], minlength=5)
    array([0.5 , 1.25, 2.  , 0.  , 0.  ])
    """
    a = np.asarray(x)
    if a.ndim != 1:
        raise ValueError(
            "object too deep for desired array" if a.ndim > 1
            else "object of too small depth for desired array"
        )
    if not np.can_cast(a.dtype, np.intp, "safe"):
        raise TypeError(
            f"Cannot cast array data from {a.dtype!r} to dtype('int64') according to the "
            "rule 'safe'"
        )
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    xi = a.astype(np.int64, copy=False)
    if weights is None or xi.size == 0:
        if weights is not None and np.shape(weights) != xi.shape:
            raise ValueError("The weights and list don't have the same length.")
        return _ndkern.bincount(xi, None, minlength)
    w = np.asarray(weights)
    if w.dtype.kind == "c":
        raise TypeError("Cannot cast complex weights to float64; pass real weights")
    w = w.astype(F64, copy=False)
    if w.shape != xi.shape:
        raise ValueError("The weights and list don't have the same length.")
    return _ndkern.bincount(xi, w, minlength)


def digitize(x: Any, bins: Any, right: bool = False) -> Any:
    """Indices of the bins each value of `x` falls in (numpy.digitize): for increasing
    `bins`, ``i`` with ``bins[i-1] <= x < bins[i]`` (``right=True``: ``bins[i-1] < x <=
    bins[i]``); decreasing bins mirror it. int64, `x`'s shape.

    >>> import ndkern
    >>> ndkern.digitize([0.2, 6.4, 3.0, 1.6], [0.0, 1.0, 2.5, 4.0, 10.0])
    array([1, 4, 3, 2])
    """
    xa = np.asarray(x)
    if np.issubdtype(xa.dtype, np.complexfloating):
        raise TypeError("x may not be complex")
    b = np.asarray(bins)
    if b.ndim != 1:
        raise ValueError("object too deep for desired array")
    if xa.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        return np.digitize(xa, b, right)
    if b.size and not (np.all(b[1:] >= b[:-1]) or np.all(b[1:] <= b[:-1])):
        raise ValueError("bins must be monotonically increasing or decreasing")
    if b.size == 0:
        return np.zeros(xa.shape, np.intp)[()] if xa.ndim == 0 else np.zeros(xa.shape, np.intp)
    r = _ndkern.digitize(float_array(xa, "digitize"), [float(v) for v in b], bool(right))
    return r[()] if xa.ndim == 0 else r


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """The gradient of an N-d array (numpy.gradient): second-order central differences
    inside, first- or second-order (`edge_order`) one-sided differences at the edges.

    `varargs`: no spacing (1), one scalar for all axes, or one scalar or coordinate array per
    axis. Returns one array (one axis) or a tuple; float32 stays float32, integers give
    float64.

    >>> import numpy as np, ndkern
    >>> ndkern.gradient(np.array([1, 2, 4, 7, 11, 16], dtype=float))
    array([1. , 1.5, 2.5, 3.5, 4.5, 5. ])
    >>> gy, gx = ndkern.gradient(np.array([[1.0, 2, 6], [3, 4, 5]]))
    >>> gx
    array([[1. , 2.5, 4. ],
           [1. , 1. , 1. ]])
    """
    a = np.asarray(f)
    if a.dtype.kind not in "biuf" or a.dtype.itemsize < 4 and a.dtype.kind == "f":
        return np.gradient(a, *varargs, axis=axis, edge_order=edge_order)
    N = a.ndim
    if axis is None:
        axes = tuple(range(N))
    else:
        from ._support import normalize_axis_tuple

        axes = normalize_axis_tuple(axis, N)
    len_axes = len(axes)
    n = len(varargs)
    if n == 0:
        spacing = [(1.0, None)] * len_axes
    elif n == 1 and np.ndim(varargs[0]) == 0:
        spacing = [(float(varargs[0]), None)] * len_axes
    elif n == len_axes:
        spacing = []
        for i, distances in enumerate(varargs):
            d = np.asarray(distances)
            if d.ndim == 0:
                spacing.append((float(d), None))
                continue
            if d.ndim != 1:
                raise ValueError("distances must be either scalars or 1d")
            if len(d) != a.shape[axes[i]]:
                raise ValueError(
                    "when 1d, distances must match the length of the corresponding dimension"
                )
            if d.dtype.kind not in "biuf":
                return np.gradient(a, *varargs, axis=axis, edge_order=edge_order)
            diffx = np.diff(d.astype(F64) if d.dtype.kind in "biu" else d)
            if (diffx == diffx[0]).all():
                spacing.append((float(diffx[0]), None))
            else:
                spacing.append((0.0, [float(v) for v in d]))
    else:
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    for ax in axes:
        if a.shape[ax] < edge_order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, "
                "at least (edge_order + 1) elements are required."
            )
    src = float_array(a, "gradient")
    out = _ndkern.gradient(src, list(axes), spacing, int(edge_order))
    return out[0] if len_axes == 1 else tuple(out)


def polyfit(
    x: Any,
    y: Any,
    deg: int,
    rcond: Optional[float] = None,
    full: bool = False,
    w: Any = None,
    cov: Union[bool, str] = False,
) -> np.ndarray:
    """Least-squares polynomial fit (numpy.polyfit): coefficients highest degree first,
    float64, ``(deg + 1,)`` or ``(deg + 1, K)`` for a 2-D `y`.

    Fitted in the stable Chebyshev basis on ``[min x, max x]`` and converted, so it stays
    accurate where numpy's Vandermonde solve loses digits. A rank-deficient fit (fewer than
    ``deg + 1`` distinct x) raises ``ValueError`` (numpy warns and returns a solution).
    With ``full=True``, ``cov`` or ``rcond``, the call is numpy's.

    >>> import ndkern
    >>> ndkern.polyfit([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0], 1).round(12)
    array([2., 1.])
    """
    if full or cov is not False or rcond is not None:
        return np.polyfit(x, y, deg, rcond, full, w, cov)
    deg = operator.index(deg)
    xa = np.asarray(x)
    ya = np.asarray(y)
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if xa.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if xa.size == 0:
        raise TypeError("expected non-empty vector for x")
    if ya.ndim < 1 or ya.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if xa.shape[0] != ya.shape[0]:
        raise TypeError("expected x and y to have same length")
    if xa.dtype.kind not in "biuf" or ya.dtype.kind not in "biuf":
        return np.polyfit(x, y, deg, rcond, full, w, cov)
    wl = None
    if w is not None:
        wa = np.asarray(w, dtype=F64)
        if wa.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if wa.shape[0] != ya.shape[0]:
            raise TypeError("expected w and y to have the same length")
        wl = [float(v) for v in wa]
    xf = xa.astype(F64)
    yf = ya.astype(F64)
    if yf.ndim == 1:
        return _ndkern.polyfit(xf, yf, deg, wl)
    return np.stack([_ndkern.polyfit(xf, yf[:, k], deg, wl) for k in range(yf.shape[1])], 1)


def polyval(p: Any, x: Any) -> Any:
    """The polynomial with coefficients `p` (highest degree first) at `x` (numpy.polyval),
    by Horner's rule with fused multiply-adds. The result dtype is numpy's
    (``result_type(x, p)``); float32/float64 results are computed by ndkern, others by numpy.

    >>> import ndkern
    >>> ndkern.polyval([3.0, 0.0, 1.0], [5.0, 1.0])
    array([76.,  4.])
    """
    if isinstance(p, np.poly1d) or isinstance(x, np.poly1d):
        return np.polyval(p, x)
    pa = np.asarray(p)
    xa = np.asanyarray(x)
    if type(xa) is not np.ndarray or pa.ndim != 1 or pa.size == 0:
        return np.polyval(p, x)
    dt = np.result_type(xa.dtype, pa.dtype)
    if dt not in (F32, F64) or xa.dtype.kind not in "biuf" or pa.dtype.kind not in "biuf":
        return np.polyval(p, x)
    src = xa.astype(dt, copy=False)
    if not src.dtype.isnative:
        src = src.astype(dt.newbyteorder("="))
    r = _ndkern.polyval([float(v) for v in pa], src)
    return r[()] if r.ndim == 0 else r

