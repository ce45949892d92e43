"""Argument handling shared by the wrappers: scipy's casting and output rules, modes, axes."""

from __future__ import annotations

import numbers
import operator
import warnings
from collections.abc import Iterable
from typing import Any, Callable, Optional

import numpy as np

try:  # numpy >= 2
    from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import normalize_axis_index  # type: ignore[no-redef]
    from numpy.core.numeric import normalize_axis_tuple  # type: ignore[no-redef]

__all__ = [
    "ArgumentError",
    "float_array",
    "refuse",
    "normalize_axis_index",
    "normalize_axis_tuple",
]

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)

#: scipy.ndimage's filter modes and the name ndkern's kernels know them by.
FILTER_MODES = {
    "reflect": "reflect",
    "grid-mirror": "reflect",
    "constant": "constant",
    "grid-constant": "constant",
    "nearest": "nearest",
    "mirror": "mirror",
    "wrap": "wrap",
    "grid-wrap": "wrap",
}


class ArgumentError(ValueError, RuntimeError):
    """An invalid argument.

    A subclass of both ``ValueError`` and ``RuntimeError``: scipy.ndimage raises
    ``RuntimeError`` for some invalid arguments (an unknown mode, a wrong output shape, a
    sequence of the wrong length, a filter size below 1), so code written against scipy that
    catches ``RuntimeError`` keeps working, and so does code that catches ``ValueError``.
    """


def filter_mode(mode: Any) -> str:
    """One scipy mode name -> ndkern's name; ArgumentError for anything else."""
    if isinstance(mode, str) and mode in FILTER_MODES:
        return FILTER_MODES[mode]
    raise ArgumentError(
        f"boundary mode not supported: {mode!r}; use one of "
        "'reflect', 'constant', 'nearest', 'mirror', 'wrap' "
        "(or scipy's aliases 'grid-mirror', 'grid-constant', 'grid-wrap')"
    )


def normalize_sequence(value: Any, rank: int, name: str) -> list:
    """scipy's ``_normalize_sequence``: a scalar repeated ``rank`` times, or a sequence of
    exactly ``rank`` values."""
    if isinstance(value, (int, float, str)) or value is None:
        return [value] * rank
    if np.iterable(value):
        values = list(value)
        if len(values) != rank:
            raise ArgumentError(
                f"`{name}`: sequence argument must have length equal to the number of "
                f"filtered axes ({rank}), got {len(values)}"
            )
        return values
    return [value] * rank


def check_axes(axes: Any, ndim: int) -> tuple[int, ...]:
    """scipy's ``_check_axes``: None -> every axis; ints, negative counting from the end."""
    if axes is None:
        return tuple(range(ndim))
    if np.isscalar(axes):
        axes = (operator.index(axes),)
    elif isinstance(axes, Iterable):
        axes = tuple(operator.index(ax) for ax in axes)
    else:
        raise ValueError("axes must be an integer, iterable of integers, or None")
    for ax in axes:
        if ax < -ndim or ax > ndim - 1:
            raise ValueError(f"specified axis: {ax} is out of range for {ndim} dimension(s)")
    axes = tuple(ax % ndim if ax < 0 else ax for ax in axes)
    if len(set(axes)) != len(axes):
        raise ValueError("axes must be unique")
    return axes


def as_input(input: Any, name: str) -> np.ndarray:
    """The input as an array (no copy for arrays); non-numeric dtypes refused. Complex input
    is handled by the callers (real and imaginary parts filtered separately, as scipy)."""
    a = np.asarray(input)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"{name}: input must be a numeric array, got dtype {a.dtype}")
    return a


_KINDS = {"c": "complex", "biuf": "real numeric (bool, int or float)"}


