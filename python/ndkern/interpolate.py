"""scipy.interpolate's ``barycentric_interpolate`` computed by ndkern.

The module is also callable: ``ndkern.interpolate(x, y, at)`` is ndkern's own Q21
interpolant (:func:`ndkern._own.interpolate`), so both ``ndkern.interpolate(...)`` and
``ndkern.interpolate.barycentric_interpolate(...)`` work.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np

from . import _ndkern
from ._support import F64, normalize_axis_index, refuse

__all__ = ["barycentric_interpolate", "interpolate"]

from ._own import interpolate  # noqa: E402


class _CallableModule(types.ModuleType):
    """``ndkern.interpolate(x, y, at)``: the module called is ndkern's interpolant."""

    def __call__(self, x: Any, y: Any, at: Any) -> np.ndarray:
        return interpolate(x, y, at)


sys.modules[__name__].__class__ = _CallableModule


def barycentric_interpolate(xi: Any, yi: Any, x: Any, axis: int = 0, *, der: int = 0,
                            rng: Any = None) -> np.ndarray:
    """The polynomial of degree ``n - 1`` through ``(xi, yi)`` evaluated at `x`
    (scipy.interpolate.barycentric_interpolate): exact at the nodes and stable at high
    degree (Q21), nodes in any order. `yi` may carry more axes (one interpolant per lane of
    `axis`); the result has shape ``x.shape + yi.shape without axis``, float64. ``der > 0``
    raises ``ValueError``.

    >>> from ndkern.interpolate import barycentric_interpolate
    >>> barycentric_interpolate([0.0, 1.0, 2.0], [1.0, 3.0, 7.0], [0.5, 2.0])
    array([1.75, 7.  ])
    """
    if der != 0:
        raise refuse("barycentric_interpolate", f"der={der!r}",
                     "use der=0 (values), or scipy for derivatives")
    xa = np.asarray(xi)
    ya = np.asarray(yi)
    for v, nm in ((xa, "xi"), (ya, "yi")):
        if v.dtype.kind not in "biuf":
            raise TypeError(f"barycentric_interpolate: `{nm}` must be real, got {v.dtype}")
    xa = xa.astype(F64).ravel() if xa.ndim != 1 else xa.astype(F64)
    if ya.ndim == 0:
        raise ValueError("yi must be at least 1-D")
    ax = normalize_axis_index(int(axis), ya.ndim)
    if ya.shape[ax] != xa.shape[0]:
        raise ValueError("x and y arrays must be equal in length along interpolation axis.")
    t = np.asarray(x)
    tf = t.astype(F64) if t.dtype != F64 else t
    yy = np.moveaxis(ya.astype(F64), ax, 0)
    rest = yy.shape[1:]
    cols = yy.reshape(yy.shape[0], -1)
    outs = [_ndkern.interpolate(xa, np.ascontiguousarray(cols[:, j]), tf)
            for j in range(cols.shape[1])]
    if not rest:
        return outs[0]
    return np.stack(outs, -1).reshape(t.shape + rest)
