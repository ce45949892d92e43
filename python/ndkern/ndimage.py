"""scipy.ndimage's linear filters, keyword for keyword, computed by ndkern.

Every function here has the name, signature and defaults of its scipy.ndimage namesake and
returns the same values (within ~1e-15 relative in float64, ~1e-6 in float32):

* ``uniform_filter``, ``uniform_filter1d``: box means (running sums, O(1) per sample);
* ``gaussian_filter``, ``gaussian_filter1d``: the exact separable FIR Gaussian (and its
  derivatives of order 1..3);
* ``correlate``, ``convolve``, ``correlate1d``, ``convolve1d``: arbitrary kernels (rank-1 N-d
  kernels run as 1-D passes).

Arrays and dtypes, as scipy:

* float32 input is filtered in float32 (sums of box filters are accumulated in float64),
  float64 in float64; the input is read in place whatever its strides (negative, Fortran,
  non-contiguous views: no copy).
* The result has the input's dtype unless ``output`` says otherwise (a dtype or an array),
  also for integer and bool input: like scipy, ndkern then computes in float64 and casts to
  the output dtype (C truncation toward zero for integers), and multi-axis filters store every
  1-D pass in the output dtype, exactly as scipy does. Complex input or weights are filtered
  as scipy does it: real filters of the real and imaginary parts (complex64 parts in float32,
  complex128 in float64), correlation conjugating complex weights.
* ``output=array`` writes into that array (any strides) and returns it; it may be the input
  itself (in-place filtering works as in scipy).

Errors: invalid arguments raise :class:`ndkern.ArgumentError` (a subclass of both
``ValueError`` and the ``RuntimeError`` scipy raises for bad modes, output shapes and sequence
lengths), ``numpy.exceptions.AxisError`` for an axis out of range, ``ValueError`` for invalid
origins or radii. Gaussian derivative orders above 3 use scipy's kernel weights through
ndkern's ``correlate1d``.

The GIL is released during the computation, which runs on ndkern's thread pool
(:func:`ndkern.set_num_threads`).
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from . import _ndkern
from ._support import (
    F64,
    ArgumentError,
    as_input,
    cast_into,
    check_axes,
    complex_output,
    compute_plan,
    filter_mode,
    float_value,
    get_output,
    int_value,
    native_float,
    normalize_axis_index,
    normalize_sequence,
    via_components,
)

__all__ = [
    "convolve",
    "convolve1d",
    "correlate",
    "correlate1d",
    "gaussian_filter",
    "gaussian_filter1d",
    "uniform_filter",
    "uniform_filter1d",
]

ArrayLike = Any
Output = Union[None, np.ndarray, type, np.dtype, str]
Mode = Union[str, Sequence[str]]

# One 1-D pass of a separable filter: (axis, mode name, per-pass parameters).
_Pass = tuple


def _run(
    name: str,
    a: np.ndarray,
    out: np.ndarray,
    passes: list,
    fused: Callable[[np.ndarray, np.ndarray], None],
    single: Callable[[np.ndarray, np.ndarray, Any], None],
    cval: float,
) -> np.ndarray:
    """Runs a separable filter of `passes` (each ``(axis, mode, ...)``) from `a` into `out`.

    With one mode for all passes and a float32/float64 output, the whole filter is one fused
    ndkern call (`fused`, which filters the axes in increasing order). Otherwise (modes per
    axis, an integer/bool/float16 output, or `axes` out of order with a non-zero constant
    border, where the order of the passes changes the result) the passes run one after the
    other like scipy's, each stored in the output dtype (`single`).
    """
    if not passes:
        out[...] = a
        return out
    if a.size == 0:
        return out
    in_order = all(p[0] < q[0] for p, q in zip(passes, passes[1:]))
    if (
        native_float(out.dtype)
        and len({p[1] for p in passes}) == 1
        and (in_order or passes[0][1] != "constant" or cval == 0.0)
    ):
        src, direct = compute_plan(a, out)
        dst = out if direct else np.empty(a.shape, F64)
        fused(src, dst)
        if not direct:
            cast_into(out, dst)
        return out
    cur = a
    for p in passes:
        src, direct = compute_plan(cur, out)
        dst = out if direct else np.empty(a.shape, F64)
        single(src, dst, p)
        if not direct:
            cast_into(out, dst)
        cur = out
    return out


def _single_pass(
    a: np.ndarray, out: np.ndarray, call: Callable[[np.ndarray, np.ndarray], None]
) -> np.ndarray:
    """A one-pass filter: computed in the input's float type, or in float64 and cast."""
    if a.size == 0:
        return out
    src, direct = compute_plan(a, out)
    dst = out if direct else np.empty(a.shape, F64)
    call(src, dst)
    if not direct:
        cast_into(out, dst)
    return out