def checked_out(
    out: Any,
    shape: tuple,
    name: str,
    kinds: Optional[str] = None,
    arg: str = "output",
    accepts: str = "None, a dtype or a numpy array",
) -> np.ndarray:
    """The caller's output array (scipy's ``output=``, numpy's ``out=``), checked the same way
    for every function that writes into one: a numpy array (else ``TypeError``), of ``shape``,
    of a dtype kind in ``kinds`` (None: any) and writeable (else ``ArgumentError``, a
    ``ValueError``)."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name}: {arg} must be {accepts}, got {type(out).__name__}")
    if out.shape != shape:
        raise ArgumentError(
            f"{name}: {arg} shape not correct: the result has shape {shape}, "
            f"{arg} has {out.shape}"
        )
    if kinds is not None and out.dtype.kind not in kinds:
        raise ArgumentError(
            f"{name}: {arg} dtype must be {_KINDS.get(kinds, kinds)}, got {out.dtype}"
        )
    if not out.flags.writeable:
        raise ArgumentError(f"{name}: {arg} array is read-only; pass a writeable array")
    return out


def complex_output(output: Any, a: np.ndarray, name: str) -> np.ndarray:
    """scipy's ``_get_output(output, input, complex_output=True)``."""
    if output is None:
        return np.zeros(a.shape, dtype=np.promote_types(a.dtype, np.complex64))
    if isinstance(output, (type, np.dtype, str)):
        dt = np.dtype(output)
        if dt.kind != "c":
            if isinstance(output, str):
                raise ArgumentError(f"{name}: output must have complex dtype, got {dt}")
            warnings.warn("promoting specified output dtype to complex", stacklevel=3)
            dt = np.promote_types(dt, np.complex64)
        return np.zeros(a.shape, dtype=dt)
    return checked_out(output, a.shape, name, kinds="c")


def via_components(
    f: Callable[[np.ndarray, Any, Any, Any], np.ndarray],
    a: np.ndarray,
    w: Any,
    out: np.ndarray,
    cval: Any,
) -> np.ndarray:
    """scipy's ``_complex_via_real_components``: a complex filter as real filters of the real
    and imaginary parts. ``f(x, weights, output, cval)`` is the real filter; `w` is None for
    filters without weights."""
    ci = a.dtype.kind == "c"
    cw = w is not None and w.dtype.kind == "c"
    if ci and np.may_share_memory(a, out):
        a = a.copy()
    if ci and cw:
        f(a.real, w.real, out.real, np.real(cval))
        out.real -= f(a.imag, w.imag, None, np.imag(cval))
        f(a.real, w.imag, out.imag, np.real(cval))
        out.imag += f(a.imag, w.real, None, np.imag(cval))
    elif ci:
        f(a.real, w, out.real, np.real(cval))
        f(a.imag, w, out.imag, np.imag(cval))
    else:
        if np.iscomplexobj(cval):
            raise ValueError("Cannot provide a complex-valued cval when the input is real.")
        f(a, w.real, out.real, cval)
        f(a, w.imag, out.imag, cval)
    return out


def get_output(output: Any, a: np.ndarray, name: str) -> np.ndarray:
    """scipy's ``_get_output``: None -> a new array of the input's dtype; a dtype -> a new
    array of that dtype; an array -> checked (shape, writeable, real numeric dtype)."""
    if output is None:
        # scipy: the input's dtype by name, i.e. in native byte order
        dt = a.dtype if a.dtype.isnative else a.dtype.newbyteorder("=")
        return np.empty(a.shape, dtype=dt)
    if isinstance(output, (type, np.dtype, str)):
        dt = np.dtype(output)
        if dt.kind not in "biuf":
            raise ArgumentError(
                f"{name}: output dtype must be real numeric (bool, int or float), got {dt}"
            )
        return np.empty(a.shape, dtype=dt)
    return checked_out(output, a.shape, name, kinds="biuf")


def native_float(dt: np.dtype) -> bool:
    return dt == F32 or dt == F64


