"""scipy.stats' names computed by ndkern: ``gaussian_kde`` (the object), ``binned_statistic_dd``,
``pearsonr``.

Signatures, defaults and results are scipy's, with these limits (each raises ``ValueError``
naming what to do instead, never a silent difference):

* ``gaussian_kde``: 1-D and 2-D datasets (ndkern's exact kernel sum, samples beyond 8.5
  bandwidths skipped: within 2e-16 of the total weight); an ndkern keyword ``bounds=(lo, hi)``
  reflects the density at the bounds of a positive quantity (Q24: it integrates to 1 on
  ``[lo, hi]``).
* ``pearsonr``: ``method=None`` (the exact beta-distribution p-value); with N-d input, one of
  `x`, `y` must be 1-D (the series every lane of the other is correlated with).
* ``binned_statistic_dd``: a sample exactly on the last edge counts in the last bin (scipy
  also counts samples within its rounding tolerance above it; ndkern drops those from the
  statistic, its ``binnumber`` follows scipy).
"""

from __future__ import annotations

import math
import statistics as _pystats
import warnings
from collections import namedtuple
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np

from . import _ndkern
from ._support import F32, F64, float_array, normalize_axis_index, refuse

__all__ = ["BinnedStatisticddResult", "PearsonRResult", "binned_statistic_dd", "gaussian_kde",
           "pearsonr"]


# ---------------------------------------------------------------------------------------------
# gaussian_kde


