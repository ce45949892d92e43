"""dask-image's ``ndfilters`` names and signatures, computed by ndkern chunk by chunk.

A dask-image user switches with one line::

    from ndkern.dask import ndfilters        # was: from dask_image import ndfilters

Every function takes a ``dask.array`` (or anything ``dask.array.asarray`` takes) and returns a
lazy ``dask.array`` with the input's chunks, whose values equal the single-machine ndkern call
(``ndkern.ndimage``, hence scipy.ndimage) on the whole array, within float rounding, for every
border mode — ``reflect``, ``nearest``, ``mirror``, ``constant`` (with any ``cval``) and
``wrap`` — whatever the chunking: uneven chunks and chunks smaller than the filter's halo
included. How: the halo of every chunk is the filter's exact reach (its radius, shifted by its
origin), and the positions outside the array are filled once, on the whole array, by the
mode's own rule (see :mod:`ndkern.dask._halo`), never by running the mode per chunk (which is
what breaks ``wrap`` in dask-image, whose chunks each wrap onto themselves).

Parameters are scipy.ndimage's (dask-image's subset, plus ``radius``, ``axes`` and an
``output`` dtype as keywords). Invalid arguments raise at call time, as the eager function
would. The result's dtype and ``meta`` are what the single-machine call returns (the input's
dtype unless ``output`` says otherwise, float64 for integer input of ``local_mean_var`` and
``window_sum``).

Each chunk runs the single-machine ndkern filter on its window: on a dask.distributed worker,
ndkern's pool is sized to the worker's threads (one thread with ``threads_per_worker=1``), so
dask supplies the parallelism.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np

import dask.array as da

import ndkern
from ndkern import ndimage as _ndi
from ndkern._support import (
    ArgumentError,
    check_axes,
    filter_mode,
    normalize_axis_index,
    normalize_axis_tuple,
    normalize_sequence,
)

from ._halo import chunked

__all__ = [
    "convolve",
    "convolve1d",
    "correlate",
    "correlate1d",
    "gaussian_filter",
    "gaussian_filter1d",
    "gaussian_filter_recursive",
    "gaussian_gradient_magnitude",
    "gaussian_laplace",
    "gradient",
    "hessian_eigvalsh",
    "laplace",
    "local_mean_var",
    "prewitt",
    "sobel",
    "uniform_filter",
    "uniform_filter1d",
    "window_sum",
]

Depth = List[Tuple[int, int]]


# ---------------------------------------------------------------------------------------------
# shared argument handling


def _as_dask(image: Any) -> Any:
    if isinstance(image, da.Array):
        return image
    return da.asarray(image)


def _out_dtype(output: Any, name: str) -> Any:
    """``output``: None or a dtype (an array cannot be written into lazily)."""
    if output is None:
        return None
    if isinstance(output, np.ndarray) or hasattr(output, "__array__") and not isinstance(
        output, (type, np.dtype, str)
    ):
        raise TypeError(
            f"ndkern.dask {name}: `output` must be None or a dtype (the result is a new lazy "
            "dask array; store it with dask.array.store to write into an existing array)"
        )
    return np.dtype(output)


def _probe(x: Any, call: Any) -> np.dtype:
    """Runs the single-machine call on a one-element array of `x`'s dtype: raises what the
    eager call raises for these arguments, and gives the result's dtype."""
    sample = np.zeros((1,) * x.ndim, dtype=x.dtype)
    r = call(sample)
    if isinstance(r, tuple):
        r = r[0]
    return np.asarray(r).dtype


def _for_cval(x: Any, modes: Sequence[Optional[str]], cval: float) -> Any:
    """With a 'constant' border the pads hold `cval`; an integer (or bool) array that cannot
    hold it exactly is padded in float64 (the filter computes in float64 there anyway)."""
    if "constant" not in modes or x.dtype.kind in "fc":
        return x
    if np.array(cval).astype(x.dtype) == cval:
        return x
    return x.astype(np.float64)


def _key(v: Any) -> Any:
    """A hashable, tokenizable form of an argument (sequences as tuples)."""
    if isinstance(v, (list, tuple)):
        return tuple(_key(e) for e in v)
    if isinstance(v, np.ndarray):
        return v
    return v


