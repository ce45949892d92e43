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
    m = filter_mode(mode)
    cv = float_value(cval, "cval")
    if m == "constant":
        return _frangi_constant(img, s, alpha, beta, gamma, black_ridges, cv)
    return _ndkern.frangi(
        img, s, float(alpha), float(beta), None if gamma is None else float(gamma),
        bool(black_ridges), m, cv,
    )


def _frangi_constant(img, sigmas, alpha, beta, gamma, black_ridges, cval) -> np.ndarray:
    """skimage's frangi loop over ndkern's Hessian and eigenvalues (mode 'constant', where
    the fused Rust kernel's second pass uses an offset cval: reported)."""
    from .feature import hessian_matrix, hessian_matrix_eigvals

    if not black_ridges:
        img = -img
    filtered_max = np.zeros_like(img)
    for sigma in sigmas:
        eigvals = hessian_matrix_eigvals(
            hessian_matrix(img, sigma, mode="constant", cval=cval, use_gaussian_derivatives=True)
        )
        eigvals = np.take_along_axis(eigvals, abs(eigvals).argsort(0), 0)
        lambda1 = eigvals[0]
        if img.ndim == 2:
            (lambda2,) = np.maximum(eigvals[1:], 1e-10)
            r_a = np.inf
            r_b = abs(lambda1) / lambda2
        else:
            lambda2, lambda3 = np.maximum(eigvals[1:], 1e-10)
            r_a = lambda2 / lambda3
            r_b = abs(lambda1) / np.sqrt(lambda2 * lambda3)
        s = np.sqrt((eigvals**2).sum(0))
        if gamma is None:
            gamma = s.max() / 2
            if gamma == 0:
                gamma = 1
        with np.errstate(over="ignore", under="ignore"):
            vals = 1.0 - np.exp(-(r_a**2) / (2 * alpha**2), dtype=img.dtype)
            vals *= np.exp(-(r_b**2) / (2 * beta**2), dtype=img.dtype)
            vals *= 1.0 - np.exp(-(s**2) / (2 * gamma**2), dtype=img.dtype)
        filtered_max = np.maximum(filtered_max, vals)
    return filtered_max
