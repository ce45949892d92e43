"""numpy's axis reductions (``sum``, ``mean``, ``var``, ``std``, ``min``, ``max``,
``count_nonzero``) computed by ndkern.

float32 and float64 arrays are reduced by ndkern in place (any strides, no copy), with float64
accumulation (numpy's float32 sums along strided axes lose digits; these do not) and a
corrected two-pass variance. Other dtypes follow numpy exactly: integer and bool input of
``mean``/``var``/``std`` is reduced in float64 (numpy's result dtype), while ``sum``, ``min``,
``max`` and ``count_nonzero`` of non-float input (and everything complex or float16) are handed
to numpy itself, so their integer results stay exact. numpy's further keywords (``initial``,
``where``, ``mean``, ``correction``) are accepted and, when given, the call is numpy's.
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _ndkern
from ._support import F32, F64, axis_list, checked_out, native_float

__all__ = ["count_nonzero", "max", "mean", "min", "std", "sum", "var"]

Axis = Optional[Union[int, Sequence[int]]]


class _Unset:
    """Marks a numpy keyword that was not given (numpy's own ``np._NoValue`` is private)."""

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


def _extra(**kw: Any) -> Optional[dict]:
    """The numpy-only keywords that were given (initial, where, mean, correction), or None."""
    given = {k: v for k, v in kw.items() if v is not _UNSET}
    return given or None


def _finish(r: np.ndarray, out: Any, name: str) -> Any:
    checked_out(out, r.shape, name, arg="out", accepts="None or a numpy array")[...] = r
    return out


def _reduce(
    op: str,
    np_func: Any,
    a: Any,
    axis: Axis,
    dtype: Any,
    out: Any,
    keepdims: bool,
    ddof: Any = 0,
    float_for_ints: bool = False,
    extra: Optional[dict] = None,
) -> Any:
    # The small-call path (Q7: a few us of work) is kept lean: exact-type and identity checks
    # first, the general ones only when those fail (BENCHMARKS.md, "The Python door").
    x = a if type(a) is np.ndarray else np.asarray(a)
    if extra:
        # numpy keywords ndkern does not compute (initial, where, mean, correction): numpy
        return _numpy(np_func, op, x, axis, dtype, out, keepdims, ddof, extra)
    if dtype is not None:
        dt = np.dtype(dtype)
        if not native_float(dt):
            return _numpy(np_func, op, x, axis, dtype, out, keepdims, ddof)
        x = x.astype(dt, copy=False)
    dt = x.dtype
    if dt is not F64 and dt is not F32 and not native_float(dt):
        if float_for_ints and dt.kind in "biu":
            x = x.astype(F64)
        else:
            return _numpy(np_func, op, x, axis, dtype, out, keepdims, ddof)
    axes = axis_list(axis, x.ndim)
    if op == "var" or op == "std":
        if type(ddof) is not int and (isinstance(ddof, bool) or not float(ddof).is_integer()):
            return _numpy(np_func, op, x, axis, dtype, out, keepdims, ddof)
        if ddof < 0:
            return _numpy(np_func, op, x, axis, dtype, out, keepdims, ddof)
        if axes is None:
            count = x.size
        elif len(axes) == 1:
            count = x.shape[axes[0]]
        else:
            count = math.prod(x.shape[i] for i in axes)
        if ddof >= count:
            # numpy divides by max(n - ddof, 0) and warns: leave that case to numpy.
            return _numpy(np_func, op, x, axis, dtype, out, keepdims, ddof)
        ddof = int(ddof)
    else:
        ddof = 0
    r = _ndkern.reduce(op, x, axes, keepdims is True or bool(keepdims), ddof)
    if out is not None:
        return _finish(r, out, op)
    if r.ndim == 0:
        return r[()]
    return r


def _numpy(
    np_func: Any,
    op: str,
    x: np.ndarray,
    axis: Axis,
    dtype: Any,
    out: Any,
    keepdims: bool,
    ddof: Any,
    extra: Optional[dict] = None,
) -> Any:
    kw: dict = {"axis": axis, "keepdims": keepdims, **(extra or {})}
    if op in ("sum", "mean", "var", "std"):
        kw["dtype"] = dtype
    if op in ("var", "std"):
        kw["ddof"] = ddof
    if out is not None:
        kw["out"] = out
    return np_func(x, **kw)


def sum(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    initial: Any = _UNSET,
    where: Any = _UNSET,
) -> Any:
    """Sum over `axis` (numpy.sum): None for all, an int, or a tuple of ints.

    float32/float64 sums are accumulated in float64 and returned in the input's type.

    >>> import numpy as np
    >>> import ndkern
    >>> a = np.arange(6.0).reshape(2, 3)
    >>> ndkern.sum(a, axis=0)
    array([3., 5., 7.])
    >>> ndkern.sum(a, axis=(0, 1), keepdims=True)
    array([[15.]])
    >>> print(ndkern.sum(a))
    15.0
    """
    extra = None if initial is _UNSET and where is _UNSET else _extra(initial=initial, where=where)
    return _reduce("sum", np.sum, a, axis, dtype, out, keepdims, extra=extra)


def mean(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    *,
    where: Any = _UNSET,
) -> Any:
    """Arithmetic mean over `axis` (numpy.mean); integer input gives float64, as numpy.

    >>> import numpy as np
    >>> import ndkern
    >>> ndkern.mean(np.array([[1.0, 2.0], [3.0, 5.0]]), axis=1)
    array([1.5, 4. ])
    >>> print(ndkern.mean([1, 2, 4]))
    2.3333333333333335
    """
    extra = None if where is _UNSET else _extra(where=where)
    return _reduce(
        "mean", np.mean, a, axis, dtype, out, keepdims, float_for_ints=True, extra=extra,
    )


def var(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = _UNSET,
    mean: Any = _UNSET,
    correction: Any = _UNSET,
) -> Any:
    """Variance over `axis` with `ddof` delta degrees of freedom (numpy.var): a corrected
    two-pass variance in float64, exact on data with a large offset.

    >>> import numpy as np
    >>> import ndkern
    >>> x = 1e9 + np.array([1.0, 2.0, 3.0, 4.0])
    >>> print(ndkern.var(x, ddof=1))
    1.6666666666666667
    >>> ndkern.var(np.arange(8.0).reshape(2, 4), axis=-1)
    array([1.25, 1.25])
    """
    extra = (
        None
        if where is _UNSET and mean is _UNSET and correction is _UNSET
        else _extra(where=where, mean=mean, correction=correction)
    )
    return _reduce(
        "var", np.var, a, axis, dtype, out, keepdims, ddof, float_for_ints=True, extra=extra,
    )


def std(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = _UNSET,
    mean: Any = _UNSET,
    correction: Any = _UNSET,
) -> Any:
    """Standard deviation over `axis` (numpy.std): the square root of :func:`var`.

    >>> import numpy as np
    >>> import ndkern
    >>> print(ndkern.std(np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])))
    2.0
    """
    extra = (
        None
        if where is _UNSET and mean is _UNSET and correction is _UNSET
        else _extra(where=where, mean=mean, correction=correction)
    )
    return _reduce(
        "std", np.std, a, axis, dtype, out, keepdims, ddof, float_for_ints=True, extra=extra,
    )


def min(
    a: Any,
    axis: Axis = None,
    out: Any = None,
    keepdims: bool = False,
    initial: Any = _UNSET,
    where: Any = _UNSET,
) -> Any:
    """Minimum over `axis` (numpy.min): NaN if a reduced element is NaN; ``ValueError`` for
    an empty selection, as numpy.

    >>> import numpy as np
    >>> import ndkern
    >>> ndkern.min(np.array([[1.0, -2.0], [3.0, 0.5]]), axis=0)
    array([ 1., -2.])
    """
    extra = None if initial is _UNSET and where is _UNSET else _extra(initial=initial, where=where)
    return _reduce("min", np.min, a, axis, None, out, keepdims, extra=extra)


def max(
    a: Any,
    axis: Axis = None,
    out: Any = None,
    keepdims: bool = False,
    initial: Any = _UNSET,
    where: Any = _UNSET,
) -> Any:
    """Maximum over `axis` (numpy.max).

    >>> import numpy as np
    >>> import ndkern
    >>> ndkern.max(np.array([[1.0, -2.0], [3.0, 0.5]]), axis=1, keepdims=True)
    array([[1.],
           [3.]])
    """
    extra = None if initial is _UNSET and where is _UNSET else _extra(initial=initial, where=where)
    return _reduce("max", np.max, a, axis, None, out, keepdims, extra=extra)


def count_nonzero(a: Any, axis: Axis = None, *, keepdims: bool = False) -> Any:
    """Number of non-zero elements over `axis` (numpy.count_nonzero); NaN counts as
    non-zero. An int for ``axis=None`` (without keepdims), else an int64 array.

    >>> import numpy as np
    >>> import ndkern
    >>> a = np.array([[0.0, 1.0, np.nan], [0.0, 0.0, 2.0]])
    >>> ndkern.count_nonzero(a, axis=1)
    array([2, 1])
    >>> ndkern.count_nonzero(a)
    3
    """
    x = np.asarray(a)
    if not native_float(x.dtype):
        return np.count_nonzero(x, axis=axis, keepdims=keepdims)
    r = _ndkern.reduce("count_nonzero", x, axis_list(axis, x.ndim), bool(keepdims), 0)
    if r.ndim == 0:
        return builtins.int(r[()])
    return r