def _window(size: int, origin: int) -> Tuple[int, int]:
    """Reach (left, right) of a window of `size` samples with scipy's `origin`."""
    left = size // 2 + origin
    return max(left, 0), max(size - 1 - left, 0)


def _conv_origin(length: int, origin: int) -> int:
    """The correlation origin of a convolution with a kernel of `length` (scipy's rule)."""
    return -origin - (0 if length & 1 else 1)


def _sequential(passes: list, cval: float) -> bool:
    """A separable filter runs pass by pass (each pass its own halo exchange) when a later
    pass has a 'constant' border with a non-zero ``cval``: there scipy pads the *filtered*
    intermediate with ``cval``, which differs from filtering a ``cval``-padded input (a
    derivative of a constant is 0, not ``cval``). Otherwise all passes run in one window."""
    return len(passes) > 1 and cval != 0.0 and any(p[1] == "constant" for p in passes[1:])


# ---------------------------------------------------------------------------------------------
# box filters


def uniform_filter1d(
    image: Any,
    size: int,
    axis: int = -1,
    mode: str = "reflect",
    cval: float = 0.0,
    origin: int = 0,
    *,
    output: Any = None,
) -> Any:
    """scipy.ndimage.uniform_filter1d on a dask array (equal to ndkern's whole-array call).

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x = da.from_array(np.arange(8.0), chunks=3)
    >>> ndfilters.uniform_filter1d(x, 3, mode="wrap").compute()[[0, 1, 7]]
    array([2.66666667, 1.        , 4.33333333])
    """
    x = _as_dask(image)
    out = _out_dtype(output, "uniform_filter1d")
    dtype = _probe(
        x, lambda s: _ndi.uniform_filter1d(s, size, axis, out, mode, cval, origin)
    )
    ax = normalize_axis_index(int(axis), x.ndim)
    m = filter_mode(mode)
    depth: Depth = [(0, 0)] * x.ndim
    depth[ax] = _window(int(size), int(origin))
    modes = [m] * x.ndim
    x = _for_cval(x, modes, cval)
    return chunked(
        x, depth, modes, cval,
        lambda b: _ndi.uniform_filter1d(b, size, ax, dtype, m, cval, origin),
        dtype, "uniform_filter1d", params=(size, ax, m, cval, origin),
    )


def uniform_filter(
    image: Any,
    size: Union[int, Sequence[int]] = 3,
    mode: Union[str, Sequence[str]] = "reflect",
    cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0,
    *,
    axes: Optional[Union[int, Sequence[int]]] = None,
    output: Any = None,
) -> Any:
    """scipy.ndimage.uniform_filter on a dask array (dask-image's signature, plus `axes` and
    an `output` dtype); equal to ndkern's whole-array call for every mode and chunking.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> import ndkern
    >>> a = np.random.default_rng(0).random((10, 9))
    >>> x = da.from_array(a, chunks=(3, 4))
    >>> r = ndfilters.uniform_filter(x, 5, mode="wrap")
    >>> r.chunks == x.chunks, np.allclose(r.compute(), ndkern.ndimage.uniform_filter(a, 5, mode="wrap"))
    (True, True)
    """
    x = _as_dask(image)
    out = _out_dtype(output, "uniform_filter")
    dtype = _probe(
        x, lambda s: _ndi.uniform_filter(s, size, out, mode, cval, origin, axes=axes)
    )
    ax = check_axes(axes, x.ndim)
    sizes = normalize_sequence(size, len(ax), "size")
    origins = normalize_sequence(origin, len(ax), "origin")
    modes_ax = normalize_sequence(mode, len(ax), "mode")
    passes = [
        (a, filter_mode(modes_ax[i]), int(sizes[i]), int(origins[i]))
        for i, a in enumerate(ax)
        if int(sizes[i]) > 1
    ]
    if _sequential(passes, cval):
        r = x
        for i, (a, m, s, o) in enumerate(passes):
            r = uniform_filter1d(r, s, a, m, cval, o, output=dtype)
        return r
    depth: Depth = [(0, 0)] * x.ndim
    modes: List[Optional[str]] = [None] * x.ndim
    for a, m, s, o in passes:
        depth[a] = _window(s, o)
        modes[a] = m
    x = _for_cval(x, modes, cval)
    return chunked(
        x, depth, modes, cval,
        lambda b: _ndi.uniform_filter(b, size, dtype, mode, cval, origin, axes=axes),
        dtype, "uniform_filter", params=(_key(size), _key(mode), cval, _key(origin), _key(axes)),
    )