class gaussian_kde:
    """Gaussian kernel density estimate (scipy.stats.gaussian_kde) of a 1-D or 2-D dataset.

    ``gaussian_kde(dataset, bw_method=None, weights=None)``: `dataset` is ``(d, n)`` (or a
    1-D array of n samples), `bw_method` ``'scott'`` (default), ``'silverman'``, a scalar
    factor or a callable taking the KDE. ndkern's keyword ``bounds=(lo, hi)`` (1-D) reflects
    the kernels at the bounds (``hi`` may be ``np.inf``): the density is zero outside and
    integrates to 1 inside (Q24).

    >>> import numpy as np
    >>> from ndkern.stats import gaussian_kde
    >>> x = np.random.default_rng(0).normal(size=200)
    >>> kde = gaussian_kde(x)
    >>> round(float(kde.integrate_box_1d(-np.inf, np.inf)), 12)
    1.0
    >>> kde([0.0, 1.0]).shape
    (2,)
    >>> pos = gaussian_kde(np.abs(x), bounds=(0.0, np.inf))
    >>> float(pos(-0.1)[0]), round(float(pos.integrate_box_1d(0.0, np.inf)), 6)
    (0.0, 1.0)
    """

    def __init__(
        self,
        dataset: Any,
        bw_method: Union[None, str, float, Callable[["gaussian_kde"], float]] = None,
        weights: Any = None,
        *,
        bounds: Optional[Tuple[float, float]] = None,
    ) -> None:
        self.dataset = np.atleast_2d(np.asarray(dataset))
        if not self.dataset.size > 1:
            raise ValueError("`dataset` input should have multiple elements.")
        if self.dataset.dtype.kind not in "biuf":
            raise TypeError(f"gaussian_kde: dataset must be real numeric, got {self.dataset.dtype}")
        self.d, self.n = self.dataset.shape
        if weights is not None:
            w = np.atleast_1d(weights).astype(float)
            if w.ndim != 1:
                raise ValueError("`weights` input should be one-dimensional.")
            if len(w) != self.n:
                raise ValueError("`weights` input should be of length n")
            self._weights = w / np.sum(w)
            self._neff = 1 / np.sum(self._weights**2)
            self._given_weights = True
        else:
            self._weights = np.full(self.n, 1.0 / self.n)
            self._neff = float(self.n)
            self._given_weights = False
        if self.d > self.n:
            raise ValueError(
                "Number of dimensions is greater than number of samples. This results in a "
                "singular data covariance matrix, which cannot be treated using the "
                "algorithms implemented in `gaussian_kde`. Note that `gaussian_kde` "
                "interprets each *column* of `dataset` to be a point; consider transposing "
                "the input to `dataset`."
            )
        if self.d > 2:
            raise refuse(
                "gaussian_kde", f"a {self.d}-D dataset",
                "ndkern's KDE takes 1-D and 2-D data; use scipy.stats.gaussian_kde for more",
            )
        if bounds is not None and self.d != 1:
            raise ValueError("gaussian_kde: `bounds` reflects 1-D densities only")
        self._bounds = None if bounds is None else (float(bounds[0]), float(bounds[1]))
        if np.any(np.ptp(self.dataset, axis=1) == 0):
            raise np.linalg.LinAlgError(
                "gaussian_kde: a dimension of the dataset is constant, so its covariance is "
                "singular (scipy raises LinAlgError too); drop that dimension or add spread"
            )
        self.set_bandwidth(bw_method)

    @property
    def weights(self) -> np.ndarray:
        return self._weights

    @property
    def neff(self) -> float:
        return self._neff

    def scotts_factor(self) -> float:
        """Scott's factor, ``neff ** (-1 / (d + 4))``."""
        return float(np.power(self.neff, -1.0 / (self.d + 4)))

    def silverman_factor(self) -> float:
        """Silverman's factor, ``(neff (d + 2) / 4) ** (-1 / (d + 4))``."""
        return float(np.power(self.neff * (self.d + 2.0) / 4.0, -1.0 / (self.d + 4)))

    covariance_factor = scotts_factor

    def set_bandwidth(self, bw_method: Any = None) -> None:
        """Recomputes the kernel with a new `bw_method` (as scipy)."""
        if bw_method is None or bw_method == "scott":
            kind, factor = "scott", 0.0
            self.covariance_factor = self.scotts_factor
        elif bw_method == "silverman":
            kind, factor = "silverman", 0.0
            self.covariance_factor = self.silverman_factor
        elif np.isscalar(bw_method) and not isinstance(bw_method, str):
            kind, factor = "factor", float(bw_method)
            self.covariance_factor = lambda: factor
        elif callable(bw_method):
            self._bw_method = bw_method
            kind, factor = "factor", float(bw_method(self))
            self.covariance_factor = lambda: self._bw_method(self)
        else:
            raise ValueError(
                "`bw_method` should be 'scott', 'silverman', a scalar or a callable."
            )
        w = [float(v) for v in self._weights] if self._given_weights else None
        data = np.ascontiguousarray(self.dataset, dtype=F64)
        self._kde = _ndkern.Kde(data, kind, factor, w, self._bounds)
        self.factor = self._kde.factor
        self.covariance = self._kde.covariance
        self._data_covariance = self.covariance / self.factor**2
        self._data_inv_cov = np.linalg.inv(self._data_covariance)
        self.inv_cov = self._data_inv_cov / self.factor**2

    def evaluate(self, points: Any) -> np.ndarray:
        """The estimated density at `points` (``(d, m)``, or m values in 1-D): float64
        ``(m,)``."""
        p = np.atleast_2d(np.asarray(points))
        d, m = p.shape
        if d != self.d:
            if d == 1 and m == self.d:
                p = np.reshape(p, (self.d, 1))
            else:
                raise ValueError(f"points have dimension {d}, dataset has dimension {self.d}")
        if p.dtype.kind not in "biuf":
            raise TypeError(f"gaussian_kde: points must be real numeric, got {p.dtype}")
        return self._kde.evaluate(np.asarray(p, dtype=F64))

    __call__ = evaluate

    def pdf(self, x: Any) -> np.ndarray:
        """Same as :meth:`evaluate`."""
        return self.evaluate(x)

    def logpdf(self, x: Any) -> np.ndarray:
        """``log`` of :meth:`evaluate`."""
        with np.errstate(divide="ignore"):
            return np.log(self.evaluate(x))

    def integrate_box_1d(self, low: float, high: float) -> float:
        """The probability mass between `low` and `high` (1-D)."""
        if self.d != 1:
            raise ValueError("integrate_box_1d() only handles 1D pdfs")
        return np.float64(self._kde.integrate_box_1d(float(low), float(high)))


