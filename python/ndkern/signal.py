"""scipy.signal's names computed by ndkern: ``detrend``, ``convolve``, ``correlate``,
``fftconvolve``, ``oaconvolve``.

Signatures, defaults, result dtypes and shapes are scipy's: float32 stays float32, float64
float64; integer input of ``convolve``/``correlate`` gives scipy's integer result (computed in
float64 and rounded: exact while the sums stay below 2^53); complex input is computed as real
convolutions of the real and imaginary parts. ``method='auto'`` picks direct, FFT or
overlap-add by ndkern's measured cost model (the values agree with scipy's to rounding
whichever it picks).
"""

from __future__ import annotations

import operator
from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _ndkern
from ._support import F32, F64, normalize_axis_index

__all__ = ["convolve", "correlate", "detrend", "fftconvolve", "oaconvolve"]

_MODES = ("full", "same", "valid")


def _mode(mode: Any) -> str:
    if mode not in _MODES:
        raise ValueError("Acceptable mode flags are 'valid', 'same', or 'full'.")
    return mode


def _real_pair(a: np.ndarray, b: np.ndarray) -> tuple:
    """Both inputs in one float dtype ndkern computes in."""
    if a.dtype == F32 and b.dtype == F32:
        return a, b
    return (a if a.dtype == F64 and a.dtype.isnative else a.astype(F64),
            b if b.dtype == F64 and b.dtype.isnative else b.astype(F64))


def _axes(axes: Any, ndim: int) -> Optional[list]:
    if axes is None:
        return None
    if isinstance(axes, (int, np.integer)):
        axes = [axes]
    ax = [normalize_axis_index(operator.index(v), ndim) for v in axes]
    if len(set(ax)) != len(ax):
        raise ValueError("all axes must be unique")
    return sorted(ax)


def _run(op: str, a: np.ndarray, b: np.ndarray, mode: str, method: str,
         axes: Optional[list]) -> np.ndarray:
    """`op` of real or complex `a`, `b` (complex as real parts; correlation conjugates b)."""
    ca, cb = a.dtype.kind == "c", b.dtype.kind == "c"
    if not (ca or cb):
        x, y = _real_pair(a, b)
        return _ndkern.convolve(op, x, y, mode, method, axes)

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _run(op, x, y, mode, method, axes)

    ar, ai = (a.real, a.imag) if ca else (a, None)
    br, bi = (b.real, b.imag) if cb else (b, None)
    corr = op == "correlate"
    re = f(ar, br)
    im = None
    if ai is not None and bi is not None:
        re = re + f(ai, bi) if corr else re - f(ai, bi)
    if bi is not None:
        t = f(ar, bi)
        im = -t if corr else t
    if ai is not None:
        t = f(ai, br)
        im = t if im is None else im + t
    return re + 1j * im


def _finish(out: np.ndarray, rt: np.dtype, integer_exact: bool) -> np.ndarray:
    if rt.kind in "iu" and integer_exact:
        return np.around(out).astype(rt)
    if rt.kind in "biu":
        return out.astype(F64)
    return out.astype(rt, copy=False)


def _pair(in1: Any, in2: Any, what: str) -> tuple:
    a, b = np.asarray(in1), np.asarray(in2)
    for v in (a, b):
        if v.dtype.kind not in "biufc":
            raise TypeError(f"{what}: inputs must be numeric, got dtype {v.dtype}")
    return a, b


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> np.ndarray:
    """N-d convolution of `in1` and `in2` (scipy.signal.convolve); `mode` ``'full'``,
    ``'valid'`` or ``'same'``, `method` ``'auto'``, ``'direct'`` or ``'fft'``.

    >>> from ndkern.signal import convolve
    >>> convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> convolve([1, 2, 3], [1, 1], mode="same")
    array([1, 3, 5])
    """
    return _conv("convolve", in1, in2, mode, method)


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> np.ndarray:
    """N-d cross-correlation (scipy.signal.correlate): ``z[k] = sum_n in1[n + k] *
    conj(in2[n])``, lags from ``-(len(in2) - 1)`` in ``'full'`` mode.

    >>> from ndkern.signal import correlate
    >>> correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([0.5, 2. , 3.5, 3. , 0. ])
    """
    return _conv("correlate", in1, in2, mode, method)


def _conv(op: str, in1: Any, in2: Any, mode: str, method: str) -> np.ndarray:
    a, b = _pair(in1, in2, op)
    if a.ndim == b.ndim == 0:
        return a * (b.conj() if op == "correlate" else b)
    if a.ndim != b.ndim:
        raise ValueError(
            "volume and kernel should have the same dimensionality" if op == "convolve"
            else "in1 and in2 should have the same dimensionality"
        )
    _mode(mode)
    if method not in ("auto", "direct", "fft"):
        raise ValueError("Acceptable method flags are 'auto', 'direct', or 'fft'.")
    if mode == "valid":
        ok1 = all(i >= j for i, j in zip(a.shape, b.shape))
        ok2 = all(i >= j for i, j in zip(b.shape, a.shape))
        if not (ok1 or ok2):
            raise ValueError(
                "For 'valid' mode, one must be at least as large as the other in every dimension"
            )
    rt = np.result_type(a, b)
    if a.size == 0 or b.size == 0:
        return np.array([], dtype=rt if rt.kind not in "b" else np.int64)
    out = _run(op, a, b, mode, method, None)
    return _finish(out, rt, True)