# ---------------------------------------------------------------------------------------------
# Box filters


def uniform_filter1d(
    input: ArrayLike,
    size: int,
    axis: int = -1,
    output: Output = None,
    mode: str = "reflect",
    cval: float = 0.0,
    origin: int = 0,
) -> np.ndarray:
    """The mean over a window of `size` samples along `axis` (scipy.ndimage.uniform_filter1d).

    Running sums: O(1) work per sample whatever the size; float32 input is summed in float64
    and rounded once.

    Parameters are scipy's: `size` >= 1 (``ArgumentError`` otherwise), `mode` one of
    'reflect', 'constant', 'nearest', 'mirror', 'wrap' (and scipy's 'grid-*' aliases),
    `cval` the value outside the array for 'constant', `origin` shifts the window
    (``-(size // 2) <= origin <= (size - 1) // 2``, ``ValueError`` otherwise).

    >>> import numpy as np
    >>> from ndkern.ndimage import uniform_filter1d
    >>> uniform_filter1d(np.array([2.0, 8.0, 0.0, 4.0, 1.0, 9.0, 9.0, 0.0]), size=3)
    array([4.        , 3.33333333, 4.        , 1.66666667, 4.66666667,
           6.33333333, 6.        , 3.        ])
    >>> uniform_filter1d([2, 8, 0, 4, 1, 9, 9, 0], size=3)  # ints stay ints, as scipy
    array([4, 3, 4, 1, 4, 6, 6, 3])
    """
    a = as_input(input, "uniform_filter1d")
    if a.dtype.kind == "c":
        return via_components(
            lambda x, _, o, c: uniform_filter1d(x, size, axis, o, mode, c, origin),
            a, None, complex_output(output, a, "uniform_filter1d"), cval,
        )
    axis = normalize_axis_index(int_value(axis, "axis"), a.ndim)
    size = int_value(size, "size")
    if size < 1:
        raise ArgumentError(f"incorrect filter size {size}: the window size must be >= 1")
    origin = int_value(origin, "origin")
    if size // 2 + origin < 0 or size // 2 + origin >= size:
        raise ValueError(
            f"invalid origin {origin} for size {size}: use "
            f"{-(size // 2)} <= origin <= {(size - 1) // 2}"
        )
    out = get_output(output, a, "uniform_filter1d")
    m = filter_mode(mode)
    cv = float_value(cval, "cval")
    return _single_pass(
        a, out, lambda s, d: _ndkern.uniform_filter1d(s, size, axis, m, cv, origin, d)
    )


