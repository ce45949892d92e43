"""scipy.cluster.vq's ``vq`` and ``kmeans2`` computed by ndkern.

``vq`` assigns every observation to its nearest code (ndkern's nearest-centroid kernel, f64
distances). ``kmeans2`` draws its initial centroids exactly as scipy does (same random calls
on the same generator, so a given `rng` gives scipy's start), then runs ndkern's Lloyd
iterations until the labels stop changing or `iter` iterations: scipy's result when no
cluster empties. An emptied cluster takes the point farthest from its centroid (scipy keeps
the old centroid and warns).
"""

from __future__ import annotations

import warnings
from typing import Any, Tuple

import numpy as np

from .. import _ndkern
from .._support import F32, F64, float_array

__all__ = ["ClusterError", "kmeans2", "vq"]


class ClusterError(Exception):
    """scipy.cluster.vq.ClusterError."""


def _finite(a: np.ndarray, check_finite: bool) -> np.ndarray:
    if check_finite and a.dtype.kind in "fc" and not np.isfinite(a).all():
        raise ValueError("array must not contain infs or NaNs")
    return a


def vq(obs: Any, code_book: Any, check_finite: bool = True) -> Tuple[np.ndarray, np.ndarray]:
    """Assign each observation (row of `obs`) to the nearest code of `code_book`
    (scipy.cluster.vq.vq): ``(code, dist)``, int32 codes and Euclidean distances in the
    common float dtype (float64 for integer input, with int64 codes, as scipy).

    >>> import numpy as np
    >>> from ndkern.cluster.vq import vq
    >>> code, dist = vq(np.array([[1.9, 2.3], [1.5, 2.5], [0.8, 0.6]]),
    ...                 np.array([[1.0, 1.0], [2.0, 2.0]]))
    >>> code
    array([1, 1, 0], dtype=int32)
    >>> dist.round(4)
    array([0.3162, 0.7071, 0.4472])
    """
    o = _finite(np.asarray(obs), check_finite)
    c = _finite(np.asarray(code_book), check_finite)
    ct = np.result_type(o, c)
    if ct.kind not in "biuf":
        raise TypeError(f"vq: observations must be real numeric, got {ct}")
    if o.ndim != c.ndim:
        raise ValueError("Observation and code_book should have the same rank")
    if o.ndim == 1:
        o, c = o[:, None], c[:, None]
    elif o.ndim != 2:
        raise ValueError("ndim different than 1 or 2 are not supported")
    if o.shape[1] != c.shape[1]:
        raise ValueError("Code-book and observation should have the same number of features")
    kind32 = ct == F32
    src = float_array(o.astype(ct, copy=False), "vq", keep_f32=kind32)
    cb = float_array(c.astype(ct, copy=False), "vq", keep_f32=kind32)
    idx, d2 = _ndkern.nearest(src, np.ascontiguousarray(cb))
    dist = np.sqrt(d2)
    if ct in (F32, F64):
        return idx.astype(np.int32), dist.astype(ct)
    return idx.astype(np.intp), dist


def _rng_integers(rng: Any, n: int) -> int:
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(n, dtype="int64"))
    return int(rng.randint(n, dtype="int64"))


def _kpoints(data: np.ndarray, k: int, rng: Any) -> np.ndarray:
    idx = rng.choice(data.shape[0], size=int(k), replace=False)
    return np.take(data, np.asarray(idx, dtype=np.asarray([1]).dtype), axis=0)


def _krandinit(data: np.ndarray, k: int, rng: Any) -> np.ndarray:
    mu = np.mean(data, axis=0)
    if data.ndim == 1:
        cov = np.cov(data)
        x = rng.standard_normal(size=k)
        x = x * np.sqrt(cov)
    elif data.shape[1] > data.shape[0]:
        _, s, vh = np.linalg.svd(data - mu, full_matrices=False)
        x = rng.standard_normal(size=(k, s.size))
        sVh = s[:, None] * vh / np.sqrt(data.shape[0] - 1.0)
        x = x @ sVh
    else:
        cov = np.atleast_2d(np.cov(data.T))
        x = rng.standard_normal(size=(k, mu.size))
        x = x @ np.linalg.cholesky(cov).T
    return x + mu