# ---------------------------------------------------------------------------------------------
# pearsonr

_PearsonBase = namedtuple("PearsonRResult", ["statistic", "pvalue"])


class PearsonRResult(_PearsonBase):
    """``(statistic, pvalue)`` of :func:`pearsonr`, with scipy's ``confidence_interval``."""

    _n: Any = None
    _alternative: str = "two-sided"

    def confidence_interval(self, confidence_level: float = 0.95) -> Any:
        """Fisher-z confidence interval of r (scipy's, for ``method=None``)."""
        r = np.asarray(self.statistic, dtype=F64)
        n = np.asarray(self._n, dtype=F64)
        zr = np.arctanh(np.clip(r, -1, 1))
        se = np.sqrt(1 / (n - 3)) if np.all(n > 3) else np.full_like(zr, np.inf)
        nd = _pystats.NormalDist()
        if self._alternative == "two-sided":
            h = nd.inv_cdf(0.5 + confidence_level / 2)
            lo, hi = zr - h * se, zr + h * se
        elif self._alternative == "less":
            h = nd.inv_cdf(confidence_level)
            lo, hi = np.full_like(zr, -np.inf), zr + h * se
        else:
            h = nd.inv_cdf(confidence_level)
            lo, hi = zr - h * se, np.full_like(zr, np.inf)
        ci = namedtuple("ConfidenceInterval", ["low", "high"])
        return ci(np.tanh(lo)[()], np.tanh(hi)[()])


def _betainc(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """The regularized incomplete beta function I_x(a, b) for scalar a, b > 0 and an array
    of x in [0, 1] (continued fraction, modified Lentz; relative error ~1e-15)."""
    x = np.asarray(x, dtype=F64)
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x)
    out[ok & (x <= 0)] = 0.0
    out[ok & (x >= 1)] = 1.0
    inner = ok & (x > 0) & (x < 1)
    if not inner.any():
        return out
    xi = x[inner]
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    swap = xi > (a + 1) / (a + b + 2)
    aa = np.where(swap, b, a)
    bb = np.where(swap, a, b)
    xx = np.where(swap, 1 - xi, xi)
    front = np.exp(lbeta + aa * np.log(xx) + bb * np.log1p(-xx)) / aa
    tiny = 1e-300
    c = np.ones_like(xx)
    d = 1 - (aa + bb) * xx / (aa + 1)
    d = np.where(np.abs(d) < tiny, tiny, d)
    d = 1 / d
    f = d.copy()
    done = np.zeros(xx.shape, bool)
    for m in range(1, 20000):
        # even step
        num = m * (bb - m) * xx / ((aa + 2 * m - 1) * (aa + 2 * m))
        d = 1 + num * d
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = 1 + num / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1 / d
        f = np.where(done, f, f * d * c)
        # odd step
        num = -(aa + m) * (aa + bb + m) * xx / ((aa + 2 * m) * (aa + 2 * m + 1))
        d = 1 + num * d
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = 1 + num / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1 / d
        delta = d * c
        f = np.where(done, f, f * delta)
        done |= np.abs(delta - 1) < 1e-16
        if done.all():
            break
    res = front * f
    out[inner] = np.where(swap, 1 - res, res)
    return out


def _pearson_pvalue(r: np.ndarray, n: int, alternative: str) -> np.ndarray:
    """scipy's p-value: r ~ Beta(n/2 - 1, n/2 - 1) on [-1, 1] under independence."""
    ab = n / 2 - 1
    r = np.asarray(r, dtype=F64)
    if n <= 2:
        return np.where(np.isnan(r), np.nan, 1.0)
    rc = np.clip(r, -1, 1)
    cdf = _betainc(ab, ab, (rc + 1) / 2)
    if alternative == "two-sided":
        return np.minimum(1.0, 2 * _betainc(ab, ab, (1 - np.abs(rc)) / 2))
    if alternative == "less":
        return cdf
    return _betainc(ab, ab, (1 - rc) / 2)