# ---------------------------------------------------------------------------------------------
# Gaussian filters


def _gauss_radius(sigma: float, truncate: float, radius: Any) -> int:
    return int(truncate * sigma + 0.5) if radius is None else int(radius)


def gaussian_filter1d(
    image: Any,
    sigma: float,
    axis: int = -1,
    order: int = 0,
    mode: str = "reflect",
    cval: float = 0.0,
    truncate: float = 4.0,
    *,
    radius: Optional[int] = None,
    output: Any = None,
) -> Any:
    """scipy.ndimage.gaussian_filter1d on a dask array: halo ``int(truncate * sigma + 0.5)``
    (or `radius`) on `axis`.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x = da.from_array(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), chunks=2)
    >>> ndfilters.gaussian_filter1d(x, 1).compute()
    array([1.42704095, 2.06782203, 3.        , 3.93217797, 4.57295905])
    """
    x = _as_dask(image)
    out = _out_dtype(output, "gaussian_filter1d")
    dtype = _probe(
        x,
        lambda s: _ndi.gaussian_filter1d(
            s, sigma, axis, order, out, mode, cval, truncate, radius=radius
        ),
    )
    ax = normalize_axis_index(int(axis), x.ndim)
    m = filter_mode(mode)
    r = _gauss_radius(abs(float(sigma)), float(truncate), radius)
    depth: Depth = [(0, 0)] * x.ndim
    depth[ax] = (r, r)
    modes = [m] * x.ndim
    x = _for_cval(x, modes, cval)
    return chunked(
        x, depth, modes, cval,
        lambda b: _ndi.gaussian_filter1d(
            b, sigma, ax, order, dtype, m, cval, truncate, radius=radius
        ),
        dtype, "gaussian_filter1d", params=(sigma, ax, order, m, cval, truncate, radius),
    )


def gaussian_filter(
    image: Any,
    sigma: Union[float, Sequence[float]],
    order: Union[int, Sequence[int]] = 0,
    mode: Union[str, Sequence[str]] = "reflect",
    cval: float = 0.0,
    truncate: float = 4.0,
    *,
    radius: Optional[Union[int, Sequence[int]]] = None,
    axes: Optional[Union[int, Sequence[int]]] = None,
    output: Any = None,
) -> Any:
    """scipy.ndimage.gaussian_filter on a dask array (dask-image's signature, plus `radius`,
    `axes` and an `output` dtype). The halo on each axis is the kernel's radius
    ``int(truncate * sigma + 0.5)``; equal to ndkern's whole-array call for every mode
    (``wrap`` included) and chunking.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> import ndkern
    >>> a = np.random.default_rng(0).random((12, 10)).astype(np.float32)
    >>> x = da.from_array(a, chunks=(5, 3))
    >>> r = ndfilters.gaussian_filter(x, 2.0, mode="wrap")
    >>> r.dtype, np.allclose(r.compute(), ndkern.ndimage.gaussian_filter(a, 2.0, mode="wrap"), atol=1e-6)
    (dtype('float32'), True)
    """
    x = _as_dask(image)
    out = _out_dtype(output, "gaussian_filter")
    dtype = _probe(
        x,
        lambda s: _ndi.gaussian_filter(
            s, sigma, order, out, mode, cval, truncate, radius=radius, axes=axes
        ),
    )
    ax = check_axes(axes, x.ndim)
    n = len(ax)
    sigmas = normalize_sequence(sigma, n, "sigma")
    orders = normalize_sequence(order, n, "order")
    modes_ax = normalize_sequence(mode, n, "mode")
    radii = normalize_sequence(radius, n, "radius")
    passes = []
    for i, a in enumerate(ax):
        s = float(sigmas[i])
        if s > 1e-15:
            passes.append(
                (a, filter_mode(modes_ax[i]), s, int(orders[i]),
                 _gauss_radius(s, float(truncate), radii[i]))
            )
    if _sequential(passes, cval):
        r = x
        for a, m, s, o, rad in passes:
            r = gaussian_filter1d(r, s, a, o, m, cval, truncate, radius=rad, output=dtype)
        return r
    depth: Depth = [(0, 0)] * x.ndim
    modes: List[Optional[str]] = [None] * x.ndim
    for a, m, s, o, rad in passes:
        depth[a] = (rad, rad)
        modes[a] = m
    x = _for_cval(x, modes, cval)
    return chunked(
        x, depth, modes, cval,
        lambda b, out=None: _ndi.gaussian_filter(
            b, sigma, order, dtype if out is None else out, mode, cval, truncate,
            radius=radius, axes=axes,
        ),
        dtype, "gaussian_filter",
        params=(_key(sigma), _key(order), _key(mode), cval, truncate, _key(radius), _key(axes)),
        tile=True,
    )