def uniform_filter(
    input: ArrayLike,
    size: Union[int, Sequence[int]] = 3,
    output: Output = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0,
    *,
    axes: Optional[Union[int, Sequence[int]]] = None,
) -> np.ndarray:
    """Multidimensional box mean (scipy.ndimage.uniform_filter).

    `size`, `origin` and `mode`: one value for all filtered axes or one per axis (of `axes`
    when given; other axes are left alone). Axes with size <= 1 are skipped, as scipy does.
    The separable passes run as one fused sweep when all modes agree.

    >>> import numpy as np
    >>> from ndkern.ndimage import uniform_filter
    >>> a = np.arange(12.0).reshape(3, 4)
    >>> uniform_filter(a, size=3, mode="nearest")
    array([[1.66666667, 2.33333333, 3.33333333, 4.        ],
           [4.33333333, 5.        , 6.        , 6.66666667],
           [7.        , 7.66666667, 8.66666667, 9.33333333]])
    >>> uniform_filter(a, size=2, mode="wrap", axes=1)[0]  # only along axis 1
    array([1.5, 0.5, 1.5, 2.5])
    """
    a = as_input(input, "uniform_filter")
    if a.dtype.kind == "c":
        return via_components(
            lambda x, _, o, c: uniform_filter(x, size, o, mode, c, origin, axes=axes),
            a, None, complex_output(output, a, "uniform_filter"), cval,
        )
    out = get_output(output, a, "uniform_filter")
    ax = check_axes(axes, a.ndim)
    sizes = normalize_sequence(size, len(ax), "size")
    origins = normalize_sequence(origin, len(ax), "origin")
    modes = normalize_sequence(mode, len(ax), "mode")
    cv = float_value(cval, "cval")
    passes = []
    for i, axis in enumerate(ax):
        s = int(sizes[i])
        if s > 1:
            o = int_value(origins[i], "origin")
            if s // 2 + o < 0 or s // 2 + o >= s:
                raise ValueError(
                    f"invalid origin {o} for size {s} on axis {axis}: use "
                    f"{-(s // 2)} <= origin <= {(s - 1) // 2}"
                )
            passes.append((axis, filter_mode(modes[i]), s, o))

    def fused(src: np.ndarray, dst: np.ndarray) -> None:
        full_sizes = [1] * a.ndim
        full_origins = [0] * a.ndim
        for axis, _, s, o in passes:
            full_sizes[axis] = s
            full_origins[axis] = o
        _ndkern.uniform_filter(src, full_sizes, passes[0][1], cv, full_origins, dst)

    def single(src: np.ndarray, dst: np.ndarray, p: _Pass) -> None:
        axis, m, s, o = p
        _ndkern.uniform_filter1d(src, s, axis, m, cv, o, dst)

    return _run("uniform_filter", a, out, passes, fused, single, cv)


# ---------------------------------------------------------------------------------------------
# Gaussian filters


def _gauss_radius(sigma: float, truncate: float, radius: Any) -> int:
    if radius is None:
        lw = int(float(truncate) * sigma + 0.5)
    else:
        lw = radius
    if not isinstance(lw, numbers.Integral) or lw < 0:
        raise ValueError(f"Radius must be a nonnegative integer, got {lw!r}.")
    return int(lw)


def _gauss_order(order: Any) -> int:
    order = int_value(order, "order")
    if order < 0:
        raise ValueError(f"order must be non-negative, got {order}")
    return order


def _gaussian_kernel1d(sigma: float, order: int, radius: int) -> np.ndarray:
    """scipy's ``_gaussian_kernel1d``: the sampled, normalized Gaussian's derivative of
    `order` (used for orders above 3, which ndkern's fused kernels do not cover)."""
    exponent_range = np.arange(order + 1)
    sigma2 = sigma * sigma
    x = np.arange(-radius, radius + 1)
    phi_x = np.exp(-0.5 / sigma2 * x**2)
    phi_x = phi_x / phi_x.sum()
    if order == 0:
        return phi_x
    q = np.zeros(order + 1)
    q[0] = 1
    D = np.diag(exponent_range[1:], 1)  # D @ q(x) = q'(x)
    P = np.diag(np.ones(order) / -sigma2, -1)  # P @ q(x) = q(x) * p'(x)
    Q_deriv = D + P
    for _ in range(order):
        q = Q_deriv.dot(q)
    q = (x[:, None] ** exponent_range).dot(q)
    return q * phi_x


def _gauss_pass(src, dst, sigma, axis, order, mode, cval, radius) -> None:
    """One Gaussian pass: ndkern's kernel for orders 0..3, scipy's kernel weights through
    ndkern's correlate1d above that."""
    if order <= 3:
        _ndkern.gaussian_filter1d(src, sigma, axis, order, mode, cval, 4.0, radius, dst)
    else:
        w = [float(v) for v in _gaussian_kernel1d(sigma, order, radius)[::-1]]
        _ndkern.correlate1d(src, w, axis, mode, cval, 0, dst, False)