def _kpp(data: np.ndarray, k: int, rng: Any) -> np.ndarray:
    if data.ndim == 1:
        data = data[:, None]
    init = np.empty((int(k), data.shape[1]))
    for i in range(k):
        if i == 0:
            idx = _rng_integers(rng, data.shape[0])
        else:
            from ..spatial.distance import cdist

            d2 = cdist(init[:i, :], data, metric="sqeuclidean").min(axis=0)
            cum = (d2 / d2.sum()).cumsum()
            idx = int(np.searchsorted(cum, rng.uniform()))
        init[i, :] = data[idx, :]
    return init


_INIT = {"random": _krandinit, "points": _kpoints, "++": _kpp}


def kmeans2(
    data: Any,
    k: Any,
    iter: int = 10,
    thresh: float = 1e-05,
    minit: str = "random",
    missing: str = "warn",
    check_finite: bool = True,
    *,
    rng: Any = None,
    seed: Any = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """k-means (scipy.cluster.vq.kmeans2): ``(centroid, label)``, centroids in the data's
    float dtype (``(k,)`` for 1-D data), int32 labels.

    `minit`: ``'random'``, ``'points'``, ``'++'`` (drawn from `rng`/`seed` exactly as scipy)
    or ``'matrix'`` (`k` is the initial centroid array). `thresh` is unused, as in scipy.

    >>> import numpy as np
    >>> from ndkern.cluster.vq import kmeans2
    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]])
    >>> centroid, label = kmeans2(x, np.array([[0.0, 5.0], [9.0, 9.0]]), minit="matrix")
    >>> centroid
    array([[ 0. ,  0.5],
           [10. , 10.5]])
    >>> label
    array([0, 0, 1, 1], dtype=int32)
    """
    if int(iter) < 1:
        raise ValueError(f"Invalid iter ({iter}), must be a positive integer.")
    if missing not in ("warn", "raise"):
        raise ValueError(f"Unknown missing method {missing!r}")
    x = _finite(np.asarray(data), check_finite)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"kmeans2: data must be real numeric, got {x.dtype}")
    if x.ndim == 1:
        d = 1
    elif x.ndim == 2:
        d = x.shape[1]
    else:
        raise ValueError("Input of rank > 2 is not supported.")
    code_book = np.array(k, copy=True)
    if x.size < 1 or code_book.size < 1:
        raise ValueError("Empty input is not supported.")
    if minit == "matrix" or code_book.size > 1:
        if x.ndim != code_book.ndim:
            raise ValueError("k array doesn't match data rank")
        nc = code_book.shape[0]
        if x.ndim > 1 and code_book.shape[1] != d:
            raise ValueError("k array doesn't match data dimension")
    else:
        nc = int(code_book)
        if nc < 1:
            raise ValueError(f"Cannot ask kmeans2 for {nc} clusters (k was {code_book})")
        elif nc != code_book:
            warnings.warn("k was not an integer, was converted.", stacklevel=2)
        if minit not in _INIT:
            raise ValueError(f"Unknown init method {minit!r}")
        if rng is not None and seed is not None:
            raise ValueError("kmeans2: give `rng` or the legacy `seed`, not both")
        if seed is not None:
            gen = seed if hasattr(seed, "uniform") else np.random.RandomState(seed)
        else:
            gen = rng if isinstance(rng, (np.random.Generator, np.random.RandomState)) \
                else np.random.default_rng(rng)
        code_book = _INIT[minit](x, nc, gen)
    x2 = x[:, None] if x.ndim == 1 else x
    cb = np.atleast_2d(np.asarray(code_book, dtype=F64))
    if x.ndim == 1:
        cb = cb.reshape(-1, 1)
    if nc > x2.shape[0]:
        raise ValueError(f"kmeans2: {nc} clusters need at least {nc} observations, "
                         f"got {x2.shape[0]}")
    src = float_array(x2, "kmeans2")
    labels, centroids, _info = _ndkern.kmeans(
        src, nc, np.ascontiguousarray(cb), 0, int(iter), 0.0, 1
    )
    out_dt = x.dtype if x.dtype in (F32, F64) else F64
    c = centroids.astype(out_dt)
    if x.ndim == 1:
        c = c[:, 0]
    return c, labels.astype(np.int32)