# ---------------------------------------------------------------------------------------------
# correlation and convolution


def _correlate1d(
    name: str, image: Any, weights: Any, axis: int, mode: str, cval: float, origin: int,
    output: Any, conv: bool,
) -> Any:
    x = _as_dask(image)
    out = _out_dtype(output, name)
    f = _ndi.convolve1d if conv else _ndi.correlate1d
    w = np.asarray(weights)
    dtype = _probe(x, lambda s: f(s, w, axis, out, mode, cval, origin))
    ax = normalize_axis_index(int(axis), x.ndim)
    m = filter_mode(mode)
    lw = int(w.shape[0])
    o = _conv_origin(lw, int(origin)) if conv else int(origin)
    depth: Depth = [(0, 0)] * x.ndim
    depth[ax] = _window(lw, o)
    modes = [m] * x.ndim
    x = _for_cval(x, modes, cval)
    return chunked(
        x, depth, modes, cval,
        lambda b: f(b, w, ax, dtype, m, cval, origin),
        dtype, name, params=(w, ax, m, cval, origin),
    )


def correlate1d(
    image: Any, weights: Any, axis: int = -1, mode: str = "reflect", cval: float = 0.0,
    origin: int = 0, *, output: Any = None,
) -> Any:
    """scipy.ndimage.correlate1d on a dask array.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x = da.from_array(np.array([2, 8, 0, 4, 1, 9, 9, 0]), chunks=3)
    >>> ndfilters.correlate1d(x, [1, 3]).compute()
    array([ 8, 26,  8, 12,  7, 28, 36,  9])
    """
    return _correlate1d("correlate1d", image, weights, axis, mode, cval, origin, output, False)


def convolve1d(
    image: Any, weights: Any, axis: int = -1, mode: str = "reflect", cval: float = 0.0,
    origin: int = 0, *, output: Any = None,
) -> Any:
    """scipy.ndimage.convolve1d on a dask array.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x = da.from_array(np.array([2, 8, 0, 4, 1, 9, 9, 0]), chunks=3)
    >>> ndfilters.convolve1d(x, [1, 3]).compute()
    array([14, 24,  4, 13, 12, 36, 27,  0])
    """
    return _correlate1d("convolve1d", image, weights, axis, mode, cval, origin, output, True)


def _correlate_nd(
    name: str, image: Any, weights: Any, mode: str, cval: float, origin: Any, axes: Any,
    output: Any, conv: bool,
) -> Any:
    x = _as_dask(image)
    out = _out_dtype(output, name)
    f = _ndi.convolve if conv else _ndi.correlate
    w = np.asarray(weights)
    dtype = _probe(x, lambda s: f(s, w, out, mode, cval, origin, axes=axes))
    ax = check_axes(axes, x.ndim)
    # the weights' shape and the origins per input axis, as ndkern.ndimage resolves them
    if len(ax) < x.ndim:
        wshape = [1] * x.ndim
        origins = [0] * x.ndim
        for o, a, lw in zip(normalize_sequence(origin, len(ax), "origin"), ax, w.shape):
            wshape[a] = int(lw)
            origins[a] = int(o)
    else:
        wshape = [int(s) for s in w.shape]
        origins = [int(o) for o in normalize_sequence(origin, len(ax), "origin")]
    m = filter_mode(mode)
    depth: Depth = []
    for lw, o in zip(wshape, origins):
        depth.append(_window(lw, _conv_origin(lw, o) if conv else o))
    modes = [m] * x.ndim
    x = _for_cval(x, modes, cval)
    return chunked(
        x, depth, modes, cval,
        lambda b: f(b, w, dtype, mode, cval, origin, axes=axes),
        dtype, name, params=(w, mode, cval, _key(origin), _key(axes)),
    )