def compute_plan(a: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, bool]:
    """How to compute `a` into `out`.

    Returns ``(source, direct)``: ``source`` is the float32/float64 array the kernel reads
    (``a`` itself when it is native float32/float64 of the output's type: no copy, any
    strides), and ``direct`` says whether the kernel writes straight into ``out`` (same
    float dtype) or into a float64 temporary that is cast into ``out`` (scipy computes in
    double and casts to the output dtype).
    """
    if native_float(a.dtype) and a.dtype == out.dtype:
        src, direct = a, True
    else:
        src = a.astype(F64) if a.dtype != F64 else a
        direct = out.dtype == F64
    if direct and np.may_share_memory(src, out):
        src = src.copy()
    return src, direct


def cast_into(out: np.ndarray, values: np.ndarray) -> None:
    """Stores float64 `values` into `out` the way scipy's C code does: a C cast, i.e.
    truncation toward zero for integers, and for bool (``npy_bool`` is an unsigned char)
    truncation first, then non-zero -> True."""
    if out.dtype == np.bool_:
        out[...] = np.trunc(values) != 0
    else:
        out[...] = values


def float_value(v: Any, name: str) -> float:
    if type(v) is float:
        return v
    if isinstance(v, (complex, np.complexfloating)) or np.iscomplexobj(v):
        raise TypeError(
            f"a complex `{name}` needs complex input (scipy raises here too); pass a real "
            f"`{name}`, or complex input"
        )
    return float(v)


def int_value(v: Any, name: str) -> int:
    if type(v) is int:
        return v
    if isinstance(v, numbers.Integral) or (isinstance(v, np.ndarray) and v.ndim == 0):
        return operator.index(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    raise TypeError(f"`{name}` must be an integer, got {v!r}")


def float_array(x: Any, name: str, *, keep_f32: bool = True) -> np.ndarray:
    """`x` as the float array ndkern's kernels read: float32 stays float32 (when `keep_f32`),
    float64 stays float64 (both without a copy, any strides), other real numeric dtypes are
    converted to float64; a non-native byte order is converted. Complex or non-numeric input
    raises ``TypeError``."""
    a = np.asarray(x)
    k = a.dtype.kind
    if k == "c":
        raise TypeError(f"{name}: complex input is not supported here; pass real data")
    if k not in "biuf":
        raise TypeError(f"{name}: input must be a real numeric array, got dtype {a.dtype}")
    if a.dtype == F64 or (keep_f32 and a.dtype == F32):
        return a
    if not a.dtype.isnative and k == "f" and a.dtype.itemsize in (4, 8):
        nd = a.dtype.newbyteorder("=")
        if nd == F64 or (keep_f32 and nd == F32):
            return a.astype(nd)
    return a.astype(F64)


def same_float(*arrays: np.ndarray) -> tuple:
    """The arrays in one float dtype: float32 if all are float32, else float64."""
    if all(a.dtype == F32 for a in arrays):
        return arrays
    return tuple(a if a.dtype == F64 else a.astype(F64) for a in arrays)


def refuse(func: str, what: str, instead: str) -> ValueError:
    """The ``ValueError`` for a parameter value ndkern does not compute: names the value and
    says what to use instead (raised, never a silent difference)."""
    return ValueError(f"{func}: {what} is not computed by ndkern; {instead}")


def axis_list(axis: Any, ndim: int) -> Any:
    """numpy's ``axis`` argument (None, an int, a tuple of ints) as a list of non-negative
    ints, None for None; numpy's ``AxisError``/``ValueError`` for a bad one. Plain ints and
    tuples of ints take a fast path (a small call spends most of its time here otherwise)."""
    if axis is None:
        return None
    if type(axis) is int:
        return [normalize_axis_index(axis, ndim)]
    if type(axis) is tuple:
        axes = [normalize_axis_index(ax, ndim) for ax in axis]
        if len(set(axes)) == len(axes):
            return axes
    return list(normalize_axis_tuple(axis, ndim))


def axis_tuple(axes: Any, ndim: int) -> tuple:
    """numpy's axes argument (None: all; an int; a sequence) as non-negative ints."""
    if axes is None:
        return tuple(range(ndim))
    return normalize_axis_tuple(axes, ndim)