def pearsonr(
    x: Any,
    y: Any,
    *,
    alternative: str = "two-sided",
    method: Any = None,
    axis: Optional[int] = 0,
) -> PearsonRResult:
    """Pearson correlation coefficient and p-value (scipy.stats.pearsonr):
    ``PearsonRResult(statistic, pvalue)``, unpackable as ``r, p``.

    1-D `x` and `y` give scalars. With N-d input, one of them is 1-D and is correlated with
    every lane of the other along `axis` (ndkern reads the N-d array in place). float32 input
    gives float32, others float64. `method` other than None (permutation/bootstrap tests)
    raises ``ValueError``.

    >>> import ndkern
    >>> r, p = ndkern.stats.pearsonr([1.0, 2.0, 3.0, 4.0, 5.0], [10.0, 9.0, 2.5, 6.0, 4.0])
    >>> round(float(r), 6), round(float(p), 6)
    (-0.742611, 0.150556)
    """
    if method is not None:
        raise refuse("pearsonr", f"method={method!r}",
                     "use method=None (exact p-value) or scipy.stats.pearsonr")
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError("`alternative` must be 'less', 'greater', or 'two-sided'.")
    xa = np.asarray(x)
    ya = np.asarray(y)
    for v, nm in ((xa, "x"), (ya, "y")):
        if v.dtype.kind == "c":
            raise ValueError("This function does not support complex data")
        if v.dtype.kind not in "biuf":
            raise TypeError(f"pearsonr: `{nm}` must be real numeric, got {v.dtype}")
    if axis is None:
        xa, ya, axis = xa.ravel(), ya.ravel(), 0
    if xa.ndim > 1 and ya.ndim > 1:
        raise refuse("pearsonr", "two N-d arrays",
                     "give one of x, y as the 1-D series the other's lanes are correlated with")
    if xa.ndim <= 1 and ya.ndim > 1:
        xa, ya = ya, xa
    if ya.ndim == 0 or xa.ndim == 0:
        raise ValueError("`x` and `y` must have length at least 2.")
    ax = normalize_axis_index(int(axis), xa.ndim) if xa.ndim > 1 else 0
    n = xa.shape[ax]
    if ya.shape[0] != n:
        raise ValueError("`x` and `y` must have the same length along `axis`.")
    if n < 2:
        raise ValueError("`x` and `y` must have length at least 2.")
    both32 = xa.dtype == F32 and ya.dtype == F32
    xs = float_array(xa, "pearsonr", keep_f32=both32)
    ys = float_array(ya, "pearsonr", keep_f32=both32)
    r = _ndkern.pearson_r(xs, ys, ax)
    with np.errstate(invalid="ignore"):
        p = _pearson_pvalue(r, n, alternative)
    dt = F32 if both32 else F64
    res = PearsonRResult(r.astype(dt)[()], np.asarray(p, dtype=dt)[()])
    res._n = n
    res._alternative = alternative
    return res


# ---------------------------------------------------------------------------------------------
# binned_statistic_dd

BinnedStatisticddResult = namedtuple(
    "BinnedStatisticddResult", ("statistic", "bin_edges", "binnumber")
)

_KNOWN = ("mean", "median", "count", "sum", "std", "min", "max")