def correlate(
    image: Any, weights: Any, mode: str = "reflect", cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0, *, axes: Any = None, output: Any = None,
) -> Any:
    """scipy.ndimage.correlate on a dask array (dask-image's signature, plus `axes` and an
    `output` dtype): halo ``weights.shape // 2`` shifted by `origin` on each axis.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x = da.from_array(np.arange(25).reshape(5, 5), chunks=2)
    >>> ndfilters.correlate(x, [[0, 1, 0], [1, 1, 1], [0, 1, 0]]).compute()
    array([[  6,  10,  15,  20,  24],
           [ 26,  30,  35,  40,  44],
           [ 51,  55,  60,  65,  69],
           [ 76,  80,  85,  90,  94],
           [ 96, 100, 105, 110, 114]])
    """
    return _correlate_nd("correlate", image, weights, mode, cval, origin, axes, output, False)


def convolve(
    image: Any, weights: Any, mode: str = "reflect", cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0, *, axes: Any = None, output: Any = None,
) -> Any:
    """scipy.ndimage.convolve on a dask array (dask-image's signature, plus `axes` and an
    `output` dtype).

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> a = np.array([[1, 2, 0, 0], [5, 3, 0, 4], [0, 0, 0, 7], [9, 3, 0, 0]])
    >>> k = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]])
    >>> ndfilters.convolve(da.from_array(a, chunks=2), k, mode="constant").compute()
    array([[11, 10,  7,  4],
           [10,  3, 11, 11],
           [15, 12, 14,  7],
           [12,  3,  7,  0]])
    """
    return _correlate_nd("convolve", image, weights, mode, cval, origin, axes, output, True)


# ---------------------------------------------------------------------------------------------
# ndkern's own window statistics


def _box(size: Any, ndim: int, origin: Any) -> Tuple[list, list]:
    sizes = [int(size)] * ndim if np.ndim(size) == 0 else [int(s) for s in size]
    origins = [int(origin)] * ndim if np.ndim(origin) == 0 else [int(o) for o in origin]
    return sizes, origins


def _window_mode(mode: Any) -> str:
    return "shrink" if mode == "shrink" else filter_mode(mode)


def local_mean_var(
    image: Any, size: Union[int, Sequence[int]], mode: str = "reflect", cval: float = 0.0
) -> Tuple[Any, Any]:
    """ndkern.local_mean_var on a dask array: the local mean and population variance over
    the window of `size` centred on every element, as two lazy dask arrays (one task per
    chunk computes both). ``mode='shrink'``: statistics of the in-bounds samples only; edge
    chunks see the same clipped windows the whole-array call does.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x = da.from_array(np.array([[1.0, 3.0, 5.0], [7.0, 9.0, 11.0]]), chunks=(1, 2))
    >>> m, v = ndfilters.local_mean_var(x, (1, 3), mode="nearest")
    >>> m.compute()
    array([[ 1.66666667,  3.        ,  4.33333333],
           [ 7.66666667,  9.        , 10.33333333]])
    """
    x = _as_dask(image)
    dtype = _probe(x, lambda s: ndkern.local_mean_var(s, size, mode, cval))
    sizes, _ = _box(size, x.ndim, 0)
    m = _window_mode(mode)
    depth = [_window(s, 0) for s in sizes]
    modes = [m] * x.ndim
    x = _for_cval(x, modes, cval)

    def both(b: np.ndarray) -> np.ndarray:
        mean, var = ndkern.local_mean_var(b, size, mode, cval)
        return np.stack([mean, var])

    r = chunked(
        x, depth, modes, cval, both, dtype, "local_mean_var", stacked=2,
        params=(_key(size), mode, cval),
    )
    return r[0], r[1]