def gaussian_filter1d(
    input: ArrayLike,
    sigma: float,
    axis: int = -1,
    order: int = 0,
    output: Output = None,
    mode: str = "reflect",
    cval: float = 0.0,
    truncate: float = 4.0,
    *,
    radius: Optional[int] = None,
) -> np.ndarray:
    """1-D Gaussian filter (scipy.ndimage.gaussian_filter1d): the exact FIR kernel of radius
    ``int(truncate * sigma + 0.5)`` (or `radius`), order 0 (smoothing) or 1..3 (derivatives).

    `sigma` must be > 0 (scipy divides by zero at 0; ndkern raises ``ValueError``); a negative
    radius, or one from a negative sigma, raises ``ValueError`` as in scipy; orders above 3
    run scipy's kernel weights through ndkern's correlate1d.

    >>> from ndkern.ndimage import gaussian_filter1d
    >>> gaussian_filter1d([1.0, 2.0, 3.0, 4.0, 5.0], 1)
    array([1.42704095, 2.06782203, 3.        , 3.93217797, 4.57295905])
    >>> gaussian_filter1d([1.0, 2.0, 3.0, 4.0, 5.0], 4)
    array([2.91948343, 2.95023502, 3.        , 3.04976498, 3.08051657])
    """
    a = as_input(input, "gaussian_filter1d")
    if a.dtype.kind == "c":
        return via_components(
            lambda x, _, o, c: gaussian_filter1d(
                x, sigma, axis, order, o, mode, c, truncate, radius=radius
            ),
            a, None, complex_output(output, a, "gaussian_filter1d"), cval,
        )
    axis = normalize_axis_index(int_value(axis, "axis"), a.ndim)
    sd = float(sigma)
    r = _gauss_radius(sd, truncate, radius)
    o = _gauss_order(order)
    out = get_output(output, a, "gaussian_filter1d")
    m = filter_mode(mode)
    cv = float_value(cval, "cval")
    if sd == 0.0:
        raise ValueError("gaussian_filter1d: sigma must be > 0 (scipy divides by zero here)")
    return _single_pass(
        a,
        out,
        lambda s, d: _gauss_pass(s, d, abs(sd), axis, o, m, cv, r),
    )


def gaussian_filter(
    input: ArrayLike,
    sigma: Union[float, Sequence[float]],
    order: Union[int, Sequence[int]] = 0,
    output: Output = None,
    mode: Mode = "reflect",
    cval: float = 0.0,
    truncate: float = 4.0,
    *,
    radius: Optional[Union[int, Sequence[int]]] = None,
    axes: Optional[Union[int, Sequence[int]]] = None,
) -> np.ndarray:
    """Multidimensional Gaussian filter (scipy.ndimage.gaussian_filter).

    `sigma`, `order`, `mode` and `radius`: one value or one per filtered axis (of `axes` when
    given). Axes with ``sigma <= 1e-15`` (zero or negative included) are skipped, as scipy does.
    The passes run as one fused sweep when all modes agree.

    >>> import numpy as np
    >>> from ndkern.ndimage import gaussian_filter
    >>> a = np.arange(50, step=2).reshape((5, 5))
    >>> gaussian_filter(a, sigma=1)  # integer input: integer output, as scipy
    array([[ 4,  6,  8,  9, 11],
           [10, 12, 14, 15, 17],
           [20, 22, 24, 25, 27],
           [29, 31, 33, 34, 36],
           [35, 37, 39, 40, 42]])
    >>> g = gaussian_filter(np.eye(5), sigma=(1.0, 0.5), mode="constant", truncate=3.0)
    >>> g.dtype, round(float(g.sum()), 6)
    (dtype('float64'), 4.123511)
    """
    a = as_input(input, "gaussian_filter")
    if a.dtype.kind == "c":
        return via_components(
            lambda x, _, o, c: gaussian_filter(
                x, sigma, order, o, mode, c, truncate, radius=radius, axes=axes
            ),
            a, None, complex_output(output, a, "gaussian_filter"), cval,
        )
    out = get_output(output, a, "gaussian_filter")
    ax = check_axes(axes, a.ndim)
    n = len(ax)
    orders = normalize_sequence(order, n, "order")
    sigmas = normalize_sequence(sigma, n, "sigma")
    modes = normalize_sequence(mode, n, "mode")
    radii = normalize_sequence(radius, n, "radius")
    cv = float_value(cval, "cval")
    passes = []
    for i, axis in enumerate(ax):
        s = float(sigmas[i])
        if s > 1e-15:
            passes.append(
                (
                    axis,
                    filter_mode(modes[i]),
                    s,
                    _gauss_order(orders[i]),
                    _gauss_radius(s, truncate, radii[i]),
                )
            )

    def fused(src: np.ndarray, dst: np.ndarray) -> None:
        if any(p[3] > 3 for p in passes):
            # orders above 3 run as separate passes (scipy's kernels, ndkern's correlate1d)
            tmp = np.empty_like(dst) if len(passes) > 1 else dst
            cur = src
            for i, p in enumerate(passes):
                tgt = dst if (len(passes) - i) % 2 == 1 else tmp
                single(cur, tgt, p)
                cur = tgt
            return
        full_s = [0.0] * a.ndim
        full_o = [0] * a.ndim
        full_r = [0] * a.ndim
        for axis, _, s, o, r in passes:
            full_s[axis], full_o[axis], full_r[axis] = s, o, r
        _ndkern.gaussian_filter(src, full_s, full_o, passes[0][1], cv, 4.0, full_r, dst)

    def single(src: np.ndarray, dst: np.ndarray, p: _Pass) -> None:
        axis, m, s, o, r = p
        _gauss_pass(src, dst, s, axis, o, m, cv, r)

    return _run("gaussian_filter", a, out, passes, fused, single, cv)


