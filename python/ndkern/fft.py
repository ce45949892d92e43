"""numpy.fft's shifts computed by ndkern: ``fftshift``, ``ifftshift``.

float32 and float64 arrays are shifted by ndkern (read in place, any strides); other dtypes
(complex spectra included) are shifted by numpy, with the same result.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _ndkern
from ._support import F32, F64, normalize_axis_index

__all__ = ["fftshift", "ifftshift"]


def _shift(x: Any, axes: Any, inverse: bool) -> np.ndarray:
    a = np.asarray(x)
    if axes is None:
        ax: tuple = tuple(range(a.ndim))
    elif isinstance(axes, (int, np.integer)):
        ax = (normalize_axis_index(int(axes), a.ndim),)
    else:
        ax = tuple(normalize_axis_index(int(v), a.ndim) for v in axes)
    if a.dtype not in (F32, F64) or not a.dtype.isnative or len(set(ax)) != len(ax):
        f = np.fft.ifftshift if inverse else np.fft.fftshift
        return f(a, axes)
    return _ndkern.fftshift(a, list(ax), inverse)


def fftshift(x: Any, axes: Optional[Union[int, Sequence[int]]] = None) -> np.ndarray:
    """The zero-frequency term moved to the centre of the spectrum (numpy.fft.fftshift):
    a roll by ``n // 2`` along each of `axes` (default: all).

    >>> import ndkern
    >>> ndkern.fft.fftshift([0.0, 1.0, 2.0, -2.0, -1.0])
    array([-2., -1.,  0.,  1.,  2.])
    """
    return _shift(x, axes, False)


def ifftshift(x: Any, axes: Optional[Union[int, Sequence[int]]] = None) -> np.ndarray:
    """The inverse of :func:`fftshift` (numpy.fft.ifftshift; they differ for odd lengths).

    >>> import ndkern
    >>> ndkern.fft.ifftshift([-2.0, -1.0, 0.0, 1.0, 2.0])
    array([ 0.,  1.,  2., -2., -1.])
    """
    return _shift(x, axes, True)
