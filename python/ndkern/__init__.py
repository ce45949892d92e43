"""ndkern: fast, exact numpy/scipy array kernels, with numpy's and scipy's names and signatures.

* ``ndkern.ndimage``: scipy.ndimage's ``uniform_filter[1d]``, ``gaussian_filter[1d]``,
  ``correlate[1d]``, ``convolve[1d]``.
* numpy's reductions at the top level: ``sum``, ``mean``, ``var``, ``std``, ``min``, ``max``,
  ``count_nonzero`` (``axis``, ``keepdims``, ``ddof``).
* numpy's ``histogram``, ``histogramdd``, ``bincount``, ``digitize``, ``gradient``,
  ``polyfit``, ``polyval`` at the top level, ``ndkern.fft.fftshift``/``ifftshift``.
* ``ndkern.stats`` (``gaussian_kde``, ``binned_statistic_dd``, ``pearsonr``),
  ``ndkern.signal`` (``detrend``, ``convolve``, ``correlate``, ``fftconvolve``,
  ``oaconvolve``), ``ndkern.spatial.distance`` (``cdist``, ``pdist``), ``ndkern.cluster.vq``
  (``kmeans2``, ``vq``), ``ndkern.interpolate`` (``barycentric_interpolate``).
* scikit-image's ``ndkern.registration.phase_cross_correlation``,
  ``ndkern.measure.block_reduce``, ``ndkern.feature.hessian_matrix[_eigvals]``,
  ``ndkern.filters.frangi``.
* ndkern's own (one call per user question, see the README's cookbook): ``local_mean_var``,
  ``window_sum`` (``mode='shrink'``), ``label_stats``/``label_mean``/``gather``,
  ``ragged_select``, ``healpix_map``/``ang2pix``, ``detrend_rolling_pearson``,
  ``level_rows``, ``hessian_eigvalsh``, ``estimate_kernel``, ``interpolate``, ``kmeans``,
  ``nearest``, ``pca``, ``gaussian_filter_recursive``, ``select_in_mask``,
  ``histogram_masked``, ``cross_correlate_circular``, ``norm_l2``, ``gradient_stacked``.
* ``simd_level()``, ``set_num_threads(n)``, ``get_num_threads()``, ``with threads(n):`` (the
  calling thread's calls on ``n`` threads).

Errors: invalid arguments raise ``ValueError``/``TypeError`` (``ndkern.ArgumentError`` where
scipy raises ``RuntimeError``), an allocation sized by the arguments beyond ndkern's memory cap
``MemoryError``; a Rust panic comes back as ``RuntimeError``, never a crash.

float32 stays float32 and float64 float64; arrays of any strides are read in place; the GIL
is released while ndkern computes, on its own thread pool (``set_num_threads(n)`` for the
process, ``with threads(n):`` for the calling thread).

>>> import numpy as np
>>> import ndkern
>>> img = np.arange(16.0).reshape(4, 4)
>>> ndkern.ndimage.uniform_filter(img, 3)[1:3, 1:3]
array([[ 5.,  6.],
       [ 9., 10.]])
>>> ndkern.simd_level() in ("avx512", "avx2", "baseline")
True
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Sequence, Tuple, Union

import numpy as np

from . import _ndkern, ndimage
from ._numpy import bincount, digitize, gradient, histogram, histogramdd, polyfit, polyval
from ._own import (
    ang2pix,
    cross_correlate_circular,
    curve_fit,
    detrend_rolling_pearson,
    estimate_kernel,
    gather,
    gaussian_filter_recursive,
    gradient_stacked,
    healpix_map,
    hessian_eigvalsh,
    histogram_masked,
    kmeans,
    label_mean,
    label_stats,
    level_rows,
    nearest,
    norm_l2,
    pca,
    ragged_select,
    select_in_mask,
)
from ._reductions import count_nonzero, max, mean, min, std, sum, var
from . import (  # noqa: E402  (submodules named after scipy's/skimage's namespaces)
    cluster,
    feature,
    fft,
    filters,
    interpolate,
    measure,
    registration,
    signal,
    spatial,
    stats,
)
from ._support import (
    F64,
    ArgumentError,
    as_input,
    float_value,
    get_output,
    int_value,
    native_float,
)

__version__ = _ndkern.__version__

__all__ = [
    "ArgumentError",
    "ang2pix",
    "bincount",
    "cluster",
    "count_nonzero",
    "cross_correlate_circular",
    "curve_fit",
    "detrend_rolling_pearson",
    "digitize",
    "estimate_kernel",
    "feature",
    "fft",
    "filters",
    "gather",
    "gaussian_filter_recursive",
    "get_num_threads",
    "gradient",
    "gradient_stacked",
    "healpix_map",
    "hessian_eigvalsh",
    "histogram",
    "histogram_masked",
    "histogramdd",
    "interpolate",
    "kmeans",
    "label_mean",
    "label_stats",
    "level_rows",
    "local_mean_var",
    "max",
    "mean",
    "measure",
    "min",
    "ndimage",
    "nearest",
    "norm_l2",
    "pca",
    "polyfit",
    "polyval",
    "ragged_select",
    "registration",
    "select_in_mask",
    "set_num_threads",
    "signal",
    "simd_level",
    "spatial",
    "stats",
    "std",
    "sum",
    "threads",
    "var",
    "window_sum",
]


def simd_level() -> str:
    """The SIMD level ndkern's kernels run at on this CPU: ``'avx512'``, ``'avx2'`` or
    ``'baseline'`` (chosen at run time; the environment variable ``NDKERN_SIMD`` caps it when
    set before the first call).

    >>> import ndkern
    >>> ndkern.simd_level() in ("avx512", "avx2", "baseline")
    True
    """
    return _ndkern.simd_level()


def set_num_threads(n: int) -> None:
    """Sets the number of threads of ndkern's pool; ``0`` means one per core (the default,
    or ``RAYON_NUM_THREADS``). Use 1 when the caller parallelises itself (dask, joblib).

    >>> import ndkern
    >>> ndkern.set_num_threads(1); ndkern.get_num_threads()
    1
    >>> ndkern.set_num_threads(0)
    """
    n = int_value(n, "n")
    if n < 0:
        raise ValueError(f"the number of threads must be >= 0 (0: one per core), got {n}")
    _ndkern.set_num_threads(n)


def get_num_threads() -> int:
    """The number of threads the calling thread's ndkern calls run on: ``n`` inside
    ``with ndkern.threads(n)``, else the size of ndkern's pool.

    >>> import ndkern
    >>> ndkern.get_num_threads() >= 1
    True
    """
    return _ndkern.get_num_threads()


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """A context manager: ndkern calls made by *this* thread inside the ``with`` block run on
    ``n`` threads (``0``: the process-wide pool of :func:`set_num_threads`); the previous
    setting comes back on exit, also on an exception.

    For a caller that parallelises itself (its own threads, a joblib/dask thread pool): each of
    its threads can call ndkern single-threaded without changing what other threads get. The
    setting is per thread, like ``scipy.fft.set_workers``: threads started inside the block,
    and dask's or joblib's worker threads, keep their own (give them their own ``with``, or
    call :func:`set_num_threads` for the whole process). Calls on small arrays run on the
    calling thread anyway. Nests; not shared with coroutines of the same thread.

    >>> import numpy as np, ndkern
    >>> ndkern.set_num_threads(2)
    >>> with ndkern.threads(1):
    ...     ndkern.get_num_threads()
    ...     m = ndkern.ndimage.uniform_filter(np.ones((500, 500)), 3)  # on one thread
    1
    >>> ndkern.get_num_threads()  # back to the process-wide pool
    2
    >>> ndkern.set_num_threads(0)
    """
    n = int_value(n, "n")
    if n < 0:
        raise ValueError(f"the number of threads must be >= 0 (0: the process-wide pool), got {n}")
    previous = _ndkern._set_thread_workers(n)
    try:
        yield
    finally:
        _ndkern._set_thread_workers(previous)


def _window_mode(mode: Any, allow_shrink: bool) -> str:
    from ._support import filter_mode

    if allow_shrink and mode == "shrink":
        return "shrink"
    return filter_mode(mode)


def _sizes(size: Any, ndim: int) -> list:
    if isinstance(size, (int, np.integer)):
        sizes = [int(size)] * ndim
    else:
        sizes = [int_value(s, "size") for s in size]
        if len(sizes) != ndim:
            raise ArgumentError(
                f"`size`: give one value or one per axis ({ndim}), got {len(sizes)} values"
            )
    for s in sizes:
        if s < 1:
            raise ArgumentError(f"incorrect filter size {s}: window sizes must be >= 1")
    return sizes


def _float_src(a: np.ndarray) -> np.ndarray:
    return a if native_float(a.dtype) else a.astype(F64)


def window_sum(
    input: Any,
    size: Union[int, Sequence[int]],
    mode: str = "shrink",
    cval: float = 0.0,
    origin: Union[int, Sequence[int]] = 0,
    output: Any = None,
) -> np.ndarray:
    """The sum over a box window around every element: ``uniform_filter(x, size) * prod(size)``
    computed directly (one rounding).

    With ``mode='shrink'`` (the default) the window is clipped to the array: only in-bounds
    samples are summed (equal to scipy's sum with ``mode='constant', cval=0``). Any scipy mode
    is accepted too. float32/float64 keep their type; other input gives float64.

    >>> import numpy as np
    >>> import ndkern
    >>> a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    >>> ndkern.window_sum(a, 3)
    array([[12., 21., 16.],
           [27., 45., 33.],
           [24., 39., 28.]])
    """
    a = as_input(input, "window_sum")
    src = _float_src(a)
    sizes = _sizes(size, a.ndim)
    origins = [origin] * a.ndim if isinstance(origin, (int, np.integer)) else list(origin)
    origins = [int_value(o, "origin") for o in origins]
    m = _window_mode(mode, True)
    out = get_output(output if output is not None else src.dtype, src, "window_sum")
    if out.dtype != src.dtype:
        raise TypeError(f"window_sum: output must have dtype {src.dtype}, got {out.dtype}")
    if np.may_share_memory(src, out):
        src = src.copy()
    _ndkern.window_sum(src, sizes, m, float_value(cval, "cval"), origins, out)
    return out


def local_mean_var(
    input: Any,
    size: Union[int, Sequence[int]],
    mode: str = "reflect",
    cval: float = 0.0,
) -> Tuple[np.ndarray, np.ndarray]:
    """Local mean and population variance over a window of `size` centred on every element,
    in one fused, numerically stable pass (not ``E[x^2] - E[x]^2``):
    ``uniform_filter(x, size)`` and ``uniform_filter(x * x, size) - mean ** 2``.

    `mode`: a scipy mode (``cval`` for 'constant') or ``'shrink'`` (statistics of the
    in-bounds samples only). float32/float64 keep their type; other input gives float64.

    >>> import numpy as np
    >>> import ndkern
    >>> a = np.array([[1.0, 3.0, 5.0], [7.0, 9.0, 11.0]])
    >>> m, v = ndkern.local_mean_var(a, (1, 3), mode="nearest")
    >>> m
    array([[ 1.66666667,  3.        ,  4.33333333],
           [ 7.66666667,  9.        , 10.33333333]])
    >>> v[0]
    array([0.88888889, 2.66666667, 0.88888889])
    """
    a = as_input(input, "local_mean_var")
    src = _float_src(a)
    sizes = _sizes(size, a.ndim)
    m = _window_mode(mode, True)
    mean_out = np.empty(src.shape, src.dtype)
    var_out = np.empty(src.shape, src.dtype)
    _ndkern.local_mean_var(src, sizes, m, float_value(cval, "cval"), mean_out, var_out)
    return mean_out, var_out