# ---------------------------------------------------------------------------------------------
# Correlation and convolution


def _weights(weights: ArrayLike, name: str) -> np.ndarray:
    w = np.asarray(weights)
    if w.dtype.kind == "c":
        return np.asarray(w, dtype=np.complex128)
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{name}: weights must be numeric, got dtype {w.dtype}")
    return np.asarray(w, dtype=F64)


def _correlate1d(
    name: str,
    input: ArrayLike,
    weights: ArrayLike,
    axis: int,
    output: Output,
    mode: str,
    cval: float,
    origin: int,
    convolve: bool,
) -> np.ndarray:
    a = as_input(input, name)
    w = _weights(weights, name)
    if a.dtype.kind == "c" or w.dtype.kind == "c":
        # as scipy: correlation conjugates complex weights, convolution does not
        wc = w.conj() if (w.dtype.kind == "c" and not convolve) else w
        return via_components(
            lambda x, ww, o, c: _correlate1d(name, x, ww, axis, o, mode, c, origin, convolve),
            a, wc, complex_output(output, a, name), cval,
        )
    if w.ndim != 1 or w.shape[0] < 1:
        raise ArgumentError(f"{name}: no filter weights given (need a non-empty 1-D sequence)")
    axis = normalize_axis_index(int_value(axis, "axis"), a.ndim)
    origin = int_value(origin, "origin")
    out = get_output(output, a, name)
    m = filter_mode(mode)
    cv = float_value(cval, "cval")
    wl = [float(x) for x in w]
    return _single_pass(
        a, out, lambda s, d: _ndkern.correlate1d(s, wl, axis, m, cv, origin, d, convolve)
    )


def correlate1d(
    input: ArrayLike,
    weights: ArrayLike,
    axis: int = -1,
    output: Output = None,
    mode: str = "reflect",
    cval: float = 0.0,
    origin: int = 0,
) -> np.ndarray:
    """1-D correlation along `axis` (scipy.ndimage.correlate1d):
    ``out[i] = sum_j weights[j] * input[i + j - len(weights) // 2 - origin]``.

    >>> from ndkern.ndimage import correlate1d
    >>> correlate1d([2, 8, 0, 4, 1, 9, 9, 0], weights=[1, 3])
    array([ 8, 26,  8, 12,  7, 28, 36,  9])
    >>> correlate1d([1.0, 2.0, 4.0, 8.0], [-1.0, 0.0, 1.0], mode="nearest")
    array([1., 3., 6., 4.])
    """
    return _correlate1d("correlate1d", input, weights, axis, output, mode, cval, origin, False)


def convolve1d(
    input: ArrayLike,
    weights: ArrayLike,
    axis: int = -1,
    output: Output = None,
    mode: str = "reflect",
    cval: float = 0.0,
    origin: int = 0,
) -> np.ndarray:
    """1-D convolution along `axis` (scipy.ndimage.convolve1d): correlation with the
    reversed kernel, scipy's origin convention for even lengths.

    >>> from ndkern.ndimage import convolve1d
    >>> convolve1d([2, 8, 0, 4, 1, 9, 9, 0], weights=[1, 3])
    array([14, 24,  4, 13, 12, 36, 27,  0])
    """
    return _correlate1d("convolve1d", input, weights, axis, output, mode, cval, origin, True)