def _bin_edges(sample: np.ndarray, bins: list, range: Any) -> Tuple[np.ndarray, list]:
    """scipy's ``_bin_edges``."""
    Dlen, Ndim = sample.shape
    nbin = np.empty(Ndim, int)
    edges: list = Ndim * [None]
    if range is None:
        smin = np.atleast_1d(np.array(sample.min(axis=0), float))
        smax = np.atleast_1d(np.array(sample.max(axis=0), float))
    else:
        if len(range) != Ndim:
            raise ValueError(f"range given for {len(range)} dimensions; {Ndim} required")
        smin = np.empty(Ndim)
        smax = np.empty(Ndim)
        for i in builtins_range(Ndim):
            if range[i][1] < range[i][0]:
                raise ValueError(
                    f"In {f'dimension {i + 1} of ' if Ndim > 1 else ''}range,"
                    " start must be <= stop"
                )
            smin[i], smax[i] = range[i]
    for i in builtins_range(len(smin)):
        if smin[i] == smax[i]:
            smin[i] = smin[i] - 0.5
            smax[i] = smax[i] + 0.5
    edges_dtype = sample.dtype if np.issubdtype(sample.dtype, np.floating) else float
    for i in builtins_range(Ndim):
        if np.isscalar(bins[i]):
            nbin[i] = bins[i] + 2
            edges[i] = np.linspace(smin[i], smax[i], nbin[i] - 1, dtype=edges_dtype)
        else:
            edges[i] = np.asarray(bins[i], edges_dtype)
            nbin[i] = len(edges[i]) + 1
    return np.asarray(nbin), edges


builtins_range = range


def _bin_numbers(sample: np.ndarray, nbin: np.ndarray, edges: list) -> np.ndarray:
    """scipy's ``_bin_numbers`` (the bin indices per axis by ndkern's digitize)."""
    Dlen, Ndim = sample.shape
    samp_bin = []
    for i in builtins_range(Ndim):
        e = edges[i]
        col = sample[:, i]
        b = _ndkern.digitize(float_array(col, "sample"), [float(v) for v in e], False)
        de = np.diff(e)
        dmin = de.min()
        if dmin == 0:
            raise ValueError("The smallest edge difference is numerically 0.")
        decimal = int(-np.log10(dmin)) + 6
        on_edge = np.where(
            (col >= e[-1]) & (np.around(col, decimal) == np.around(e[-1], decimal))
        )[0]
        b[on_edge] -= 1
        samp_bin.append(b)
    return np.ravel_multi_index(samp_bin, nbin)


