"""scikit-image's ``skimage.registration.phase_cross_correlation`` computed by ndkern."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from . import _ndkern
from ._support import F32, F64, refuse

__all__ = ["phase_cross_correlation"]


def phase_cross_correlation(
    reference_image: Any,
    moving_image: Any,
    *,
    upsample_factor: int = 1,
    space: str = "real",
    disambiguate: bool = False,
    reference_mask: Any = None,
    moving_mask: Any = None,
    overlap_ratio: float = 0.3,
    normalization: Optional[str] = "phase",
) -> Tuple[np.ndarray, float, float]:
    """The translation registering `moving_image` with `reference_image`
    (skimage.registration.phase_cross_correlation): ``(shift, error, phasediff)``, the shift
    to ``1 / upsample_factor`` of a pixel by the upsampled DFT around the peak (Q22).

    Real-space images without masks; ``space='fourier'``, masks and ``disambiguate=True``
    raise ``ValueError``.

    >>> import numpy as np
    >>> from ndkern.registration import phase_cross_correlation
    >>> ref = np.random.default_rng(0).random((32, 32))
    >>> moved = np.roll(ref, (3, -5), axis=(0, 1))
    >>> shift, error, phasediff = phase_cross_correlation(ref, moved)
    >>> shift
    array([-3.,  5.])
    """
    if space.lower() != "real":
        raise refuse("phase_cross_correlation", f"space={space!r}",
                     "pass the images in real space (space='real')")
    if reference_mask is not None or moving_mask is not None:
        raise refuse("phase_cross_correlation", "masked registration",
                     "use skimage.registration.phase_cross_correlation for masks")
    if disambiguate:
        raise refuse("phase_cross_correlation", "disambiguate=True",
                     "use skimage for disambiguation")
    if normalization not in ("phase", None):
        raise ValueError(f"normalization must be 'phase' or None, got {normalization!r}")
    ref = np.asarray(reference_image)
    mov = np.asarray(moving_image)
    if ref.shape != mov.shape:
        raise ValueError("images must be same shape")
    for a in (ref, mov):
        if a.dtype.kind == "c":
            raise refuse("phase_cross_correlation", "complex images",
                         "pass real images")
        if a.dtype.kind not in "biuf":
            raise TypeError(f"images must be real numeric, got dtype {a.dtype}")
    upsample_factor = int(upsample_factor)
    if upsample_factor < 1:
        raise ValueError("upsample_factor must be >= 1")
    # the upsampled DFT covers ceil(1.5 * upsample_factor) samples per axis (skimage's
    # region); refuse sizes that cannot be allocated before the kernel sizes its buffers
    need = 16.0 * float(np.ceil(1.5 * upsample_factor)) ** max(ref.ndim, 1)
    if upsample_factor > 2**31 or need > 2.0**45:
        raise MemoryError(
            f"phase_cross_correlation: upsample_factor={upsample_factor} needs an upsampled "
            f"region of ~{need:.3g} bytes; use a smaller upsample_factor"
        )
    both32 = ref.dtype == F32 and mov.dtype == F32
    dt = F32 if both32 else F64
    r = ref if ref.dtype == dt and ref.dtype.isnative else ref.astype(dt)
    m = mov if mov.dtype == dt and mov.dtype.isnative else mov.astype(dt)
    shift, error, phasediff = _ndkern.phase_cross_correlation(
        r, m, int(upsample_factor), normalization
    )
    return shift, error, phasediff