def _correlate_nd(
    name: str,
    input: ArrayLike,
    weights: ArrayLike,
    output: Output,
    mode: Any,
    cval: float,
    origin: Any,
    axes: Any,
    convolve: bool,
) -> np.ndarray:
    a = as_input(input, name)
    w = _weights(weights, name)
    if a.dtype.kind == "c" or w.dtype.kind == "c":
        wc = w.conj() if (w.dtype.kind == "c" and not convolve) else w
        return via_components(
            lambda x, ww, o, c: _correlate_nd(name, x, ww, o, mode, c, origin, axes, convolve),
            a, wc, complex_output(output, a, name), cval,
        )
    ax = check_axes(axes, a.ndim)
    if len(ax) < a.ndim:
        if w.ndim != len(ax):
            raise ArgumentError(
                f"{name}: weights.ndim ({w.ndim}) must match len(axes) ({len(ax)})"
            )
        w = np.expand_dims(w, tuple(i for i in range(a.ndim) if i not in ax))
    origins_ax = [int_value(o, "origin") for o in normalize_sequence(origin, len(ax), "origin")]
    if len(ax) < a.ndim:
        origins = [0] * a.ndim
        for o, axis in zip(origins_ax, ax):
            origins[axis] = o
    else:
        # scipy: with every axis listed, origins go with the weights' axes in order
        # (whatever the order of `axes`)
        origins = origins_ax
    wshape = [s for s in w.shape if s > 0]
    if len(wshape) != a.ndim:
        raise ArgumentError(
            f"{name}: weights.ndim ({len(wshape)} non-empty axes) must match the input's "
            f"{a.ndim} dimension(s) (len(axes) = {len(ax)})"
        )
    for o, lw in zip(origins, w.shape):
        oo = (-o - (0 if lw & 1 else 1)) if convolve else o
        if oo < -(lw // 2) or oo > (lw - 1) // 2:
            raise ValueError(
                "Invalid origin; origin must satisfy -(weights.shape[k] // 2) <= origin[k] "
                f"<= (weights.shape[k]-1) // 2, got origin {o} for a kernel axis of length {lw}"
            )
    if not isinstance(mode, str) and isinstance(mode, (list, tuple)):
        raise ArgumentError(f"{name}: a sequence of modes is not supported")
    m = filter_mode(mode)
    out = get_output(output, a, name)
    cv = float_value(cval, "cval")
    return _single_pass(
        a, out, lambda s, d: _ndkern.correlate(s, w, m, cv, origins, d, convolve)
    )


def correlate(
    input: ArrayLike,
    weights: ArrayLike,
    output: Output = None,
    mode: str = "reflect",
    cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0,
    *,
    axes: Optional[Union[int, Sequence[int]]] = None,
) -> np.ndarray:
    """Multidimensional correlation (scipy.ndimage.correlate): `weights` has one axis per
    input axis (or per entry of `axes`). Rank-1 kernels run as separable 1-D passes.

    >>> import numpy as np
    >>> from ndkern.ndimage import correlate
    >>> a = np.arange(25).reshape(5, 5)
    >>> correlate(a, [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    array([[  6,  10,  15,  20,  24],
           [ 26,  30,  35,  40,  44],
           [ 51,  55,  60,  65,  69],
           [ 76,  80,  85,  90,  94],
           [ 96, 100, 105, 110, 114]])
    """
    return _correlate_nd("correlate", input, weights, output, mode, cval, origin, axes, False)


def convolve(
    input: ArrayLike,
    weights: ArrayLike,
    output: Output = None,
    mode: str = "reflect",
    cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0,
    *,
    axes: Optional[Union[int, Sequence[int]]] = None,
) -> np.ndarray:
    """Multidimensional convolution (scipy.ndimage.convolve): correlation with the kernel
    flipped on every axis, scipy's origin convention.

    >>> import numpy as np
    >>> from ndkern.ndimage import convolve
    >>> a = np.array([[1, 2, 0, 0], [5, 3, 0, 4], [0, 0, 0, 7], [9, 3, 0, 0]])
    >>> k = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]])
    >>> convolve(a, k, mode="constant", cval=0.0)
    array([[11, 10,  7,  4],
           [10,  3, 11, 11],
           [15, 12, 14,  7],
           [12,  3,  7,  0]])
    """
    return _correlate_nd("convolve", input, weights, output, mode, cval, origin, axes, True)
