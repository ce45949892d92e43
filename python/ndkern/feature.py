"""scikit-image's ``skimage.feature.hessian_matrix`` and ``hessian_matrix_eigvals`` computed
by ndkern (2-D and 3-D images).

``hessian_matrix`` returns the upper-triangle Hessian planes at scale `sigma` (Gaussian
smoothing then ``np.gradient`` twice, or Gaussian derivative kernels with
``use_gaussian_derivatives=True``), in the image's float type (float32 stays float32; integer
images are scaled by ``img_as_float`` as skimage does). ``hessian_matrix_eigvals`` stacks the
eigenvalues, largest first, on a new leading axis, from closed forms (2-D) or the
trigonometric 3x3 solution with a refined fallback (3-D).
"""

from __future__ import annotations

import warnings
from typing import Any, List, Optional

import numpy as np

from . import _ndkern
from ._skimage import img_as_float
from ._support import filter_mode, float_value

__all__ = ["hessian_matrix", "hessian_matrix_eigvals"]


def hessian_matrix(
    image: Any,
    sigma: float = 1,
    mode: str = "constant",
    cval: float = 0,
    order: str = "rc",
    use_gaussian_derivatives: Optional[bool] = None,
) -> List[np.ndarray]:
    """The Hessian of a 2-D or 3-D image at scale `sigma` (skimage.feature.hessian_matrix):
    ``[Hrr, Hrc, Hcc]`` in 2-D, ``[H00, H01, H02, H11, H12, H22]`` in 3-D.

    >>> import numpy as np
    >>> from ndkern.feature import hessian_matrix
    >>> square = np.zeros((5, 5)); square[2, 2] = 4
    >>> Hrr, Hrc, Hcc = hessian_matrix(square, sigma=0.1, order="rc",
    ...                                use_gaussian_derivatives=False)
    >>> Hrc
    array([[ 0.,  0.,  0.,  0.,  0.],
           [ 0.,  1.,  0., -1.,  0.],
           [ 0.,  0.,  0.,  0.,  0.],
           [ 0., -1.,  0.,  1.,  0.],
           [ 0.,  0.,  0.,  0.,  0.]])
    """
    img = img_as_float(np.asarray(image))
    if img.ndim > 2 and order == "xy":
        raise ValueError("order='xy' is only supported for 2D images.")
    if order not in ("rc", "xy"):
        raise ValueError(f"unrecognized order: {order}")
    if use_gaussian_derivatives is None:
        use_gaussian_derivatives = False
        warnings.warn(
            "use_gaussian_derivatives currently defaults to False, but will change to True "
            "in a future version. Please specify this argument explicitly to maintain the "
            "current behavior",
            category=FutureWarning,
            stacklevel=2,
        )
    m = filter_mode(mode)
    cv = float_value(cval, "cval")
    if use_gaussian_derivatives and m == "constant":
        # ndkern's fused kernel applies an offset cval in the second pass (a Rust-side bug
        # reported to the linalg owners): skimage's two passes, each ndkern's gaussian_filter
        planes = _gaussian_derivative_hessian(img, float(sigma), cv)
    else:
        planes = list(_ndkern.hessian_matrix(img, float(sigma), m, cv,
                                             bool(use_gaussian_derivatives)))
    if order == "xy":
        planes = planes[::-1]
    return planes


def _gaussian_derivative_hessian(img: np.ndarray, sigma: float, cval: float) -> list:
    """skimage's ``_hessian_matrix_with_gaussian`` (mode 'constant') by ndkern's filters."""
    from .ndimage import gaussian_filter

    if img.ndim not in (2, 3):
        raise ValueError(f"hessian_matrix: 2-D or 3-D images, got {img.ndim} dimension(s)")
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"hessian_matrix: sigma must be finite and > 0, got {sigma}")
    truncate = 8 if sigma > 1 else 100
    s = sigma / np.sqrt(2.0)
    nd = img.ndim
    orders = [[0] * d + [1] + [0] * (nd - d - 1) for d in range(nd)]
    kw = dict(sigma=s, mode="constant", cval=cval, truncate=truncate)
    grads = [gaussian_filter(img, order=orders[d], **kw) for d in range(nd)]
    return [gaussian_filter(grads[i], order=orders[j], **kw)
            for i in range(nd) for j in range(i, nd)]


def hessian_matrix_eigvals(H_elems: Any) -> np.ndarray:
    """Eigenvalues of the Hessian planes from :func:`hessian_matrix`
    (skimage.feature.hessian_matrix_eigvals), largest first: shape ``(ndim, *image.shape)``.

    >>> import numpy as np
    >>> from ndkern.feature import hessian_matrix_eigvals
    >>> hessian_matrix_eigvals([np.array([2.0]), np.array([0.0]), np.array([-1.0])])
    array([[ 2.],
           [-1.]])
    """
    planes = [np.asarray(h) for h in H_elems]
    if not planes:
        raise ValueError("hessian_matrix_eigvals: no Hessian planes given")
    dt = np.result_type(*planes)
    if dt.kind not in "biuf":
        raise TypeError(f"Hessian planes must be real numeric, got dtype {dt}")
    dt = dt if dt in (np.float32, np.float64) else np.dtype(np.float64)
    planes = [p.astype(dt, copy=False) for p in planes]
    return np.stack(_ndkern.hessian_eigvals(planes, "descending"), 0)