def binned_statistic_dd(
    sample: Any,
    values: Any,
    statistic: Union[str, Callable] = "mean",
    bins: Any = 10,
    range: Optional[Sequence[Tuple[float, float]]] = None,
    expand_binnumbers: bool = False,
    binned_statistic_result: Any = None,
) -> BinnedStatisticddResult:
    """A statistic of `values` per bin of a D-dimensional grid
    (scipy.stats.binned_statistic_dd): ``(statistic, bin_edges, binnumber)``.

    `statistic`: ``'mean'``, ``'std'`` (population), ``'count'``, ``'sum'``, ``'min'``,
    ``'max'`` (one ndkern pass), ``'median'`` or a callable (grouped by ndkern's bin numbers,
    then per bin). Empty bins: 0 for count/sum, NaN otherwise. `sample` is ``(N, D)`` or a
    sequence of D arrays; `values` ``(N,)`` or ``(V, N)``.

    >>> import numpy as np
    >>> from ndkern.stats import binned_statistic_dd
    >>> pts = np.array([[0.1, 0.1], [0.2, 0.3], [0.9, 0.8]])
    >>> r = binned_statistic_dd(pts, [1.0, 3.0, 5.0], "mean", bins=2, range=[(0, 1), (0, 1)])
    >>> r.statistic
    array([[ 2., nan],
           [nan,  5.]])
    >>> r.binnumber
    array([ 5,  5, 10])
    """
    if not callable(statistic) and statistic not in _KNOWN:
        raise ValueError(f"invalid statistic {statistic!r}")
    try:
        bins = int(bins.__index__())  # type: ignore[union-attr]
    except (AttributeError, TypeError):
        pass
    try:
        s = np.asarray(sample)
        Dlen, Ndim = s.shape
    except (AttributeError, ValueError):
        s = np.atleast_2d(sample).T
        Dlen, Ndim = s.shape
    if s.dtype.kind not in "biuf":
        raise TypeError(f"binned_statistic_dd: sample must be real numeric, got {s.dtype}")
    if isinstance(bins, int) and not np.isfinite(s).all():
        raise ValueError(f"{s!r} contains non-finite values.")
    v = np.asarray(values)
    input_shape = list(v.shape)
    v = np.atleast_2d(v)
    Vdim, Vlen = v.shape
    if statistic != "count" and Vlen != Dlen:
        raise AttributeError(
            "The number of `values` elements must match the length of each `sample` dimension."
        )
    try:
        M = len(bins)
        if M != Ndim:
            raise AttributeError(
                "The dimension of bins must be equal to the dimension of the sample x."
            )
    except TypeError:
        bins = Ndim * [bins]
    if binned_statistic_result is None:
        nbin, edges = _bin_edges(s, bins, range)
        binnumbers = _bin_numbers(s, nbin, edges)
    else:
        edges = binned_statistic_result.bin_edges
        nbin = np.array([len(edges[i]) + 1 for i in builtins_range(Ndim)])
        binnumbers = binned_statistic_result.binnumber
    inner = tuple(int(n) - 2 for n in nbin)
    spec = [([float(e) for e in ed], 0.0, 0.0, 0) for ed in edges]
    pts = np.asarray(s, dtype=F64)
    if statistic == "count" or statistic in ("mean", "std", "sum", "min", "max"):
        if v.dtype.kind not in "biuf":
            raise TypeError(f"binned_statistic_dd: values must be real numeric, got {v.dtype}")
        rows = [np.zeros(Dlen)] if statistic == "count" else list(v.astype(F64))
        out = np.stack([
            _ndkern.binned_statistic_dd(pts, np.ascontiguousarray(row), spec, statistic, np.nan)
            for row in rows
        ]) if rows else np.empty((0,) + inner)
        if statistic == "count" and Vdim > 1:
            out = np.repeat(out[:1], Vdim, axis=0)
        result = out
    else:
        result = _grouped(v, binnumbers, nbin, statistic)
    if expand_binnumbers and Ndim > 1:
        binnumbers = np.asarray(np.unravel_index(binnumbers, nbin))
    result = result.reshape(input_shape[:-1] + list(inner))
    return BinnedStatisticddResult(result, edges, binnumbers)


def _grouped(v: np.ndarray, binnumbers: np.ndarray, nbin: np.ndarray, statistic: Any) -> np.ndarray:
    """median or a callable, per bin, from the bin numbers (scipy's rules)."""
    Vdim = v.shape[0]
    total = int(np.prod(nbin))
    if statistic == "median":
        result = np.full((Vdim, total), np.nan)
        for vv in builtins_range(Vdim):
            i = np.lexsort((v[vv], binnumbers))
            _, j, counts = np.unique(binnumbers[i], return_index=True, return_counts=True)
            mid = j + (counts - 1) / 2
            mid_a = v[vv, i][np.floor(mid).astype(int)]
            mid_b = v[vv, i][np.ceil(mid).astype(int)]
            result[vv, binnumbers[i][j]] = (mid_a + mid_b) / 2
    else:
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                null = statistic([])
            except Exception:
                null = np.nan
        dt = np.complex128 if np.iscomplexobj(null) else np.result_type(v, np.float64)
        result = np.empty((Vdim, total), dtype=dt)
        result.fill(null)
        order = np.argsort(binnumbers, kind="stable")
        sb = binnumbers[order]
        starts = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]]) if sb.size else np.array([], int)
        ends = np.r_[starts[1:], sb.size]
        for vv in builtins_range(Vdim):
            vals = v[vv][order]
            for s0, e0 in zip(starts, ends):
                result[vv, sb[s0]] = statistic(vals[s0:e0])
    core = tuple([slice(None)] + len(nbin) * [slice(1, -1)])
    return result.reshape(np.append(Vdim, nbin))[core]