def window_sum(
    image: Any,
    size: Union[int, Sequence[int]],
    mode: str = "shrink",
    cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0,
) -> Any:
    """ndkern.window_sum on a dask array: box sums, by default with windows clipped to the
    array (``mode='shrink'``); any scipy mode too.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    >>> ndfilters.window_sum(da.from_array(a, chunks=1), 3).compute()
    array([[12., 21., 16.],
           [27., 45., 33.],
           [24., 39., 28.]])
    """
    x = _as_dask(image)
    dtype = _probe(x, lambda s: ndkern.window_sum(s, size, mode, cval, origin))
    sizes, origins = _box(size, x.ndim, origin)
    m = _window_mode(mode)
    depth = [_window(s, o) for s, o in zip(sizes, origins)]
    modes = [m] * x.ndim
    x = _for_cval(x, modes, cval)
    return chunked(
        x, depth, modes, cval,
        lambda b: ndkern.window_sum(b, size, mode, cval, origin),
        dtype, "window_sum", params=(_key(size), mode, cval, _key(origin)),
    )


# ---------------------------------------------------------------------------------------------
# derivatives and the recursive Gaussian (ndkern's own names)


def _spacing(varargs: tuple, n_axes: int) -> list:
    """numpy.gradient's spacing as one scalar per axis; uniformly spaced coordinate arrays
    become their step (others are refused: a chunk would need its own coordinates)."""
    if len(varargs) == 0:
        return [1.0] * n_axes
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return [float(varargs[0])] * n_axes
    if len(varargs) != n_axes:
        raise TypeError("invalid number of arguments")
    out = []
    for d in varargs:
        d = np.asarray(d)
        if d.ndim == 0:
            out.append(float(d))
            continue
        diffx = np.diff(d.astype(np.float64))
        if diffx.size == 0 or not (diffx == diffx[0]).all():
            raise ValueError(
                "ndkern.dask.gradient takes uniform spacing only: give each axis's spacing "
                "as a scalar (for non-uniform coordinates use numpy.gradient on a computed array)"
            )
        out.append(float(diffx[0]))
    return out


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """numpy.gradient (ndkern.gradient) of a dask array: central differences inside, one-sided
    at the array's edges, equal to the whole-array call for every chunking (halo
    `edge_order` per axis, windows clipped at the array's edges so the edge chunks use the
    edge formulas). All axes are computed in one task per chunk. Returns one dask array per
    axis (a tuple), or one array for one axis. Spacing: scalars (or uniformly spaced
    coordinates).

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x = da.from_array(np.array([1, 2, 4, 7, 11, 16], dtype=float), chunks=2)
    >>> ndfilters.gradient(x).compute()
    array([1. , 1.5, 2.5, 3.5, 4.5, 5. ])
    """
    x = _as_dask(f)
    axes = tuple(range(x.ndim)) if axis is None else tuple(normalize_axis_tuple(axis, x.ndim))
    sp = _spacing(varargs, len(axes))
    eo = int(edge_order)
    r0 = ndkern.gradient(
        np.zeros(tuple(max(eo + 1, 3) if i in axes else 1 for i in range(x.ndim)), x.dtype),
        *sp, axis=axes, edge_order=eo,
    )
    dtype = (r0[0] if isinstance(r0, tuple) else r0).dtype
    depth: Depth = [(eo, eo) if i in axes else (0, 0) for i in range(x.ndim)]
    modes = ["shrink" if i in axes else None for i in range(x.ndim)]

    def all_axes(b: np.ndarray) -> np.ndarray:
        g = ndkern.gradient(b, *sp, axis=axes, edge_order=eo)
        return np.stack(g if isinstance(g, tuple) else (g,))

    r = chunked(
        x, depth, modes, 0.0, all_axes, dtype, "gradient", stacked=len(axes),
        params=(tuple(sp), axes, eo),
    )
    out = tuple(r[i] for i in range(len(axes)))
    return out[0] if len(axes) == 1 else out