def fftconvolve(in1: Any, in2: Any, mode: str = "full",
                axes: Optional[Union[int, Sequence[int]]] = None) -> np.ndarray:
    """Convolution by FFT (scipy.signal.fftconvolve), over `axes` (default: all; the other
    axes must agree or be 1). float32 stays float32; integer input gives float64.

    >>> from ndkern.signal import fftconvolve
    >>> fftconvolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5]).round(12) + 0.0
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    return _fft("fftconvolve", in1, in2, mode, axes)


def oaconvolve(in1: Any, in2: Any, mode: str = "full",
               axes: Optional[Union[int, Sequence[int]]] = None) -> np.ndarray:
    """Convolution by overlap-add (scipy.signal.oaconvolve), for a long signal and a short
    kernel; same results as :func:`fftconvolve`.

    >>> import numpy as np
    >>> from ndkern.signal import oaconvolve
    >>> oaconvolve(np.ones(6), [1.0, 1.0], mode="same").round(12) + 0.0
    array([1., 2., 2., 2., 2., 2.])
    """
    return _fft("oaconvolve", in1, in2, mode, axes)


def _fft(op: str, in1: Any, in2: Any, mode: str, axes: Any) -> np.ndarray:
    a, b = _pair(in1, in2, op)
    if a.ndim == b.ndim == 0:
        return a * b
    if a.ndim != b.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if a.size == 0 or b.size == 0:
        return np.array([])
    _mode(mode)
    # scipy's _init_freq_conv_axes: axes where either input has length 1 are not convolved
    # (broadcast instead); an empty result of that is the plain product
    ax = _axes(axes, a.ndim)
    if axes is not None and not len(ax):
        raise ValueError("when provided, axes cannot be empty")
    s1, s2 = a.shape, b.shape
    ax = [x for x in (ax if ax is not None else range(a.ndim)) if s1[x] != 1 and s2[x] != 1]
    if not all(s1[x] == s2[x] or s1[x] == 1 or s2[x] == 1
               for x in range(a.ndim) if x not in ax):
        raise ValueError(f"incompatible shapes for in1 and in2: {s1} and {s2}")
    if not ax:
        return _centered_same(a * b, s1, mode)
    full = [max(s1[x], s2[x]) for x in range(a.ndim)]
    sa = tuple(s1[x] if x in ax else full[x] for x in range(a.ndim))
    sb = tuple(s2[x] if x in ax else full[x] for x in range(a.ndim))
    if sa != s1:
        a = np.ascontiguousarray(np.broadcast_to(a, sa))
    if sb != s2:
        b = np.ascontiguousarray(np.broadcast_to(b, sb))
    rt = np.result_type(a, b)
    out = _run(op, a, b, mode, "fft", sorted(ax))
    return _finish(_centered_same(out, s1, mode), rt, False)


def _centered_same(ret: np.ndarray, s1: tuple, mode: str) -> np.ndarray:
    """scipy's ``_apply_conv_mode`` for 'same' on the axes that were not convolved: the
    centred part of in1's shape."""
    if mode != "same" or ret.shape == tuple(s1):
        return ret
    cur = np.array(ret.shape)
    new = np.asarray(s1)
    start = (cur - new) // 2
    return ret[tuple(slice(int(s), int(s + n)) for s, n in zip(start, new))].copy()


def detrend(data: Any, axis: int = -1, type: str = "linear", bp: Any = 0,
            overwrite_data: bool = False) -> np.ndarray:
    """Remove the mean (``type='constant'``) or the least-squares line of every segment
    between breakpoints `bp` (``'linear'``) along `axis` (scipy.signal.detrend). float32 and
    complex64 keep their precision; other input gives float64 (complex128). Computed in
    float64, the input read in place.

    >>> import numpy as np
    >>> from ndkern.signal import detrend
    >>> detrend(np.array([1.0, 3.0, 2.0, 4.0])).round(12)
    array([-0.3,  0.9, -0.9,  0.3])
    >>> detrend([1.0, 2.0, 6.0], type="constant")
    array([-2., -1.,  3.])
    """
    if type not in ("linear", "l", "constant", "c"):
        raise ValueError("Trend type must be 'linear' or 'constant'.")
    kind = "linear" if type in ("linear", "l") else "constant"
    a = np.asarray(data)
    if a.dtype.kind == "c":
        ct = np.complex64 if a.dtype == np.complex64 else np.complex128
        re = detrend(a.real, axis, type, bp)
        im = detrend(a.imag, axis, type, bp)
        return (re + 1j * im).astype(ct)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"detrend: data must be numeric, got dtype {a.dtype}")
    src = a if a.dtype in (F32, F64) and a.dtype.isnative else a.astype(
        F32 if a.dtype == F32 else F64
    )
    ax = normalize_axis_index(operator.index(axis), a.ndim) if a.ndim else 0
    if a.ndim == 0:
        raise ValueError("detrend: data must have at least one dimension")
    n = a.shape[ax]
    bps: list = []
    if kind == "linear":
        b = np.sort(np.unique(np.atleast_1d(np.asarray(bp))))
        if b.size and (b.dtype.kind not in "iu" and not np.all(b == np.round(b))):
            raise ValueError("Breakpoints must be integers.")
        if np.any(b > n):
            raise ValueError(
                "Breakpoints must be less than length of data along given axis."
            )
        if np.any(b < 0):
            raise ValueError("Breakpoints must be non-negative.")
        bps = [int(v) for v in b]
    return _ndkern.detrend(src, ax, kind, bps)
