"""scikit-image's ``skimage.filters.frangi`` computed by ndkern (2-D and 3-D images)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from . import _ndkern
from ._skimage import supported_float
from ._support import filter_mode, float_value

__all__ = ["frangi"]


def frangi(
    image: Any,
    sigmas: Sequence[float] = range(1, 10, 2),
    scale_range: Optional[Sequence[float]] = None,
    scale_step: Optional[float] = None,
    alpha: float = 0.5,
    beta: float = 0.5,
    gamma: Optional[float] = None,
    black_ridges: bool = True,
    mode: str = "reflect",
    cval: float = 0,
) -> np.ndarray:
    """Frangi vesselness (skimage.filters.frangi): per scale, the Gaussian-derivative
    Hessian's eigenvalues sorted by magnitude give the plate (3-D), blob and structure
    factors; the result is the maximum over `sigmas`, in the image's float type.

    >>> import numpy as np
    >>> from ndkern.filters import frangi
    >>> img = np.ones((9, 9)); img[:, 4] = 0.0           # a dark vertical line
    >>> v = frangi(img, sigmas=[1.0])
    >>> bool(v[4, 4] > v[4, 0])
    True
    """
    img = supported_float(np.asarray(image))
    if img.ndim not in (2, 3):
        raise ValueError(
            f"The parameter `image` must be a 2-dimensional or 3-dimensional array, got "
            f"{img.ndim} dimension(s)"
        )
    if scale_range is not None and scale_step is not None:
        sigmas = np.arange(scale_range[0], scale_range[1], scale_step)
    s = [float(v) for v in np.atleast_1d(np.asarray(list(sigmas), dtype=float))]
    if any(v < 0 for v in s):
        raise ValueError("Sigma values less than zero are not valid")
    return _ndkern.frangi(
        img, s, float(alpha), float(beta), None if gamma is None else float(gamma),
        bool(black_ridges), filter_mode(mode), float_value(cval, "cval"),
    )