def hessian_eigvalsh(a: Any, order: str = "ascending") -> Any:
    """ndkern.hessian_eigvalsh (Q12) of a 2-D or 3-D dask array: the eigenvalues of the
    finite-difference Hessian (numpy.gradient twice) of every element, shape
    ``a.shape + (ndim,)``; halo 2 per axis, windows clipped at the array's edges, equal to
    the whole-array call for every chunking.

    >>> import numpy as np, dask.array as da
    >>> from ndkern.dask import ndfilters
    >>> x, y = np.meshgrid(np.arange(6.0), np.arange(5.0), indexing="ij")
    >>> ev = ndfilters.hessian_eigvalsh(da.from_array(x**2 - 3 * y**2, chunks=2))
    >>> ev[2, 2].compute()
    array([-6.,  2.])
    """
    x = _as_dask(a)
    dtype = ndkern.hessian_eigvalsh(np.zeros((3,) * x.ndim, x.dtype), order).dtype
    depth: Depth = [(2, 2)] * x.ndim
    modes = ["shrink"] * x.ndim

    def run(b: np.ndarray) -> np.ndarray:
        return np.moveaxis(ndkern.hessian_eigvalsh(b, order), -1, 0)

    r = chunked(
        x, depth, modes, 0.0, run, dtype, "hessian_eigvalsh", stacked=x.ndim, params=(order,)
    )
    return da.moveaxis(r, 0, -1)


def gaussian_filter_recursive(
    input: Any,
    sigma: Union[float, Sequence[float]],
    mode: str = "reflect",
    cval: float = 0.0,
    *,
    halo_truncate: float = 16.0,
) -> Any:
    """ndkern.gaussian_filter_recursive (the IIR Gaussian, O(1) per sample) of a dask
    array. An IIR filter reaches infinitely far; here each chunk sees a halo of
    ``int(halo_truncate * sigma + 0.5)`` samples per axis from its neighbours (at the
    array's edges the chunk applies the filter's own border treatment of `mode`, as the
    whole-array call does; with 'wrap' each axis is filtered whole: one chunk along it, then
    split back), beyond which the response has decayed:
    the result is within ~1e-10 of the whole-array call relative to the data's range with
    the default 16 (12: ~1e-8, 8: ~2e-6). (The recursive filter itself is within 1.5e-2 of
    the exact Gaussian.)

    >>> import numpy as np, dask.array as da, ndkern
    >>> from ndkern.dask import ndfilters
    >>> a = np.random.default_rng(0).random((40, 50))
    >>> r = ndfilters.gaussian_filter_recursive(da.from_array(a, chunks=16), 2.0)
    >>> bool(np.abs(r.compute() - ndkern.gaussian_filter_recursive(a, 2.0)).max() < 1e-9)
    True
    """
    x = _as_dask(input)
    dtype = ndkern.gaussian_filter_recursive(
        np.zeros((1,) * x.ndim, x.dtype), sigma, mode, cval
    ).dtype
    sig = [float(sigma)] * x.ndim if np.ndim(sigma) == 0 else [float(s) for s in sigma]
    m = filter_mode(mode)
    depth: Depth = []
    modes: List[Optional[str]] = []
    for s in sig:
        h = int(float(halo_truncate) * s + 0.5) if s > 0 else 0
        # at the array's edges the chunk applies the filter's own border treatment, as the
        # whole-array call does (windows clipped there); 'wrap' needs the other end, so a
        # wrapped axis is filtered whole (one chunk along it, split back afterwards)
        if h and m == "wrap":
            depth.append((0, 0))
            modes.append(None)
        else:
            depth.append((h, h))
            modes.append("shrink" if h else None)
    chunks = x.chunks
    whole = {i: -1 for i, s in enumerate(sig) if s > 0 and m == "wrap"}
    r = chunked(
        x.rechunk(whole) if whole else x, depth, modes, cval,
        lambda b: ndkern.gaussian_filter_recursive(b, sigma, mode, cval),
        dtype, "gaussian_filter_recursive",
        params=(tuple(sig), m, cval, float(halo_truncate)),
    )
    return r.rechunk(chunks) if whole else r


# ---------------------------------------------------------------------------------------------
# dask-image's derivative filters, composed of the exact passes above (scipy's definitions)


def _modes(mode: Any, ndim: int) -> list:
    return normalize_sequence(mode, ndim, "mode")


def _d_output(x: Any) -> np.dtype:
    return _probe(x, lambda s: _ndi.correlate1d(s, [1.0], 0 if s.ndim else -1))


