"""scikit-image's conventions shared by ``ndkern.feature``, ``ndkern.filters``,
``ndkern.measure`` and ``ndkern.registration``."""

from __future__ import annotations

import numpy as np

from ._support import F32, F64


def supported_float(a: np.ndarray) -> np.ndarray:
    """skimage's ``_supported_float_type``: float32 (and float16) compute in float32, every
    other real dtype in float64 (values unchanged)."""
    if a.dtype.kind not in "biuf":
        raise TypeError(f"image must be real numeric, got dtype {a.dtype}")
    dt = F32 if a.dtype in (F32, np.dtype(np.float16)) else F64
    if a.dtype == dt and a.dtype.isnative:
        return a
    return a.astype(dt)


def img_as_float(a: np.ndarray) -> np.ndarray:
    """skimage's ``img_as_float``: floats unchanged (float16 -> float32), bool -> 0/1,
    unsigned integers scaled to [0, 1] and signed ones to [-1, 1] by their dtype's maximum."""
    if a.dtype.kind == "f":
        return supported_float(a)
    if a.dtype.kind == "b":
        return a.astype(F64)
    if a.dtype.kind in "iu":
        imax = np.iinfo(a.dtype).max
        out = np.multiply(a, 1.0 / imax, dtype=F64)
        if a.dtype.kind == "i":
            np.maximum(out, -1.0, out=out)
        return out
    raise TypeError(f"image must be real numeric, got dtype {a.dtype}")