def _edge(image: Any, axis: int, mode: Any, cval: float, smooth: list, name: str) -> Any:
    x = _as_dask(image)
    ax = normalize_axis_index(int(axis), x.ndim)
    modes = _modes(mode, x.ndim)
    dtype = _d_output(x)
    r = correlate1d(x, [-1, 0, 1], ax, modes[ax], cval, output=dtype)
    for ii in range(x.ndim):
        if ii != ax:
            r = correlate1d(r, smooth, ii, modes[ii], cval, output=dtype)
    return r


def sobel(image: Any, axis: int = -1, mode: Any = "reflect", cval: float = 0.0) -> Any:
    """scipy.ndimage.sobel on a dask array (``[-1, 0, 1]`` along `axis`, ``[1, 2, 1]`` along
    the others, scipy's pass order and per-pass dtype), exact for every mode and chunking.

    >>> import numpy as np, dask.array as da, scipy.ndimage as sn
    >>> from ndkern.dask import ndfilters
    >>> a = np.random.default_rng(0).random((9, 8))
    >>> np.allclose(ndfilters.sobel(da.from_array(a, chunks=4), 0, mode="wrap").compute(), sn.sobel(a, 0, mode="wrap"))
    True
    """
    return _edge(image, axis, mode, cval, [1, 2, 1], "sobel")


def prewitt(image: Any, axis: int = -1, mode: Any = "reflect", cval: float = 0.0) -> Any:
    """scipy.ndimage.prewitt on a dask array (``[-1, 0, 1]`` along `axis`, ``[1, 1, 1]``
    along the others)."""
    return _edge(image, axis, mode, cval, [1, 1, 1], "prewitt")


def laplace(image: Any, mode: Any = "reflect", cval: float = 0.0) -> Any:
    """scipy.ndimage.laplace on a dask array: the sum over the axes of ``[1, -2, 1]``."""
    x = _as_dask(image)
    modes = _modes(mode, x.ndim)
    dtype = _d_output(x)
    terms = [correlate1d(x, [1, -2, 1], ii, modes[ii], cval, output=dtype) for ii in range(x.ndim)]
    r = terms[0]
    for t in terms[1:]:
        r = r + t
    return r.astype(dtype, copy=False)


def _gauss_terms(x: Any, sigma: Any, mode: Any, cval: float, truncate: float, order: int, kw: dict) -> list:
    modes = _modes(mode, x.ndim)
    dtype = _d_output(x)
    terms = []
    for ii in range(x.ndim):
        orders = [0] * x.ndim
        orders[ii] = order
        terms.append(
            gaussian_filter(x, sigma, orders, modes, cval, truncate, output=dtype, **kw)
        )
    return terms


def gaussian_laplace(
    image: Any, sigma: Any, mode: Any = "reflect", cval: float = 0.0, truncate: float = 4.0,
    **kwargs: Any,
) -> Any:
    """scipy.ndimage.gaussian_laplace on a dask array: the sum over the axes of the Gaussian's
    second derivative along that axis (``radius``/``axes`` keywords as gaussian_filter's).

    >>> import numpy as np, dask.array as da, scipy.ndimage as sn
    >>> from ndkern.dask import ndfilters
    >>> a = np.random.default_rng(0).random((12, 10))
    >>> np.allclose(ndfilters.gaussian_laplace(da.from_array(a, chunks=5), 1.5).compute(), sn.gaussian_laplace(a, 1.5))
    True
    """
    x = _as_dask(image)
    dtype = _d_output(x)
    terms = _gauss_terms(x, sigma, mode, cval, truncate, 2, kwargs)
    r = terms[0]
    for t in terms[1:]:
        r = r + t
    return r.astype(dtype, copy=False)


def gaussian_gradient_magnitude(
    image: Any, sigma: Any, mode: Any = "reflect", cval: float = 0.0, truncate: float = 4.0,
    **kwargs: Any,
) -> Any:
    """scipy.ndimage.gaussian_gradient_magnitude on a dask array: the square root of the sum
    of the squared first Gaussian derivatives along each axis."""
    x = _as_dask(image)
    dtype = _d_output(x)
    terms = _gauss_terms(x, sigma, mode, cval, truncate, 1, kwargs)
    r = terms[0] * terms[0]
    for t in terms[1:]:
        r = r + t * t
    return da.sqrt(r).astype(dtype, copy=False)
